"use client";

import { useEffect, useState } from "react";
import type { TestLine, TestReport, TestStatus } from "@/server/labs/test-runs";
import { CheckIcon, CircleIcon, CrossIcon } from "../icons";
import { PHASES, formatDuration, taskRows, type RowStatus, type TaskRow } from "./test-rows";

/** The current time, ticking each second while `active` (the elapsed time of a run in progress). */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

const rowWord: Record<RowStatus, string> = { pending: "waiting", running: "running", passed: "passed", failed: "failed" };

/**
 * A "Test this lab" run of one version, live: the nodes it made, one row per
 * task with its three phases (checks fail before, the solution runs, checks
 * pass after), the elapsed time and the verdict. A run whose server died is
 * shown as interrupted, with "Test again".
 */
export function TestRun({
  version,
  status,
  report,
  tasks,
  onTestAgain,
  testAgainDisabled,
}: {
  version: number;
  status: TestStatus;
  report: TestReport | null;
  tasks: { id: string; title: string }[];
  /** Absent when the caller may not test (a built-in lab). */
  onTestAgain?: () => void;
  testAgainDisabled: boolean;
}) {
  const running = status === "running";
  const now = useNow(running);
  if (!report) return null;
  const rows = taskRows(tasks, report, status);
  const started = Date.parse(report.startedAt);
  const elapsed = running ? Math.max(0, now - started) : (report.durationMs ?? Math.max(0, Date.parse(report.finishedAt ?? report.beatAt) - started));
  const other = report.lines.filter((l) => l.kind !== "task");
  return (
    <section aria-labelledby="test-heading" className="space-y-3 rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="test-run" data-status={status}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="test-heading" className="text-sm font-semibold">
          Test of version {version}
        </h2>
        <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="test-elapsed">
          started by {report.by} · {running ? `${formatDuration(elapsed)} so far` : formatDuration(elapsed)}
          {report.cgroupVersion ? ` · cgroup v${report.cgroupVersion} node` : ""}
        </p>
      </div>
      {other.length > 0 && (
        <ul className="space-y-0.5 text-xs" aria-label="Nodes and errors">
          {other.map((l, i) => (
            <li key={i} className={l.ok ? "text-zinc-600 dark:text-zinc-400" : "text-red-700 dark:text-red-300"} data-testid={`test-${l.kind}-line`}>
              <span className="font-mono text-zinc-400">+{formatDuration(l.at)}</span> {l.text}
            </li>
          ))}
        </ul>
      )}
      <ol className="space-y-2">
        {rows.map((row) => (
          <TaskRowView key={row.taskId} row={row} runOver={!running} />
        ))}
      </ol>
      <Verdict status={status} rows={rows} elapsed={elapsed} />
      {onTestAgain && (status === "interrupted" || status === "failed") && (
        <button
          type="button"
          onClick={onTestAgain}
          disabled={testAgainDisabled}
          className="rounded border border-zinc-300 px-3 py-1 text-sm hover:bg-zinc-50 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
        >
          Test again
        </button>
      )}
    </section>
  );
}

function TaskRowView({ row, runOver }: { row: TaskRow; runOver: boolean }) {
  const mark =
    row.status === "passed" ? (
      <CheckIcon className="h-4 w-4 text-emerald-600" />
    ) : row.status === "failed" ? (
      <CrossIcon className="h-4 w-4 text-red-600" />
    ) : (
      <CircleIcon className={`h-4 w-4 ${row.status === "running" ? "animate-pulse text-sky-600" : "text-zinc-400"}`} />
    );
  return (
    <li data-testid={`test-task-${row.taskId}`} data-status={row.status} className="text-sm">
      <p className="flex items-center gap-2">
        {mark}
        <span className="font-medium">{row.title ?? row.taskId}</span>
        {row.title && <code className="text-xs text-zinc-500">{row.taskId}</code>}
        <span className="text-xs text-zinc-500">{row.status === "pending" && runOver ? "not run" : rowWord[row.status]}</span>
      </p>
      {row.status !== "pending" && (
        <ul className="mt-1 space-y-0.5 pl-6 text-xs">
          {PHASES.map(({ phase, label }) => (
            <PhaseView key={phase} label={label} line={row.phases[phase]} />
          ))}
        </ul>
      )}
    </li>
  );
}

function PhaseView({ label, line }: { label: string; line: TestLine | undefined }) {
  if (!line) {
    return (
      <li className="text-zinc-400">
        <span aria-hidden>·</span> {label}
      </li>
    );
  }
  return (
    <li className={line.ok ? "text-zinc-700 dark:text-zinc-300" : "text-red-700 dark:text-red-300"} data-ok={line.ok}>
      {line.ok ? <CheckIcon className="inline-block h-3 w-3 text-emerald-600" /> : <CrossIcon className="inline-block h-3 w-3 text-red-600" />}{" "}
      <span className="sr-only">{line.ok ? "ok:" : "failed:"}</span>
      <span className="font-medium">{label}</span>: <span className="break-words whitespace-pre-wrap">{line.text}</span>
      {line.durationMs !== undefined && <span className="text-zinc-500"> ({formatDuration(line.durationMs)})</span>}
    </li>
  );
}

function Verdict({ status, rows, elapsed }: { status: TestStatus; rows: TaskRow[]; elapsed: number }) {
  const failed = rows.filter((r) => r.status === "failed").length;
  const text =
    status === "running"
      ? `Testing… ${rows.filter((r) => r.status === "passed").length} of ${rows.length} tasks done`
      : status === "passed"
        ? `Test passed in ${formatDuration(elapsed)}: every task fails before its solution and passes after.`
        : status === "failed"
          ? `Test failed: ${failed ? `${failed} of ${rows.length} task${rows.length === 1 ? "" : "s"} did not replay` : "the run stopped before the tasks"}. The lines above say why.`
          : status === "interrupted"
            ? "Test interrupted: the server running it stopped before it finished."
            : "Not tested yet.";
  const colour = status === "passed" ? "text-emerald-700 dark:text-emerald-400" : status === "running" ? "text-zinc-600 dark:text-zinc-400" : "text-red-700 dark:text-red-300";
  return (
    <p role="status" className={`text-sm font-medium ${colour}`} data-testid="test-verdict" data-status={status}>
      {text}
    </p>
  );
}
