import { z } from "zod";
import type { CgroupVersion } from "../checks/cgroup";

/**
 * Lab text that depends on the learner's node: cgroup v1 (one hierarchy per
 * controller, /sys/fs/cgroup/memory/...) or v2 (one unified tree,
 * /sys/fs/cgroup/...). A node has the cgroup version of the host it runs on,
 * so the same lab meets both; hints and solutions that name cgroup files
 * are written once per version and each learner sees their own node's.
 *
 * In the frontmatter a hint, `solution` or `solutions` entry is either a plain
 * string (the same on both) or `{ cgroup-v1: ..., cgroup-v2: ... }`.
 */
export interface CgroupVariants {
  v1: string;
  v2: string;
}

const text = (what: string) => z.string({ error: `${what} must be text` }).trim().min(1, `${what} cannot be empty`);

/**
 * A string, or one string per cgroup version; read into {@link CgroupVariants}.
 * `missing` is the message when the field is absent altogether.
 */
export function cgroupVariantsSchema(what: string, missing?: string) {
  const wrongShape = `${what} must be text, or cgroup-v1: and cgroup-v2: with text for each`;
  return z
    .union(
      [
        text(what),
        z.strictObject(
          { "cgroup-v1": text(`${what} for cgroup v1`), "cgroup-v2": text(`${what} for cgroup v2`) },
          {
            error: (issue) =>
              issue.code === "unrecognized_keys"
                ? `${what} by cgroup version takes only cgroup-v1 and cgroup-v2 (found ${issue.keys.join(", ")})`
                : wrongShape,
          },
        ),
      ],
      { error: (issue) => (issue.input === undefined && missing ? missing : wrongShape) },
    )
    .transform((v): CgroupVariants => (typeof v === "string" ? { v1: v, v2: v } : { v1: v["cgroup-v1"], v2: v["cgroup-v2"] }));
}

/** Whether the two versions differ (a per-version entry rather than one text). */
export function differsByCgroup(v: CgroupVariants): boolean {
  return v.v1 !== v.v2;
}

/**
 * The text for a node of `version`. Unknown version (no node yet): both,
 * each labelled, so the learner is never shown a path that may be wrong
 * for their node without saying so.
 */
export function forCgroup(v: CgroupVariants, version: CgroupVersion | null): string {
  if (!differsByCgroup(v)) return v.v1;
  if (version === 1) return v.v1;
  if (version === 2) return v.v2;
  return `On cgroup v1: ${v.v1}\nOn cgroup v2: ${v.v2}`;
}

/** The shell snippet a node reports its cgroup version with ("1" or "2"). */
export const CGROUP_VERSION_PROBE = "if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo 2; else echo 1; fi";

/** Reads {@link CGROUP_VERSION_PROBE}'s output. */
export function parseCgroupVersionProbe(out: string): CgroupVersion | null {
  const v = out.trim();
  return v === "1" ? 1 : v === "2" ? 2 : null;
}
