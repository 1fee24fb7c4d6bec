"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../../../_trpc/client";

/**
 * Whether tasks learners passed before joining earn points in this cohort.
 * The box shows what the server holds: it moves while the change is on its
 * way and moves back if the server refuses.
 */
function WorkBeforeJoining({ cohortId, included }: { cohortId: string; included: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const update = useMutation(trpc.cohorts.update.mutationOptions({ onSuccess: () => router.refresh() }));
  // While the change is pending it shows what was asked; otherwise what the server said last.
  const [saved, setSaved] = useState(included);
  const checked = update.isPending ? !!update.variables?.includeWorkBeforeJoining : saved;
  return (
    <div className="mt-3 text-sm">
      <label className="flex items-start gap-2">
        <input
          type="checkbox"
          className="mt-1"
          checked={checked}
          disabled={update.isPending}
          onChange={(e) => {
            const next = e.target.checked;
            update.mutate({ cohortId, includeWorkBeforeJoining: next }, { onSuccess: (c) => setSaved(c.includeWorkBeforeJoining) });
          }}
        />
        <span>
          Count tasks learners passed before they joined
          <span className="block text-xs text-zinc-600 dark:text-zinc-400">
            They are marked &ldquo;before joining&rdquo; on the dashboard either way. Unticked, they earn no points in this cohort&apos;s grades
            (dashboard, exports, API) until the learner passes them again.
          </span>
        </span>
      </label>
      {update.error && (
        <p role="alert" className="mt-1 text-red-700 dark:text-red-300">
          {update.error.message}
        </p>
      )}
    </div>
  );
}

/** Grading setting, and archive (keeps results, closes the link) or reopen. */
export function CohortActions({ cohortId, archived, includeWorkBeforeJoining }: { cohortId: string; archived: boolean; includeWorkBeforeJoining: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const archive = useMutation(trpc.cohorts.archive.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <section aria-labelledby="manage" className="border-t border-zinc-200 pt-4 dark:border-zinc-800">
      <h2 id="manage" className="text-sm font-semibold">
        Manage
      </h2>
      <WorkBeforeJoining cohortId={cohortId} included={includeWorkBeforeJoining} />
      <button
        type="button"
        disabled={archive.isPending}
        className="mt-3 rounded border border-zinc-300 px-3 py-1.5 text-sm disabled:opacity-50 dark:border-zinc-700"
        onClick={() => archive.mutate({ cohortId, archived: !archived })}
      >
        {archived ? "Reopen cohort" : "Archive cohort"}
      </button>
      {archive.error && (
        <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-300">
          {archive.error.message}
        </p>
      )}
    </section>
  );
}
