"use client";

import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import type { CohortResults, LabCell, TaskStatus } from "@/server/grades/types";
import { formatDate } from "../../../_components/dates";
import { CheckIcon, CircleIcon, CrossIcon, DotIcon } from "../../../_components/icons";
import { markdownText } from "../../../_components/markdown-text";
import { Truncated } from "../../../_components/truncated";
import { useTRPC } from "../../../_trpc/client";
import { formatDuration } from "../../format";

// The statuses' words are the API's, CSV's and JSON's (server/grades/types.ts
// TaskStatus): one vocabulary, explained in the legend under the matrix.
const WORD: Record<TaskStatus, string> = { passed: "passed", failed: "failed", pending: "pending", "not-started": "not started" };
const MEANING: Record<TaskStatus, string> = {
  passed: "the check passed",
  failed: "checked, not passed yet",
  pending: "lab started, task not checked yet",
  "not-started": "lab not started",
};
const SYMBOL: Record<TaskStatus, ReactNode> = {
  passed: <CheckIcon />,
  failed: <CrossIcon />,
  pending: <CircleIcon />,
  "not-started": <DotIcon />,
};
const COLOR: Record<TaskStatus, string> = {
  passed: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  failed: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  pending: "text-zinc-500",
  "not-started": "text-zinc-400",
};
/** Passed before the learner joined: a dashed ring (and the words), counted or not as the cohort says. */
const BEFORE_JOINING = "outline-1 -outline-offset-4 outline-dashed outline-emerald-600 bg-transparent dark:outline-emerald-400";

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
        <>
          <Matrix results={results} />
          <Legend counted={results.cohort.includeWorkBeforeJoining} />
        </>
      )}
    </section>
  );
}

/** What each mark means, in the words the exports use. */
/** The small "A" beside a task passed by a fast-forward (its words are in the cell's screen-reader text). */
function AssistedMark() {
  return (
    <sup aria-hidden className="ml-0.5 text-[10px] font-semibold text-violet-700 dark:text-violet-300">
      A
    </sup>
  );
}

function Legend({ counted }: { counted: boolean }) {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Legend" data-testid="matrix-legend">
      {(Object.keys(WORD) as TaskStatus[]).map((s) => (
        <li key={s} className="flex items-center gap-1">
          <span className={`rounded px-1 ${COLOR[s]}`}>{SYMBOL[s]}</span>
          <span>
            <strong className="font-medium">{WORD[s]}</strong>: {MEANING[s]}
          </span>
        </li>
      ))}
      <li className="flex items-center gap-1">
        <span className={`rounded px-1 text-emerald-800 dark:text-emerald-300 ${BEFORE_JOINING}`}>
          <CheckIcon />
        </span>
        <span>
          <strong className="font-medium">before joining</strong>: passed before the learner joined this cohort ({counted ? "counted" : "not counted"} in the grades; Manage, below)
        </span>
      </li>
      <li className="flex items-center gap-1">
        <span className="rounded px-1 text-emerald-800 dark:text-emerald-300">
          <CheckIcon />
          <AssistedMark />
        </span>
        <span>
          <strong className="font-medium">assisted</strong>: passed by a fast-forward (the lab&apos;s reference solution applied at the learner&apos;s request; it earns its points)
        </span>
      </li>
    </ul>
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
                <th key={`${lab.slug}/${t.id}`} scope="col" title={`${markdownText(t.title)} (${t.points} pt)`} className={`${th} text-center text-xs font-normal ${i === 0 ? "border-l" : ""}`}>
                  <span aria-hidden>{i + 1}</span>
                  <span className="sr-only">{markdownText(t.title)}</span>
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
                    const task = cell?.tasks[t.id];
                    const s: TaskStatus = task?.status ?? "not-started";
                    const before = s === "passed" && !!task?.beforeJoining;
                    const assisted = s === "passed" && !!task?.assisted;
                    const when = task?.passedAt ? ` ${formatDate(task.passedAt)}` : "";
                    const notCounted = before && !results.cohort.includeWorkBeforeJoining ? ", not counted" : "";
                    return (
                      <td
                        key={`${lab.slug}/${t.id}`}
                        data-testid={`cell-${l.email}-${lab.slug}-${t.id}`}
                        data-status={s}
                        data-before-joining={before || undefined}
                        data-assisted={assisted || undefined}
                        title={`${markdownText(t.title)}: ${WORD[s]}${assisted ? " (assisted)" : ""}${when}${before ? ` (before joining${notCounted})` : ""}${task?.hintsRevealed ? ` · ${task.hintsRevealed} hint(s)` : ""}${task?.message && s !== "passed" ? ` · "${task.message}"` : ""}`}
                        className={`px-2 py-1 text-center ${before ? `text-emerald-800 dark:text-emerald-300 ${BEFORE_JOINING}` : COLOR[s]} ${i === 0 ? "border-l border-zinc-200 dark:border-zinc-800" : ""}`}
                      >
                        {SYMBOL[s]}
                        {assisted && <AssistedMark />}
                        <span className="sr-only">
                          {WORD[s]}
                          {assisted && " (assisted)"}
                          {before && ` before joining${notCounted}`}
                        </span>
                      </td>
                    );
                  }),
                  <td key={`${lab.slug}/summary`} className="whitespace-nowrap px-2 py-1 text-xs">
                    <LabSummary cell={cell} counted={results.cohort.includeWorkBeforeJoining} />
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

function LabSummary({ cell, counted }: { cell: LabCell | undefined; counted: boolean }) {
  if (!cell?.sessionId) return <span className="text-zinc-400">not started</span>;
  const live = cell.state === "ready" || cell.state === "provisioning" || cell.state === "requested";
  return (
    <span className="flex items-center gap-2">
      <span>
        {cell.points}/{cell.maxPoints}
      </span>
      <span title={cell.completedAt ? `completed ${formatDate(cell.completedAt)}` : "not completed yet"}>{cell.completedAt ? formatDuration(cell.timeToCompleteMs) : "in progress"}</span>
      {cell.pointsBeforeJoining > 0 && (
        <span className="rounded border border-dashed border-emerald-600 px-1 dark:border-emerald-400" data-testid="before-joining">
          {cell.pointsBeforeJoining} pt before joining{counted ? "" : ", not counted"}
        </span>
      )}
      <span title="hints opened">
        {cell.hintsUsed} hint{cell.hintsUsed === 1 ? "" : "s"}
      </span>
      <Link href={`/instructor/sessions/${cell.sessionId}`} className="rounded text-sky-700 hover:underline dark:text-sky-400">
        {live ? "watch" : "details"}
      </Link>
    </span>
  );
}
