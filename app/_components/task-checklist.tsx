"use client";

import { useMutation } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { TaskView } from "@/server/grading/service";
import { useEffect } from "react";
import { useTRPC } from "../_trpc/client";
import { markdownText } from "./markdown-text";
import { AssistedBadge, CheckNowButton, FastForwardButton, HintText, TaskMark, TaskTitle } from "./task-parts";
import { useTasks } from "./tasks-context";

const statusWord: Record<TaskView["status"], string> = {
  pending: "not checked yet",
  passed: "done",
  failed: "not yet",
  locked: "locked",
};

/**
 * The session's tasks, ticking live: the server checks the learner's node
 * when a command finishes in their terminal (and on a slow safety poll) and
 * pushes every change over SSE, so the page never polls. Status is in words
 * as well as symbols.
 */
export function TaskChecklist({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const live = useSubscription(trpc.grading.watchTasks.subscriptionOptions({ sessionId }));
  const reveal = useMutation(trpc.grading.revealHint.mutationOptions());
  // "Check now" stores results and emits a change, so the stream stays the one source.
  const tasks = live.data;
  // Task widgets in the lab text read the same data.
  const { publish } = useTasks();
  useEffect(() => {
    publish(tasks ?? null);
    return () => publish(null);
  }, [tasks, publish]);
  if (!tasks?.length) return null;
  const done = tasks.filter((t) => t.status === "passed");
  const points = done.reduce((n, t) => n + t.points, 0);
  const total = tasks.reduce((n, t) => n + t.points, 0);
  return (
    <section aria-label="Tasks" className="mt-4" data-testid="task-checklist">
      <div className="flex items-baseline justify-between">
        <h2 className="font-semibold">
          Tasks{" "}
          <span className="text-sm font-normal text-zinc-500">
            {done.length} of {tasks.length} done · {points}/{total} points
          </span>
        </h2>
        <CheckNowButton sessionId={sessionId} />
      </div>
      <ol className="mt-2 space-y-2">
        {tasks.map((t, i) => (
          <li key={t.taskId} data-testid={`task-${t.taskId}`} data-status={t.status} className="flex gap-2 text-sm">
            <span className="w-5 shrink-0 text-center">
              <TaskMark status={t.status} />
            </span>
            <div>
              <p className={t.status === "passed" ? "font-medium" : ""}>
                <TaskTitle title={t.title} /> <span className="sr-only">({statusWord[t.status]})</span>
                {t.assisted && <AssistedBadge />}
              </p>
              {t.message && t.status !== "passed" && <p className="text-zinc-600 dark:text-zinc-400">{t.message}</p>}
              {t.hints.length > 0 && (
                <ol className="mt-1 list-decimal pl-5 text-zinc-700 dark:text-zinc-300" aria-label={`Hints for ${markdownText(t.title)}`}>
                  {t.hints.map((h, i) => (
                    <li key={i}>
                      <HintText hint={h} />
                    </li>
                  ))}
                </ol>
              )}
              {t.status !== "passed" && t.hints.length < t.hintCount && (
                <button
                  type="button"
                  className="mt-1 text-xs text-sky-700 underline disabled:opacity-50 dark:text-sky-400"
                  disabled={reveal.isPending}
                  onClick={() => reveal.mutate({ sessionId, taskId: t.taskId })}
                >
                  {t.hints.length ? "Show another hint" : "Show a hint"} ({t.hintCount - t.hints.length} left)
                </button>
              )}
              {t.status !== "passed" && i > 0 && <FastForwardButton sessionId={sessionId} taskId={t.taskId} />}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
