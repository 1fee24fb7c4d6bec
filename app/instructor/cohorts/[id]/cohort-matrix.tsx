"use client";

import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import type { CohortResults, LabCell, TaskCell } from "@/server/grades/types";
import { Truncated } from "../../../_components/truncated";
import { useTRPC } from "../../../_trpc/client";
import { formatDate, formatDuration } from "../../format";

const SYMBOL: Record<TaskCell["status"] | "none", string> = { passed: "✓", failed: "✗", pending: "○", none: "·" };
const WORD: Record<TaskCell["status"] | "none", string> = { passed: "done", failed: "tried, not yet", pending: "not yet", none: "not started" };
const COLOR: Record<TaskCell["status"] | "none", string> = {
  passed: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  failed: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  pending: "text-zinc-500",
  none: "text-zinc-400",
};

/**
 * Learners x tasks, pushed by the server (SSE) whenever a learner's task or
 * session changes. Each cell says its status in words for screen readers;
 * each lab's summary links to the learner's session (history, terminal).
 */
export function CohortMatrix({ cohortId }: { cohortId: string }) {
  const trpc = useTRPC();
  const live = useSubscription(trpc.cohorts.watchResults.subscriptionOptions({ cohortId }));
  const results = live.data;
  const status = live.status === "pending" ? "live" : live.status === "error" ? "reconnecting" : live.status;
  return (
    <section aria-labelledby="matrix" className="space-y-2">
      <div className="flex items-baseline gap-3">
        <h2 id="matrix" className="text-lg font-semibold">
          Progress
        </h2>
        <span className="text-xs text-zinc-500" data-testid="matrix-status" aria-live="polite">
          {status === "live" ? "● live" : status === "connecting" ? "connecting…" : status === "reconnecting" ? `reconnecting… ${live.error?.message ?? ""}` : status}
        </span>
      </div>
      {!results ? (
        <p className="text-sm text-zinc-500">Loading…</p>
      ) : results.learners.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Nobody has joined yet. Share the join link above.</p>
      ) : (
        <Matrix results={results} />
      )}
    </section>
  );
}

function Matrix({ results }: { results: CohortResults }) {
  const th = "border-b border-zinc-200 px-2 py-1 text-left font-medium dark:border-zinc-800";
  return (
    <div className="overflow-x-auto rounded border border-zinc-200 dark:border-zinc-800">
      <table className="min-w-full text-sm" data-testid="cohort-matrix">
        <caption className="sr-only">Each learner&apos;s tasks per lab, updated live</caption>
        <thead>
          <tr>
            <th scope="col" rowSpan={2} className={th}>
              Learner
            </th>
            {results.labs.map((lab) => (
              <th key={lab.slug} scope="colgroup" colSpan={lab.tasks.length + 1} className={`${th} border-l`}>
                {lab.title}
              </th>
            ))}
            <th scope="col" rowSpan={2} className={`${th} border-l`}>
              Score
            </th>
          </tr>
          <tr>
            {results.labs.flatMap((lab) => [
              ...lab.tasks.map((t, i) => (
                <th key={`${lab.slug}/${t.id}`} scope="col" title={`${t.title} (${t.points} pt)`} className={`${th} text-center text-xs font-normal ${i === 0 ? "border-l" : ""}`}>
                  <span aria-hidden>{i + 1}</span>
                  <span className="sr-only">{t.title}</span>
                </th>
              )),
              <th key={`${lab.slug}/summary`} scope="col" className={`${th} text-xs font-normal`}>
                Points · time · hints
              </th>,
            ])}
          </tr>
        </thead>
        <tbody>
          {results.learners.map((l) => (
            <tr key={l.userId} data-testid={`learner-${l.email}`} className="border-b border-zinc-100 last:border-0 dark:border-zinc-900">
              <th scope="row" className="px-2 py-1 text-left font-normal">
                <Truncated text={l.name} className="block max-w-48 font-medium" />
                <Truncated text={l.email} className="block max-w-48 text-xs text-zinc-500" />
              </th>
              {results.labs.flatMap((lab) => {
                const cell = l.labs[lab.slug];
                return [
                  ...lab.tasks.map((t, i) => {
                    const task = cell?.sessionId ? cell.tasks[t.id] : undefined;
                    const s = task?.status ?? (cell?.sessionId ? "pending" : "none");
                    const when = task?.passedAt ? ` at ${formatDate(task.passedAt)}` : "";
                    return (
                      <td
                        key={`${lab.slug}/${t.id}`}
                        data-testid={`cell-${l.email}-${lab.slug}-${t.id}`}
                        data-status={s}
                        title={`${t.title}: ${WORD[s]}${when}${task?.hintsRevealed ? ` · ${task.hintsRevealed} hint(s)` : ""}${task?.message && s !== "passed" ? ` · "${task.message}"` : ""}`}
                        className={`px-2 py-1 text-center ${COLOR[s]} ${i === 0 ? "border-l border-zinc-200 dark:border-zinc-800" : ""}`}
                      >
                        <span aria-hidden>{SYMBOL[s]}</span>
                        <span className="sr-only">{WORD[s]}</span>
                      </td>
                    );
                  }),
                  <td key={`${lab.slug}/summary`} className="whitespace-nowrap px-2 py-1 text-xs">
                    <LabSummary cell={cell} />
                  </td>,
                ];
              })}
              <td className="whitespace-nowrap border-l border-zinc-200 px-2 py-1 dark:border-zinc-800" data-testid={`score-${l.email}`}>
                {l.points}/{l.maxPoints} <span className="text-xs text-zinc-500">({Math.round(l.score * 100)}%)</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LabSummary({ cell }: { cell: LabCell | undefined }) {
  if (!cell?.sessionId) return <span className="text-zinc-400">not started</span>;
  const live = cell.state === "ready" || cell.state === "provisioning" || cell.state === "requested";
  return (
    <span className="flex items-center gap-2">
      <span>
        {cell.points}/{cell.maxPoints}
      </span>
      <span title={cell.completedAt ? `completed ${formatDate(cell.completedAt)}` : "not completed yet"}>{cell.completedAt ? formatDuration(cell.timeToCompleteMs) : "in progress"}</span>
      <span title="hints opened">
        {cell.hintsUsed} hint{cell.hintsUsed === 1 ? "" : "s"}
      </span>
      <Link href={`/instructor/sessions/${cell.sessionId}`} className="rounded text-sky-700 hover:underline dark:text-sky-400">
        {live ? "watch" : "details"}
      </Link>
    </span>
  );
}
