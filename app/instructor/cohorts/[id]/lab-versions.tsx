"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../../../_trpc/client";

export interface CohortLabVersion {
  slug: string;
  title: string;
  /** The pinned version; null follows the latest published. */
  pinnedVersion: number | null;
  publishedVersions: number[];
}

/**
 * Which version of each lab this cohort's learners start: the latest
 * published (the default) or one the instructor pinned, so a lab's author
 * publishing mid-course does not change this cohort's week. Sessions already
 * running keep their version either way.
 */
export function CohortLabVersions({ cohortId, labs }: { cohortId: string; labs: CohortLabVersion[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pin = useMutation(trpc.cohorts.pinLabVersion.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <section aria-labelledby="lab-versions" className="space-y-2">
      <h2 id="lab-versions" className="text-lg font-semibold">
        Lab versions
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">New sessions of this cohort&apos;s learners get the version chosen here. Sessions already running keep theirs.</p>
      <ul className="space-y-1 text-sm">
        {labs.map((lab) => (
          <li key={lab.slug} className="flex items-center gap-3">
            <label className="flex items-center gap-2">
              <span className="min-w-48">{lab.title}</span>
              <select
                aria-label={`Version of ${lab.title}`}
                data-testid={`pin-${lab.slug}`}
                className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
                value={lab.pinnedVersion ?? ""}
                disabled={pin.isPending}
                onChange={(e) => pin.mutate({ cohortId, slug: lab.slug, version: e.target.value === "" ? null : Number(e.target.value) })}
              >
                <option value="">Latest published{lab.publishedVersions[0] ? ` (now version ${lab.publishedVersions[0]})` : ""}</option>
                {lab.publishedVersions.map((n) => (
                  <option key={n} value={n}>
                    Version {n}
                  </option>
                ))}
              </select>
            </label>
          </li>
        ))}
      </ul>
      {pin.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {pin.error.message}
        </p>
      )}
    </section>
  );
}
