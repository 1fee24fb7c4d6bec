import type { LabProgress as Progress } from "@/server/labs/progress";

/**
 * A learner's progress in one lab, for its catalog card: a status badge in
 * words ("Completed", "In progress") and tasks passed out of the total,
 * with a bar for the eye (the words carry the meaning, not the colour).
 */
export function LabProgress({ progress }: { progress: Progress }) {
  const { slug, passed, total, status } = progress;
  const done = status === "completed";
  const percent = total ? Math.round((passed / total) * 100) : 0;
  return (
    <div className="mt-3" data-testid={`lab-progress-${slug}`} data-status={status}>
      <p className="flex items-center gap-2 text-sm">
        <span
          className={`rounded px-1.5 py-0.5 text-xs font-medium ${
            done ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" : "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300"
          }`}
        >
          {done ? "Completed" : "In progress"}
        </span>
        {total > 0 && (
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
