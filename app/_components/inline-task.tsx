"use client";

import { CheckIcon, PlayIcon } from "./icons";
import { markdownText } from "./markdown-text";
import { TaskTitle } from "./task-parts";
import { useTasks } from "./tasks-context";

/**
 * A task placed in the lab text with a ```task fence: its title and, while a
 * session runs, its live state in words.
 */
export function InlineTask({ taskId, title, points }: { taskId: string; title: string; points: number }) {
  const { tasks } = useTasks();
  const t = tasks?.find((x) => x.taskId === taskId);
  const state = t?.status ?? null;
  const word = state === "passed" ? "done" : state === "locked" ? "locked" : state ? "not yet" : "start the lab to check this";
  return (
    <aside
      className={`my-4 rounded-lg border px-4 py-3 ${state === "passed" ? "border-emerald-400 bg-emerald-50 dark:bg-emerald-950" : "border-sky-300 bg-sky-50 dark:border-sky-800 dark:bg-sky-950"}`}
      data-testid={`inline-task-${taskId}`}
      data-status={state ?? "none"}
      aria-label={`Task: ${markdownText(title)}`}
    >
      <p className="font-medium">
        {state === "passed" ? (
          <CheckIcon className="mr-1.5 inline-block h-4 w-4 align-[-0.15em] text-emerald-600" />
        ) : (
          <PlayIcon className="mr-1.5 inline-block h-3.5 w-3.5 align-[-0.1em] text-sky-600" />
        )}
        Task: <TaskTitle title={title} />{" "}
        <span className="text-sm font-normal text-zinc-600 dark:text-zinc-400">
          ({word} · {points} points)
        </span>
      </p>
      {t?.message && state !== "passed" && <p className="mt-1 text-sm text-zinc-700 dark:text-zinc-300">{t.message}</p>}
    </aside>
  );
}
