import type { PrismaClient } from "../generated/prisma/client";
import { isTerminal, type SessionState } from "../sessions/lifecycle";
import type { LabCatalogService } from "./service";

/** Where a learner stands in one lab, for the catalog's cards. */
export interface LabProgress {
  slug: string;
  /** Tasks of the lab passed in at least one of the learner's sessions. */
  passed: number;
  /** Tasks the lab has now. */
  total: number;
  /** "completed" once every task has passed; "in-progress" once started. */
  status: "in-progress" | "completed";
  /** The learner's live session of this lab, if one is open. */
  liveSessionId: string | null;
}

/** One of the learner's lab sessions, for their profile's history. */
export interface SessionHistoryItem {
  id: string;
  labSlug: string;
  labTitle: string;
  state: SessionState;
  reason: string | null;
  startedAt: Date;
  endedAt: Date | null;
  passed: number;
  /** Tasks the lab has now; null when the lab is no longer in the catalog. */
  total: number | null;
}

/** What summarizeLabProgress needs of each session. */
export interface SessionTasks {
  id: string;
  state: SessionState;
  passedTaskIds: string[];
}

/**
 * Progress in one lab across all of a learner's sessions of it.
 *
 * Passed tasks are the UNION over sessions, not the best single session: a
 * task passed once stays passed (the same rule grading applies inside one
 * session), so starting a lab again, or a sandbox that expired, never takes
 * credit away. A reset copies passed tasks into the new session; the union
 * counts each task once, so that copy is not counted twice. Task ids the lab
 * no longer has are ignored, so an edited lab never shows 3 of 2.
 */
export function summarizeLabProgress(slug: string, taskIds: readonly string[], sessions: readonly SessionTasks[]): LabProgress {
  const current = new Set(taskIds);
  const passed = new Set(sessions.flatMap((s) => s.passedTaskIds).filter((id) => current.has(id)));
  const live = sessions.find((s) => !isTerminal(s.state));
  return {
    slug,
    passed: passed.size,
    total: current.size,
    // A lab without tasks cannot be completed by checks; started is all we know.
    status: current.size > 0 && passed.size === current.size ? "completed" : "in-progress",
    liveSessionId: live?.id ?? null,
  };
}

/** Task ids of a lab, or null when the lab is no longer in the catalog. */
async function taskIdsOf(labs: LabCatalogService, slug: string): Promise<string[] | null> {
  try {
    return (await labs.get(slug)).tasks.map((t) => t.id);
  } catch {
    return null; // archived or invalid now: its old sessions still show in the history
  }
}

/**
 * The learner's progress in every catalog lab they have started (labs never
 * started are left out: the catalog shows nothing for them).
 */
export async function labProgressFor(prisma: PrismaClient, labs: LabCatalogService, userId: string): Promise<LabProgress[]> {
  const rows = await prisma.labSession.findMany({
    where: { userId },
    select: { id: true, state: true, lab: { select: { slug: true } }, taskResults: { where: { status: "passed" }, select: { taskId: true } } },
    orderBy: { createdAt: "desc" },
  });
  const bySlug = new Map<string, SessionTasks[]>();
  for (const r of rows) {
    const list = bySlug.get(r.lab.slug) ?? [];
    list.push({ id: r.id, state: r.state, passedTaskIds: r.taskResults.map((t) => t.taskId) });
    bySlug.set(r.lab.slug, list);
  }
  const out: LabProgress[] = [];
  for (const [slug, sessions] of bySlug) {
    const taskIds = await taskIdsOf(labs, slug);
    if (taskIds) out.push(summarizeLabProgress(slug, taskIds, sessions));
  }
  return out;
}

/** The learner's lab sessions, newest first, with tasks passed in each. */
export async function sessionHistoryFor(prisma: PrismaClient, labs: LabCatalogService, userId: string, limit = 100): Promise<SessionHistoryItem[]> {
  const rows = await prisma.labSession.findMany({
    where: { userId },
    select: {
      id: true,
      state: true,
      stateReason: true,
      createdAt: true,
      endedAt: true,
      lab: { select: { slug: true, title: true } },
      taskResults: { where: { status: "passed" }, select: { taskId: true } },
    },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  const tasksBySlug = new Map<string, string[] | null>();
  for (const slug of new Set(rows.map((r) => r.lab.slug))) tasksBySlug.set(slug, await taskIdsOf(labs, slug));
  return rows.map((r) => {
    const taskIds = tasksBySlug.get(r.lab.slug) ?? null;
    const passed = taskIds ? r.taskResults.filter((t) => taskIds.includes(t.taskId)).length : r.taskResults.length;
    return {
      id: r.id,
      labSlug: r.lab.slug,
      labTitle: r.lab.title,
      state: r.state,
      reason: r.stateReason,
      startedAt: r.createdAt,
      endedAt: r.endedAt,
      passed,
      total: taskIds?.length ?? null,
    };
  });
}
