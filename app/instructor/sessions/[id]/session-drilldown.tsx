"use client";

import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import type { ConnectionState } from "../../../_components/terminal/connection";
import { TerminalView } from "../../../_components/terminal/terminal-view";
import { TerminalsProvider } from "../../../_components/terminal/terminals-context";
import { Truncated } from "../../../_components/truncated";
import { useTRPC } from "../../../_trpc/client";
import { LocalTime } from "../../../_components/local-time";
import { TaskMark, TaskTitle } from "../../../_components/task-parts";

/**
 * How often the list of open terminals is refreshed. The history changes
 * only with the checklist, which is pushed: each push refetches it.
 */
const TERMINALS_REFRESH_MS = 10_000;

/** What ran the checks behind a history entry (the task history's `trigger`), in words. */
const TRIGGER_WORDS: Record<string, string> = {
  command: "after a command in the terminal",
  poll: "background check",
  check: "learner pressed Check",
  grade: "graded over the API",
  "fast-forward": "fast-forward: reference solutions applied",
  "node-event": "when containerd in the node reported a change",
};

export function SessionDrilldown({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const detail = useQuery({ ...trpc.cohorts.sessionDetail.queryOptions({ sessionId }), refetchInterval: TERMINALS_REFRESH_MS });
  const tasks = useSubscription(trpc.grading.watchTasks.subscriptionOptions({ sessionId }, { onData: () => void detail.refetch() }));
  const [watching, setWatching] = useState<string | null>(null);
  if (!detail.data) return <p className="text-sm text-zinc-500">{detail.error?.message ?? "Loading…"}</p>;
  const { session, history, terminals } = detail.data;
  const checklist = tasks.data ?? detail.data.tasks;
  const title = new Map(checklist.map((t) => [t.taskId, t.title]));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="flex min-w-0 gap-2 text-2xl font-semibold">
          <Truncated text={session.learner.name} className="min-w-0" />
          <span className="shrink-0">· {session.lab.title}</span>
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="drilldown-state">
          <Truncated text={session.learner.email} className="inline-block max-w-64 align-bottom" /> · started <LocalTime date={session.createdAt} /> · {session.state}
          {session.reason ? ` — ${session.reason}` : ""}
        </p>
      </div>

      <section aria-labelledby="checklist">
        <h2 id="checklist" className="mb-2 text-lg font-semibold">
          Tasks
        </h2>
        <ol className="space-y-1 text-sm">
          {checklist.map((t) => (
            <li key={t.taskId} data-testid={`drill-task-${t.taskId}`} data-status={t.status}>
              <TaskMark status={t.status} /> <TaskTitle title={t.title} />{" "}
              <span className="text-zinc-500">
                ({t.status}; {t.points} pt; {t.attempts} check(s); {t.hints.length} of {t.hintCount} hints)
              </span>
              {t.message && t.status !== "passed" && <span className="block pl-5 text-zinc-600 dark:text-zinc-400">{t.message}</span>}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="terminals">
        <h2 id="terminals" className="mb-2 text-lg font-semibold">
          Live terminal <span className="text-sm font-normal text-zinc-500">(read-only)</span>
        </h2>
        {terminals.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">{session.state === "ready" ? "The learner has no terminal open right now." : "The session is not running."}</p>
        ) : (
          <div className="flex flex-wrap gap-2">
            {terminals.map((t, i) => (
              <button
                key={t.terminalId}
                type="button"
                aria-pressed={watching === t.terminalId}
                onClick={() => setWatching(watching === t.terminalId ? null : t.terminalId)}
                className="rounded border border-zinc-300 px-2 py-1 text-sm aria-pressed:bg-sky-600 aria-pressed:text-white dark:border-zinc-700"
              >
                {watching === t.terminalId ? "Stop watching" : "Watch"} terminal {i + 1}
              </button>
            ))}
          </div>
        )}
        {watching && (
          // The provider gives the watched screen the same test hook as the lab page's terminals.
          <TerminalsProvider>
            <WatchedTerminal sessionId={sessionId} terminalId={watching} />
          </TerminalsProvider>
        )}
      </section>

      <section aria-labelledby="history">
        <h2 id="history" className="mb-2 text-lg font-semibold">
          Check history <span className="text-sm font-normal text-zinc-500">(changes only, newest first)</span>
        </h2>
        {history.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No checks have run yet.</p>
        ) : (
          <ol className="space-y-2 text-sm" data-testid="check-history">
            {history.map((h) => (
              <li key={h.id} className="rounded border border-zinc-200 p-2 dark:border-zinc-800">
                <p>
                  <span className={h.status === "passed" ? "text-emerald-700 dark:text-emerald-400" : "text-amber-700 dark:text-amber-400"}>{h.status}</span> · {title.get(h.taskId) ?? h.taskId} ·{" "}
                  <LocalTime date={h.at} /> · {TRIGGER_WORDS[h.trigger] ?? "graded over the API"}
                </p>
                {h.message && <p className="text-zinc-600 dark:text-zinc-400">{h.message}</p>}
                <details className="mt-1">
                  <summary className="cursor-pointer text-xs text-zinc-500">Evidence</summary>
                  <pre className="mt-1 max-h-64 overflow-auto rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-900">{JSON.stringify(h.evidence, null, 2)}</pre>
                </details>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function WatchedTerminal({ sessionId, terminalId }: { sessionId: string; terminalId: string }) {
  const [state, setState] = useState<{ s: ConnectionState; d: string | null }>({ s: "connecting", d: null });
  return (
    <div className="mt-2">
      <p className="text-xs text-zinc-500" aria-live="polite" data-testid="watch-state">
        {state.s}
        {state.d ? ` — ${state.d}` : ""}
      </p>
      <div className="h-80 overflow-hidden rounded border border-zinc-200 dark:border-zinc-800">
        <TerminalView sessionId={sessionId} terminalId={terminalId} label="Learner's terminal (read-only)" onState={(s, d) => setState({ s, d })} />
      </div>
    </div>
  );
}
