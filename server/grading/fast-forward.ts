import type { SessionUser } from "../auth/principal";
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import { forCgroup } from "../labs/cgroup-variants";
import type { LabCatalogService } from "../labs/service";
import { orderByNeeds } from "../labs/tasks";
import type { SessionService, SessionView } from "../sessions/service";
import { probeCgroupVersion } from "./lab-test";
import type { GradingService } from "./service";

/** What a fast-forward did. */
export interface FastForwardResult {
  /** The session the learner continues in (on the fresh node). */
  session: SessionView;
  /** Tasks whose reference solutions ran, in order. */
  applied: string[];
  /** Of those, the ones that passed this way (marked assisted); tasks the learner had passed keep their own pass. */
  assisted: string[];
}

export interface FastForwardDeps {
  prisma: PrismaClient;
  labs: LabCatalogService;
  sessions: SessionService;
  grading: GradingService;
  /** How long to wait for the fresh node (a warm one is there at once; a cold start takes seconds). */
  readyTimeoutMs?: number;
}

/** Each reference solution may run this long, as in `labs test`. */
const SOLUTION_TIMEOUT_MS = 120_000;

/**
 * Catching up. A learner stuck on a task asks to have the reference
 * solutions of every task before it (in `needs` order) applied for them, on
 * a fresh node, the same replay `labs test` does, so they can work on the
 * task itself. Tasks passed this way are marked assisted (TaskResult.assisted)
 * in the checklist, the dashboard, exports and the API; tasks they had
 * passed already keep their own pass. Instructors turn it off per cohort
 * (Cohort.allowFastForward).
 */
export class FastForwardService {
  constructor(private readonly deps: FastForwardDeps) {}

  async run(user: SessionUser, sessionId: string, taskId: string): Promise<FastForwardResult> {
    const { sessions, prisma } = this.deps;
    const session = await sessions.get(user, sessionId); // NOT_FOUND unless the caller may see it
    if (session.userId !== user.id) throw new DomainError("FORBIDDEN", "Only the learner who started this lab can fast-forward it.");
    if (session.state !== "ready") {
      throw new DomainError("CONFLICT", "Only a running lab can be fast-forwarded. Wait until your node is ready, or start the lab again.", `state ${session.state}`);
    }
    const lab = await this.deps.labs.forSession({ labSlug: session.labSlug, labVersionId: session.labVersionId });
    const ordered = orderByNeeds(lab.tasks);
    const at = ordered.findIndex((t) => t.id === taskId);
    if (at < 0) throw new DomainError("NOT_FOUND", `This lab has no task "${taskId}".`);
    if (at === 0) throw new DomainError("CONFLICT", `"${ordered[0]!.title}" is the lab's first task: there is nothing before it to fast-forward.`);
    const forbidding = await prisma.cohortMember.findFirst({
      where: { userId: user.id, cohort: { archivedAt: null, allowFastForward: false, labs: { some: { lab: { slug: lab.slug } } } } },
      select: { cohort: { select: { name: true } } },
    });
    if (forbidding) throw new DomainError("FORBIDDEN", `Your instructor turned fast-forward off for this lab in "${forbidding.cohort.name}".`);
    const before = ordered.slice(0, at);

    // 1. A fresh node, the learner's progress carried over (their passes stay theirs).
    const target = ordered[at]!;
    const fresh = await sessions.reset(
      user,
      sessionId,
      `You fast-forwarded to "${target.title}": a fresh node replaced this one, with the reference solutions of the ${before.length} task(s) before it applied.`,
    );
    const ready = await this.waitReady(user, fresh.id);
    const { provider, sandboxId } = await sessions.sandboxOf(user, ready.id);
    const version = await probeCgroupVersion(provider, sandboxId);

    // 2. Tasks not passed yet are marked assisted before anything can pass them.
    const carried = await prisma.taskResult.findMany({ where: { sessionId: ready.id, status: "passed" }, select: { taskId: true } });
    const passedAlready = new Set(carried.map((r) => r.taskId));
    const toAssist = before.filter((t) => !passedAlready.has(t.id)).map((t) => t.id);
    for (const id of toAssist) {
      await prisma.taskResult.upsert({
        where: { sessionId_taskId: { sessionId: ready.id, taskId: id } },
        create: { sessionId: ready.id, taskId: id, status: "pending", assisted: true },
        update: { assisted: true },
      });
    }

    // 3. The reference solutions, in order; then one evaluation.
    try {
      for (const task of before) {
        const r = await provider.exec(sandboxId, ["/bin/bash", "-c", forCgroup(task.solution, version)], { timeoutMs: SOLUTION_TIMEOUT_MS });
        if (r.exitCode !== 0) {
          const said = (r.stderr || r.stdout).trim().slice(0, 300);
          throw new DomainError(
            "CONFLICT",
            `The reference solution of "${task.title}" failed on your fresh node (exit ${r.exitCode ?? "none"}${r.timedOut ? ", timed out" : ""}); the tasks before it were applied. Carry on from there, or ask your instructor.`,
            said,
          );
        }
      }
      await this.deps.grading.evaluate(user, ready.id, "fast-forward");
    } finally {
      // Whatever did not pass is not assisted (it is simply not done).
      await prisma.taskResult.updateMany({ where: { sessionId: ready.id, taskId: { in: toAssist }, status: { not: "passed" } }, data: { assisted: false } });
    }
    const marked = await prisma.taskResult.findMany({ where: { sessionId: ready.id, taskId: { in: toAssist }, status: "passed" }, select: { taskId: true } });
    return { session: await sessions.get(user, ready.id), applied: before.map((t) => t.id), assisted: toAssist.filter((id) => marked.some((m) => m.taskId === id)) };
  }

  /** The fresh session once its node is ready; its failure reason otherwise. */
  private async waitReady(user: SessionUser, id: string): Promise<SessionView> {
    const abort = new AbortController();
    const timeoutMs = this.deps.readyTimeoutMs ?? 180_000;
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      for await (const view of this.deps.sessions.watch(user, id, abort.signal)) {
        if (view.state === "ready") return view;
        if (view.state === "ended" || view.state === "failed" || view.state === "ending") {
          throw new DomainError("CONFLICT", `Your fresh node did not start${view.reason ? `: ${view.reason}` : "."} Nothing was applied.`);
        }
      }
    } finally {
      clearTimeout(timer);
    }
    throw new DomainError("CONFLICT", `Your fresh node was not ready within ${Math.round(timeoutMs / 1000)} s; it will be when it can. Nothing was applied: try again once it is.`);
  }
}
