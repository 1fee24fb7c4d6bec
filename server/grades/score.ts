import type { GradedTask, LabCell, TaskCell } from "./types";

/**
 * Pure scoring: merges one learner's sessions of one lab into a LabCell and
 * adds cells up. No database here, so every rule is unit-tested with plain
 * objects (score.test.ts).
 */

/** One stored task result (a TaskResult row), as scoring needs it. */
export interface TaskResultLike {
  taskId: string;
  status: "pending" | "passed" | "failed";
  message: string | null;
  attempts: number;
  hintsRevealed: number;
  passedAt: Date | null;
  updatedAt: Date;
  /** Passed by a fast-forward, not by the learner's own work. */
  assisted: boolean;
}

/** The TaskResult columns scoring reads: a Prisma `select` for every query that feeds labCell. */
export const TASK_RESULT_SELECT = { taskId: true, status: true, message: true, attempts: true, hintsRevealed: true, passedAt: true, updatedAt: true, assisted: true } as const;

/** One lab session of the learner with its task results. */
export interface SessionLike {
  id: string;
  state: NonNullable<LabCell["state"]>;
  createdAt: Date;
  taskResults: TaskResultLike[];
}

/** points / maxPoints in 0..1; a lab (or cohort) with nothing to earn counts as fully done. */
export function scoreOf(points: number, maxPoints: number): number {
  return maxPoints > 0 ? points / maxPoints : 1;
}

/**
 * How a cohort counts work: passes before `joinedAt` are marked
 * "before joining", and earn points only if `includeBeforeJoining`.
 * Without a rule (a session report, a webhook) every pass counts unmarked.
 */
export interface CountingRule {
  joinedAt: Date;
  includeBeforeJoining: boolean;
}

/**
 * Merges a task's rows from several sessions (a learner may reset or restart
 * a lab): passed if passed in any session, with the earliest passedAt (when
 * the cohort excludes work before joining, the earliest pass after joining
 * if there is one); the most hints opened in any one session (a reset
 * carries them over, so they are not added); attempts added up; the message
 * the learner saw last; assisted when every pass was a fast-forward's.
 */
export function mergeTaskRows(rows: TaskResultLike[], rule?: CountingRule): TaskCell {
  if (!rows.length) return { status: "pending", passedAt: null, beforeJoining: false, assisted: false, hintsRevealed: 0, attempts: 0, message: null };
  const passed = rows.filter((r) => r.status === "passed" && r.passedAt);
  const earliest = (list: TaskResultLike[]) => list.reduce<TaskResultLike | undefined>((a, r) => (!a || r.passedAt! < a.passedAt! ? r : a), undefined);
  const sinceJoining = rule && !rule.includeBeforeJoining ? earliest(passed.filter((r) => r.passedAt! >= rule.joinedAt)) : undefined;
  const firstPass = sinceJoining ?? earliest(passed);
  const latest = rows.reduce((a, r) => (r.updatedAt > a.updatedAt ? r : a));
  return {
    status: firstPass ? "passed" : latest.status,
    passedAt: firstPass?.passedAt ?? null,
    beforeJoining: !!(rule && firstPass && firstPass.passedAt! < rule.joinedAt),
    // Assisted only if no session passed it by the learner's own work.
    assisted: !!firstPass && passed.every((r) => r.assisted),
    hintsRevealed: Math.max(...rows.map((r) => r.hintsRevealed)),
    attempts: rows.reduce((n, r) => n + r.attempts, 0),
    // Once passed, the passing check's sentence is the one that matters; a
    // later session's "not yet" would contradict the status beside it.
    message: (firstPass ?? latest).message,
  };
}

/** A lab the learner never started: every task not started, no points. */
export function emptyLabCell(tasks: GradedTask[]): LabCell {
  return labCell(tasks, []);
}

/**
 * One learner's standing on one lab from all their sessions of it. Results
 * of tasks the lab no longer declares are ignored (they earn nothing). With
 * a cohort's rule, passes before joining are marked, and earn points (and
 * complete the lab) only when the cohort includes them.
 */
export function labCell(tasks: GradedTask[], sessions: SessionLike[], rule?: CountingRule): LabCell {
  const ordered = [...sessions].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const first = ordered[0];
  const last = ordered.at(-1);
  const cells: Record<string, TaskCell> = {};
  const counts = (cell: TaskCell) => cell.status === "passed" && (!cell.beforeJoining || !rule || rule.includeBeforeJoining);
  let points = 0;
  let pointsBeforeJoining = 0;
  let hintsUsed = 0;
  for (const task of tasks) {
    const cell: TaskCell = first
      ? mergeTaskRows(
          ordered.flatMap((s) => s.taskResults.filter((r) => r.taskId === task.id)),
          rule,
        )
      : { status: "not-started", passedAt: null, beforeJoining: false, assisted: false, hintsRevealed: 0, attempts: 0, message: null };
    cells[task.id] = cell;
    if (counts(cell)) points += task.points;
    if (cell.status === "passed" && cell.beforeJoining) pointsBeforeJoining += task.points;
    hintsUsed += cell.hintsRevealed;
  }
  const maxPoints = tasks.reduce((n, t) => n + t.points, 0);
  // Complete when every task has passed (and counts): at the moment the last one did.
  const passedAts = tasks.map((t) => (counts(cells[t.id]!) ? cells[t.id]!.passedAt : null));
  const completedAt = tasks.length && passedAts.every((d): d is Date => d !== null) ? new Date(Math.max(...passedAts.map((d) => d.getTime()))) : null;
  const startedAt = first?.createdAt ?? null;
  return {
    sessionId: last?.id ?? null,
    state: last?.state ?? null,
    startedAt,
    completedAt,
    timeToCompleteMs: completedAt && startedAt ? Math.max(0, completedAt.getTime() - startedAt.getTime()) : null,
    tasks: cells,
    points,
    maxPoints,
    score: scoreOf(points, maxPoints),
    hintsUsed,
    pointsBeforeJoining,
  };
}

/** A learner's totals over the cohort's labs. */
export function totals(cells: Pick<LabCell, "points" | "maxPoints">[]): { points: number; maxPoints: number; score: number } {
  const points = cells.reduce((n, c) => n + c.points, 0);
  const maxPoints = cells.reduce((n, c) => n + c.maxPoints, 0);
  return { points, maxPoints, score: scoreOf(points, maxPoints) };
}
