/**
 * What a Docker engine offers for containing a learner's root, read from
 * `docker info`, and whether that meets what this platform is configured to
 * require. Pure functions: the policy is unit-tested without an engine.
 *
 * Isolation levels (docs/isolation.md):
 * - `userns`: the engine remaps users (dockerd --userns-remap); root in a node
 *   is an unprivileged uid on the host, so its capabilities only act on what
 *   the node's own namespaces own. The default requirement.
 * - `shared-kernel-root`: no user namespace; root in a node holds
 *   CAP_SYS_ADMIN over the host's kernel. Trusted learners only, and only
 *   when SANDBOX_ISOLATION says so.
 */
import type { EngineInfo } from "../common/docker-api";

export const ISOLATION_LEVELS = ["userns", "shared-kernel-root"] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

export interface EngineProfile {
  isolation: IsolationLevel;
  /** Host uid/gid root in a node maps to (userns); null without remapping. */
  remappedRoot: { uid: number; gid: number } | null;
  storageDriver: string;
  /** Whether Docker can cap a container's writable layer (`--storage-opt size`). */
  diskQuota: boolean;
  /**
   * Whether containerd inside a node can keep its state in the node's own
   * layer. Overlayfs cannot sit on overlayfs, so on overlay2 engines the state
   * needs a volume (which no quota covers).
   */
  stateInLayer: boolean;
  cgroupDriver: string;
  cgroupVersion: 1 | 2;
}

/** Reads an engine's isolation-relevant facts from its `docker info`. */
export function engineProfile(info: EngineInfo): EngineProfile {
  const userns = (info.SecurityOptions ?? []).some((o) => o.split(",").includes("name=userns"));
  // Under userns-remap the engine keeps its state in <data-root>/<uid>.<gid>:
  // the only place the Engine API tells which host ids root maps to.
  const ids = /\/(\d+)\.(\d+)$/.exec(info.DockerRootDir ?? "");
  const driver = info.Driver ?? "";
  const backing = (info.DriverStatus ?? []).find(([k]) => k === "Backing Filesystem")?.[1] ?? "";
  return {
    isolation: userns ? "userns" : "shared-kernel-root",
    remappedRoot: userns && ids ? { uid: Number(ids[1]), gid: Number(ids[2]) } : null,
    storageDriver: driver,
    // btrfs: quota groups (scripts/sandbox-engine.sh enables them); overlay2
    // only on XFS mounted with project quotas, which Docker checks at create.
    diskQuota: driver === "btrfs" || driver === "zfs" || (driver === "overlay2" && backing === "xfs"),
    stateInLayer: !driver.startsWith("overlay") && driver !== "fuse-overlayfs",
    cgroupDriver: info.CgroupDriver ?? "",
    cgroupVersion: info.CgroupVersion === "2" ? 2 : 1,
  };
}

/** What the platform requires of the engine (SANDBOX_ISOLATION, SANDBOX_DISK_MB). */
export interface IsolationPolicy {
  /** The weakest level sandboxes may start at. */
  required: IsolationLevel;
  /** Per-node disk cap in MiB (writable layer incl. containerd state); 0: none. */
  diskMb: number;
}

/** The platform's isolation state for health, the admin banner and provisioning. */
export interface IsolationReport {
  level: IsolationLevel;
  required: IsolationLevel;
  /** Disk cap per node in MiB, or null when nodes have none. */
  diskQuotaMb: number | null;
  /** Whether sandboxes may start on this engine under the policy. */
  ok: boolean;
  /** What holds, or what is missing and the risk, in sentences. */
  message: string;
  /** The one command (or setting) that fixes what is missing. */
  fix?: string;
}

/** The command that starts the user-namespaced, disk-quota sandbox engine. */
export const ENGINE_FIX = "sudo bash scripts/sandbox-engine.sh start && npm run images (then restart the platform)";

/** Judges an engine against the policy. */
export function assessIsolation(profile: EngineProfile, policy: IsolationPolicy, endpoint: string): IsolationReport {
  const base = { level: profile.isolation, required: policy.required };
  if (policy.required === "userns" && profile.isolation !== "userns") {
    return {
      ...base,
      diskQuotaMb: null,
      ok: false,
      message:
        `The Docker engine at ${endpoint} does not run nodes in a user namespace, so root in a node would be root ` + "over the host's kernel (host sysctls, devices). Sandboxes will not start on it.",
      fix: `${ENGINE_FIX}; or, for trusted learners only, set SANDBOX_ISOLATION=shared-kernel-root`,
    };
  }
  if (policy.diskMb > 0 && !profile.diskQuota) {
    return {
      ...base,
      diskQuotaMb: null,
      ok: false,
      message:
        `The Docker engine at ${endpoint} cannot cap a node's disk (storage driver ${profile.storageDriver || "unknown"}), ` +
        `so one learner could fill the host's disk. Sandboxes will not start on it while SANDBOX_DISK_MB=${policy.diskMb}.`,
      fix: `${ENGINE_FIX}; or set SANDBOX_DISK_MB=0 to run nodes without a disk cap`,
    };
  }
  const quota = policy.diskMb > 0 ? `each node's disk is capped at ${policy.diskMb} MiB` : "nodes have NO disk cap (SANDBOX_DISK_MB=0)";
  if (profile.isolation === "shared-kernel-root") {
    return {
      ...base,
      diskQuotaMb: policy.diskMb > 0 ? policy.diskMb : null,
      ok: true,
      message:
        "Nodes run WITHOUT a user namespace (SANDBOX_ISOLATION=shared-kernel-root): root in a node can change host kernel " + `settings and so take over the host. Trusted learners only; ${quota}.`,
      fix: ENGINE_FIX,
    };
  }
  return {
    ...base,
    diskQuotaMb: policy.diskMb > 0 ? policy.diskMb : null,
    ok: true,
    message: `Nodes run in a user namespace (root in a node is uid ${profile.remappedRoot?.uid ?? "?"} on the host); ${quota}.`,
    ...(policy.diskMb > 0 ? {} : { fix: "set SANDBOX_DISK_MB (e.g. 4096) to cap each node's disk" }),
  };
}

/**
 * The policy from a set of variables (SANDBOX_ISOLATION, SANDBOX_DISK_MB),
 * lenient: anything unrecognised is the default. The server validates them in
 * server/env.ts instead; this serves tests and tools given an environment.
 */
export function isolationPolicyFromEnv(source: Record<string, string | undefined>): IsolationPolicy {
  const required = source.SANDBOX_ISOLATION === "shared-kernel-root" ? "shared-kernel-root" : "userns";
  const disk = source.SANDBOX_DISK_MB ? Number(source.SANDBOX_DISK_MB) : NaN;
  return { required, diskMb: Number.isInteger(disk) && disk >= 0 ? disk : DEFAULT_DISK_MB };
}

/** Default per-node disk cap (MiB): room for the lab images and a few GiB of learner files. */
export const DEFAULT_DISK_MB = 4096;

/** The policy when none is given: user namespaces required, disks capped (server/env.ts has the same defaults). */
export const DEFAULT_ISOLATION_POLICY: Readonly<IsolationPolicy> = { required: "userns", diskMb: DEFAULT_DISK_MB };
