import { isDomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { GradingService } from "../grading/service";
import type { LabCatalogService } from "../labs/service";
import type { SessionUser } from "../auth/principal";
import { gradedTasks } from "./lab-tasks";
import { labCell } from "./score";
import { loadGradableSession, type GradableSession } from "./session-access";
import type { TaskStatus } from "./types";

/** One change of a task's result, with what the check saw (staff only). */
export interface TaskHistoryEntry {
  status: "pending" | "passed" | "failed";
  message: string | null;
  evidence: unknown;
  /** What caused the evaluation: poll, check (learner asked) or grade (API). */
  trigger: string;
  at: Date;
}

export interface ReportTask {
  id: string;
  title: string;
  points: number;
  /** The cohort results' vocabulary (a session's own tasks are never `not-started`). */
  status: TaskStatus;
  /** Points this task earned: all of them once passed, none before. */
  earned: number;
  message: string | null;
  passedAt: Date | null;
  attempts: number;
  hintsRevealed: number;
  /** Oldest first, from the session's newest HISTORY_LIMIT changes; present for staff only (admins and the cohort's instructor). */
  history?: TaskHistoryEntry[];
}

/** One session's score, as `POST /api/v1/sessions/:id/grade` and `GET /api/v1/sessions/:id` return it. */
export interface SessionReport {
  session: {
    id: string;
    state: string;
    startedAt: Date;
    endedAt: Date | null;
    lab: { slug: string; title: string; archived: boolean };
    learner: { id: string; name: string; email: string };
  };
  tasks: ReportTask[];
  points: number;
  maxPoints: number;
  /** points / maxPoints, 0..1 (1 for a lab without points). */
  score: number;
  /** When the last task passed; null until every task has. */
  completedAt: Date | null;
  hintsUsed: number;
  /** True when the checks ran for this request; false when the stored results are reported (sandbox not running). */
  checkedNow: boolean;
  /** Why the checks did not run, as a sentence; null when they did or were not asked to. */
  note: string | null;
}

/**
 * Check-history entries a report carries at most, over all tasks: the newest
 * ones. A session polled for hours can gather thousands of changes (each
 * with evidence); a grader needs the recent story, not all of it.
 */
export const HISTORY_LIMIT = 200;

export interface ReportDeps {
  prisma: PrismaClient;
  labs: LabCatalogService;
  grading: GradingService;
}

/**
 * Runs every pending check of the session now (waiting for a run already in
 * flight) and returns the score. A session whose sandbox is gone cannot be
 * checked: its stored results are returned with `checkedNow: false` and a
 * note, which is what a grader collecting scores after the lab wants.
 */
export async function gradeSession(deps: ReportDeps, user: SessionUser, sessionId: string): Promise<SessionReport> {
  const row = await loadGradableSession(deps.prisma, user, sessionId);
  let note: string | null = null;
  if (row.state === "ready") {
    try {
      await deps.grading.evaluate(user, sessionId, "grade");
    } catch (err) {
      // The sandbox ended between our read and the run: report what is stored.
      if (!isDomainError(err) || err.code !== "CONFLICT") throw err;
      note = "The session's sandbox stopped while grading; these are the results stored before it did.";
    }
  } else {
    note = `The session is ${row.state}, so its sandbox cannot be checked; these are the results stored while it ran.`;
  }
  return buildReport(deps.prisma, deps.labs, row, { history: isStaff(user, row), checkedNow: note === null, note });
}

/** The session's stored results; with the check history and evidence for staff. */
export async function sessionResults(deps: Pick<ReportDeps, "prisma" | "labs">, user: SessionUser, sessionId: string): Promise<SessionReport> {
  const row = await loadGradableSession(deps.prisma, user, sessionId);
  return buildReport(deps.prisma, deps.labs, row, { history: isStaff(user, row), checkedNow: false, note: null });
}

/** Staff see how a result came about; a learner sees only the results (evidence can give a check away). */
function isStaff(user: SessionUser, row: { userId: string }): boolean {
  return user.role === "admin" || (user.role === "instructor" && row.userId !== user.id);
}

async function buildReport(prisma: PrismaClient, labs: LabCatalogService, row: GradableSession, opts: { history: boolean; checkedNow: boolean; note: string | null }): Promise<SessionReport> {
  const results = await prisma.taskResult.findMany({ where: { sessionId: row.id } });
  const tasks = await gradedTasks(
    labs,
    row.lab,
    results.map((r) => r.taskId),
    row.labVersionId,
  );
  const cell = labCell(tasks.list, [{ id: row.id, state: row.state, createdAt: row.createdAt, taskResults: results }]);
  // The newest HISTORY_LIMIT changes, as the dashboard's drill-down shows; oldest first in the report.
  const events = opts.history ? (await prisma.taskEvent.findMany({ where: { sessionId: row.id }, orderBy: { createdAt: "desc" }, take: HISTORY_LIMIT })).reverse() : [];
  return {
    session: {
      id: row.id,
      state: row.state,
      startedAt: row.createdAt,
      endedAt: row.endedAt,
      lab: { slug: row.lab.slug, title: row.lab.title, archived: tasks.archived },
      learner: row.user,
    },
    tasks: tasks.list.map((t) => {
      const c = cell.tasks[t.id]!;
      const task: ReportTask = {
        id: t.id,
        title: t.title,
        points: t.points,
        status: c.status,
        earned: c.status === "passed" ? t.points : 0,
        message: c.message,
        passedAt: c.passedAt,
        attempts: c.attempts,
        hintsRevealed: c.hintsRevealed,
      };
      if (opts.history) {
        task.history = events.filter((e) => e.taskId === t.id).map((e) => ({ status: e.status, message: e.message, evidence: e.evidence, trigger: e.trigger, at: e.createdAt }));
      }
      return task;
    }),
    points: cell.points,
    maxPoints: cell.maxPoints,
    score: cell.score,
    completedAt: cell.completedAt,
    hintsUsed: cell.hintsUsed,
    checkedNow: opts.checkedNow,
    note: opts.note,
  };
}
