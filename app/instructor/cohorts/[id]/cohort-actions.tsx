"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../../../_trpc/client";

/** A cohort's yes/no settings, as the server names them. */
type Setting = "includeWorkBeforeJoining" | "allowFastForward";

/**
 * One yes/no setting of the cohort. The box shows what the server holds: it
 * moves while the change is on its way and moves back if the server refuses.
 */
function SettingBox({ cohortId, setting, value, label, explanation }: { cohortId: string; setting: Setting; value: boolean; label: string; explanation: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const update = useMutation(trpc.cohorts.update.mutationOptions({ onSuccess: () => router.refresh() }));
  // While the change is pending it shows what was asked; otherwise what the server said last.
  const [saved, setSaved] = useState(value);
  const checked = update.isPending ? !!update.variables?.[setting] : saved;
  return (
    <div className="mt-3 text-sm">
      <label className="flex items-start gap-2">
        <input
          type="checkbox"
          className="mt-1"
          checked={checked}
          disabled={update.isPending}
          onChange={(e) => update.mutate({ cohortId, [setting]: e.target.checked }, { onSuccess: (c) => setSaved(c[setting]) })}
        />
        <span>
          {label}
          <span className="block text-xs text-zinc-600 dark:text-zinc-400">{explanation}</span>
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

/** Grading settings, and archive (keeps results, closes the link) or reopen. */
export function CohortActions({
  cohortId,
  archived,
  includeWorkBeforeJoining,
  allowFastForward,
}: {
  cohortId: string;
  archived: boolean;
  includeWorkBeforeJoining: boolean;
  allowFastForward: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const archive = useMutation(trpc.cohorts.archive.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <section aria-labelledby="manage" className="border-t border-zinc-200 pt-4 dark:border-zinc-800">
      <h2 id="manage" className="text-sm font-semibold">
        Manage
      </h2>
      <SettingBox
        cohortId={cohortId}
        setting="includeWorkBeforeJoining"
        value={includeWorkBeforeJoining}
        label="Count tasks learners passed before they joined"
        explanation="They are marked “before joining” on the dashboard either way. Unticked, they earn no points in this cohort’s grades (dashboard, exports, API) until the learner passes them again."
      />
      <SettingBox
        cohortId={cohortId}
        setting="allowFastForward"
        value={allowFastForward}
        label="Let learners fast-forward"
        explanation="A learner stuck on a task may have the reference solutions of the tasks before it applied on a fresh node. Those tasks are marked “assisted” on the dashboard, in exports and the API."
      />
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
