import type { LabProgress as Progress } from "@/server/labs/progress";

/**
 * A learner's progress in one lab, for its catalog card: a status badge in
 * words ("Not started", "In progress", "Completed") and tasks passed out of
 * the total, with a bar for the eye (the words carry the meaning, not the
 * colour). `progress` is null for a lab the learner has not started.
 */
export function LabProgress({ slug, progress, taskCount }: { slug: string; progress: Progress | null; taskCount: number }) {
  const status = progress?.status ?? "not-started";
  const passed = progress?.passed ?? 0;
  const total = progress?.total ?? taskCount;
  const done = status === "completed";
  const percent = total ? Math.round((passed / total) * 100) : 0;
  const badge = {
    completed: ["Completed", "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"],
    "in-progress": ["In progress", "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300"],
    "not-started": ["Not started", "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"],
  }[status];
  return (
    <div className="mt-3" data-testid={`lab-progress-${slug}`} data-status={status}>
      <p className="flex items-center gap-2 text-sm">
        <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${badge[1]}`}>{badge[0]}</span>
        {total > 0 && status !== "not-started" && (
          <span className="text-zinc-600 dark:text-zinc-400">
            {passed} of {total} tasks passed
          </span>
        )}
      </p>
      {total > 0 && (
        <div aria-hidden className="mt-2 h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
          <div className={`h-full ${done ? "bg-emerald-500" : "bg-sky-500"}`} style={{ width: `${percent}%` }} />
        </div>
      )}
    </div>
  );
}
