import type { TestLine, TestReport, TestStatus } from "@/server/labs/test-runs";

/**
 * A "Test this lab" run as the editor shows it: one row per task (and per
 * other way of solving one, "<id> (way 2)"), each with its three phases.
 * Derived from the run's lines alone, so a page opened mid-run, or after
 * the server that ran it died, shows the same as one that watched it all.
 */

export type Phase = NonNullable<TestLine["phase"]>;
export type RowStatus = "pending" | "running" | "passed" | "failed";

export const PHASES: { phase: Phase; label: string }[] = [
  { phase: "before", label: "Checks fail before" },
  { phase: "solution", label: "Solution" },
  { phase: "after", label: "Checks pass after" },
];

export interface TaskRow {
  taskId: string;
  /** The task's title when the row is one of the version's tasks. */
  title: string | null;
  status: RowStatus;
  phases: Partial<Record<Phase, TestLine>>;
}

/**
 * The rows of a run: the version's tasks in order (pending until their
 * lines come), then any other label the lines name (other ways).
 */
export function taskRows(tasks: readonly { id: string; title: string }[], report: TestReport | null, status: TestStatus): TaskRow[] {
  const lines = report?.lines ?? [];
  const labels = tasks.map((t) => t.id);
  for (const l of lines) if (l.kind === "task" && l.taskId && !labels.includes(l.taskId)) labels.push(l.taskId);
  const final = new Map((report?.tasks ?? []).map((t) => [t.taskId, t.ok]));
  const running = status === "running";
  const rows = labels.map((taskId): TaskRow => {
    const own = lines.filter((l) => l.kind === "task" && l.taskId === taskId);
    const phases: TaskRow["phases"] = {};
    for (const l of own) if (l.phase) phases[l.phase] = l;
    const title = tasks.find((t) => t.id === taskId)?.title ?? null;
    const verdict = final.get(taskId);
    let rowStatus: RowStatus;
    if (verdict !== undefined) rowStatus = verdict ? "passed" : "failed";
    else if (own.some((l) => !l.ok)) rowStatus = "failed";
    else if (phases.after) rowStatus = "passed";
    else if (own.length) rowStatus = running ? "running" : "failed";
    else rowStatus = "pending";
    return { taskId, title, status: rowStatus, phases };
  });
  // Between two tasks no line says which is next: the first not yet started is.
  if (running && !rows.some((r) => r.status === "running")) {
    const next = rows.find((r) => r.status === "pending");
    if (next) next.status = "running";
  }
  return rows;
}

/** "1.2 s", "850 ms", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
