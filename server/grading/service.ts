import { EventEmitter, on } from "node:events";
import { evaluateCheck } from "../checks/evaluate";
import { openHostView } from "../checks/host-view";
import { canWatchSession } from "../auth/access";
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import { forCgroup } from "../labs/cgroup-variants";
import type { LabCatalogService, LabVersionRef } from "../labs/service";
import { withLogContext } from "../observability/log-context";
import { recordGradingRun, timeCheckEvaluation } from "../observability/metrics";
import type { SessionService } from "../sessions/service";
import { isSystem, SYSTEM, type Principal, type SessionUser } from "../auth/principal";
import { evaluateTasks } from "./runner";
import { DEFAULT_NODE_EVENT_CONFIG, NodeEventTriggers, type NodeEventConfig } from "./node-events";
import { EvaluationScheduler, type EvaluationCause, type SchedulerConfig, type SchedulerStats } from "./scheduler";

/** A task's state as the learner's checklist shows it. */
export interface TaskView {
  taskId: string;
  title: string;
  points: number;
  status: "pending" | "passed" | "failed" | "locked";
  message: string | null;
  passedAt: Date | null;
  /** Passed by a fast-forward (the reference solution applied), not by the learner. */
  assisted: boolean;
  attempts: number;
  /** Number of hints this lab offers for the task. */
  hintCount: number;
  /** The hints the learner has opened so far, in order. */
  hints: string[];
}

/** When evaluations run (server/grading/scheduler.ts), and when a learner counts as idle. */
export interface GradingConfig extends SchedulerConfig {
  /** A learner with no activity this long is idle: the safety poll slows to idleSafetyPollMs. */
  idleAfterMs: number;
  /** Following containerd's events in the nodes of learners at work (node-events.ts); false: commands and the poll only. */
  nodeEvents: NodeEventConfig | false;
}

/** What made an evaluation happen (recorded with each change in the task history). */
export type EvaluationTrigger = EvaluationCause;

/**
 * A change of a session's results, for listeners beyond the session's own
 * page: the instructor dashboard (any change) and webhooks (task.passed,
 * lab.completed). Emitted after the change is stored.
 */
export type GradingEvent =
  | { type: "task.changed"; sessionId: string; userId: string; labSlug: string; taskId: string; status: "pending" | "passed" | "failed"; at: Date }
  | { type: "task.passed"; sessionId: string; userId: string; labSlug: string; taskId: string; at: Date }
  | { type: "lab.completed"; sessionId: string; userId: string; labSlug: string; at: Date };

const GRADING_EVENT = "grading-event";

export const DEFAULT_GRADING_CONFIG: GradingConfig = {
  // The terminal already waits for a command's prompt; this only gathers
  // triggers that arrive together (several terminals, a paste of commands).
  debounceMs: 50,
  maxDelayMs: 1_000,
  // At most 4 runs a second per session, whatever a learner's loop prints.
  minIntervalMs: 250,
  concurrency: 4,
  safetyPollMs: 30_000,
  idleSafetyPollMs: 120_000,
  idleAfterMs: 2 * 60_000,
  nodeEvents: DEFAULT_NODE_EVENT_CONFIG,
};

/**
 * Grades lab sessions: evaluates tasks against the learner's sandbox, stores
 * the latest result per task (a passed task stays passed), and pushes changes
 * to watchers (the lab page, over SSE). Tasks tick by themselves: a command
 * finishing in the learner's terminal asks for an evaluation
 * (requestEvaluation), and a slow safety poll covers changes made any other
 * way; the scheduler debounces, coalesces and rate-bounds them per session.
 */
export class GradingService {
  private readonly events = new EventEmitter();
  private readonly scheduler: EvaluationScheduler;
  private readonly nodeEvents: NodeEventTriggers | null;
  /** Reasons the host view was unavailable, already logged. */
  private readonly hostViewNotes = new Set<string>();

  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      labs: LabCatalogService;
      sessions: SessionService;
      config?: Partial<GradingConfig>;
      log?: (msg: string) => void;
    },
  ) {
    this.events.setMaxListeners(0);
    const config = { ...DEFAULT_GRADING_CONFIG, ...deps.config };
    this.scheduler = new EvaluationScheduler(
      {
        // Lines logged while grading carry the session's id.
        run: (sessionId, cause) => {
          recordGradingRun(cause);
          return withLogContext({ sessionId }, () => this.runSession(sessionId, cause));
        },
        readySessions: async () => {
          const now = Date.now();
          const ready = await deps.prisma.labSession.findMany({ where: { state: "ready" }, select: { id: true, lastActivityAt: true } });
          return ready.map((s) => ({ id: s.id, idle: now - s.lastActivityAt.getTime() > config.idleAfterMs }));
        },
        log: deps.log,
      },
      config,
    );
    this.nodeEvents = config.nodeEvents
      ? new NodeEventTriggers(
          {
            locate: (sessionId) => deps.sessions.sandboxOf(SYSTEM, sessionId),
            request: (sessionId) => this.scheduler.trigger(sessionId, "node-event"),
            isComplete: (sessionId) => this.scheduler.isComplete(sessionId),
            log: deps.log,
          },
          config.nodeEvents,
        )
      : null;
  }

  /** Starts the safety poll (sessions seen for the first time are evaluated at once). */
  boot(): void {
    this.scheduler.startSafetyPoll();
  }

  /** Stops the poll and pending runs; resolves when runs in progress have finished. */
  async shutdown(): Promise<void> {
    await Promise.all([this.scheduler.stop(), this.nodeEvents?.stop()]);
  }

  /**
   * Asks for an evaluation of the session's pending tasks soon, without
   * waiting for it (a command finished in its terminal). Bursts are
   * debounced and rate-bounded per session; a failure is logged. A command
   * also starts (or prolongs) following containerd's events in the node,
   * so what the command set going is noticed when it happens later.
   */
  requestEvaluation(sessionId: string, cause: EvaluationCause): void {
    this.scheduler.trigger(sessionId, cause);
    if (cause === "command") this.nodeEvents?.activity(sessionId);
  }

  /** Nodes whose containerd events are followed now, and what they did (benchmarks, tests). */
  nodeEventStats(): ReturnType<NodeEventTriggers["stats"]> | null {
    return this.nodeEvents?.stats() ?? null;
  }

  /** Evaluations requested and performed since start, by cause (benchmarks, tests). */
  evaluationStats(): SchedulerStats {
    return this.scheduler.stats();
  }

  /** The checklist of a session, for whoever may watch it (its learner, admins, its cohort's instructors). */
  async results(user: SessionUser, sessionId: string): Promise<TaskView[]> {
    const session = await this.deps.sessions.get(user, sessionId);
    return this.view(sessionId, { labSlug: session.labSlug, labVersionId: session.labVersionId }, session.cgroupVersion);
  }

  /**
   * The checklist. Hints that name cgroup files are shown for the learner's
   * own node: callers that just read the session pass its cgroup version;
   * without it (a long-lived watch, where the node may come later) it is read.
   */
  private async view(sessionId: string, ref: LabVersionRef, cgroupVersion?: number | null): Promise<TaskView[]> {
    const lab = await this.deps.labs.forSession(ref);
    const known = cgroupVersion !== undefined ? cgroupVersion : (await this.deps.prisma.labSession.findUnique({ where: { id: sessionId }, select: { cgroupVersion: true } }))?.cgroupVersion;
    const version = known === 1 || known === 2 ? known : null;
    const rows = new Map((await this.deps.prisma.taskResult.findMany({ where: { sessionId } })).map((r) => [r.taskId, r]));
    const passed = new Set([...rows.values()].filter((r) => r.status === "passed").map((r) => r.taskId));
    return lab.tasks.map((t) => {
      const r = rows.get(t.id);
      const locked = r?.status !== "passed" && t.needs.some((n) => !passed.has(n));
      return {
        taskId: t.id,
        title: t.title,
        points: t.points,
        status: locked ? "locked" : (r?.status ?? "pending"),
        message: locked ? null : (r?.message ?? null),
        passedAt: r?.passedAt ?? null,
        assisted: r?.status === "passed" && r.assisted,
        attempts: r?.attempts ?? 0,
        hintCount: t.hints.length,
        hints: t.hints.slice(0, r?.hintsRevealed ?? 0).map((h) => forCgroup(h, version)),
      };
    });
  }

  /**
   * Evaluates the session's pending tasks now and stores the outcome, for a
   * person or for the platform itself (SYSTEM). Waits for a run that starts
   * after the call (one already running may have looked too early).
   */
  async evaluate(user: Principal, sessionId: string, trigger?: EvaluationTrigger): Promise<TaskView[]> {
    const row = await this.deps.prisma.labSession.findUnique({ where: { id: sessionId }, include: { lab: true } });
    if (!row) throw new DomainError("NOT_FOUND", "That lab session does not exist.");
    // The same rule as every read of a session: the owner, admins, and the
    // learner's own instructors, the platform (server/auth/access.ts).
    if (!(await canWatchSession(this.deps.prisma, user, row))) throw new DomainError("NOT_FOUND", "That lab session does not exist.");
    const ref = { labSlug: row.lab.slug, labVersionId: row.labVersionId };
    const lab = await this.deps.labs.forSession(ref);
    if (!lab.tasks.length) return [];
    // Recorded with each change: the platform, the learner's "Check now", or anyone else (staff, the API).
    const cause: EvaluationTrigger = trigger ?? (isSystem(user) ? "poll" : user.id === row.userId ? "check" : "grade");
    await this.scheduler.request(sessionId, cause, { immediate: true });
    return this.view(sessionId, ref, row.cgroupVersion);
  }

  /** One scheduled run: the session's pending tasks against its node. */
  private async runSession(sessionId: string, trigger: EvaluationTrigger): Promise<{ complete: boolean }> {
    const row = await this.deps.prisma.labSession.findUnique({ where: { id: sessionId }, select: { id: true, userId: true, labVersionId: true, lab: { select: { slug: true } } } });
    if (!row) throw new DomainError("NOT_FOUND", "That lab session does not exist.");
    const lab = await this.deps.labs.forSession({ labSlug: row.lab.slug, labVersionId: row.labVersionId });
    const existing = await this.deps.prisma.taskResult.findMany({ where: { sessionId } });
    const passed = new Set(existing.filter((r) => r.status === "passed").map((r) => r.taskId));
    // A passed task stays passed: with all of them passed there is nothing to look at on the node.
    if (lab.tasks.every((t) => passed.has(t.id))) return { complete: true };
    const { provider, sandboxId } = await this.deps.sessions.sandboxOf(SYSTEM, sessionId);
    const { view, reason } = await openHostView(provider, sandboxId);
    // Operators should know when checks fall back to commands inside the node
    // (not tamper-resistant); once per distinct reason is enough.
    if (reason && !this.hostViewNotes.has(reason) && this.hostViewNotes.size < 20) {
      this.hostViewNotes.add(reason);
      this.deps.log?.(`grading: checks run inside nodes, not from the host: ${reason}`);
    }
    const outcomes = await evaluateTasks(lab.tasks, (check) => timeCheckEvaluation(check.type, () => evaluateCheck(check, { provider, sandboxId, view })), { passed });
    let changed = false;
    const at = new Date();
    const newlyPassed: string[] = [];
    for (const o of outcomes) {
      if (o.status === "locked") continue;
      const before = existing.find((r) => r.taskId === o.taskId);
      const evidence = JSON.parse(
        JSON.stringify({ checks: o.checks.map((c) => ({ passed: c.passed, message: c.message, evidence: c.evidence, tamperResistant: c.tamperResistant, durationMs: c.durationMs })) }),
      );
      // Only a *passing* round may set passed; the where clause keeps a
      // passed row from ever going back to failed.
      await this.deps.prisma.taskResult.upsert({
        where: { sessionId_taskId: { sessionId, taskId: o.taskId } },
        create: { sessionId, taskId: o.taskId, status: o.status, message: o.message, evidence, attempts: 1, durationMs: o.durationMs, passedAt: o.status === "passed" ? new Date() : null },
        update: { status: o.status, message: o.message, evidence, attempts: { increment: 1 }, durationMs: o.durationMs, passedAt: o.status === "passed" ? new Date() : null },
      });
      if (!before || before.status !== o.status || before.message !== o.message) {
        changed = true;
        // The history keeps changes only: a run after every command that sees
        // the same failure again adds nothing an instructor needs.
        await this.deps.prisma.taskEvent.create({ data: { sessionId, taskId: o.taskId, status: o.status, message: o.message, evidence, trigger, createdAt: at } });
        this.emitEvent({ type: "task.changed", sessionId, userId: row.userId, labSlug: lab.slug, taskId: o.taskId, status: o.status, at });
        if (o.status === "passed") newlyPassed.push(o.taskId);
      }
    }
    for (const taskId of newlyPassed) this.emitEvent({ type: "task.passed", sessionId, userId: row.userId, labSlug: lab.slug, taskId, at });
    const complete = lab.tasks.every((t) => passed.has(t.id) || newlyPassed.includes(t.id));
    if (newlyPassed.length && complete) {
      this.emitEvent({ type: "lab.completed", sessionId, userId: row.userId, labSlug: lab.slug, at });
    }
    if (changed) this.events.emit(sessionId);
    return { complete };
  }

  /**
   * Reveals the task's next hint to the session's learner and records it
   * (instructors see how many hints each learner used).
   */
  async revealHint(user: SessionUser, sessionId: string, taskId: string): Promise<TaskView[]> {
    const session = await this.deps.sessions.get(user, sessionId);
    if (session.userId !== user.id) throw new DomainError("FORBIDDEN", "Only the learner doing this lab can open its hints.");
    const lab = await this.deps.labs.forSession({ labSlug: session.labSlug, labVersionId: session.labVersionId });
    const task = lab.tasks.find((t) => t.id === taskId);
    if (!task) throw new DomainError("NOT_FOUND", `This lab has no task "${taskId}".`);
    const row = await this.deps.prisma.taskResult.findUnique({ where: { sessionId_taskId: { sessionId, taskId } } });
    const revealed = row?.hintsRevealed ?? 0;
    if (revealed >= task.hints.length) {
      throw new DomainError("CONFLICT", task.hints.length ? "You have seen every hint for this task." : "This task has no hints.");
    }
    await this.deps.prisma.taskResult.upsert({
      where: { sessionId_taskId: { sessionId, taskId } },
      create: { sessionId, taskId, hintsRevealed: 1 },
      update: { hintsRevealed: { increment: 1 } },
    });
    this.events.emit(sessionId);
    this.emitEvent({ type: "task.changed", sessionId, userId: session.userId, labSlug: session.labSlug, taskId, status: row?.status ?? "pending", at: new Date() });
    return this.view(sessionId, { labSlug: session.labSlug, labVersionId: session.labVersionId }, session.cgroupVersion);
  }

  /**
   * Listens to result changes of every session (dashboard, webhooks).
   * Returns the function that stops listening. Listeners must not throw;
   * errors are logged and swallowed so one consumer cannot break grading.
   */
  onEvent(listener: (event: GradingEvent) => void | Promise<void>): () => void {
    const wrapped = (event: GradingEvent) => {
      try {
        void Promise.resolve(listener(event)).catch((err: unknown) => this.deps.log?.(`grading: event listener failed: ${String(err)}`));
      } catch (err) {
        this.deps.log?.(`grading: event listener failed: ${String(err)}`);
      }
    };
    this.events.on(GRADING_EVENT, wrapped);
    return () => this.events.off(GRADING_EVENT, wrapped);
  }

  private emitEvent(event: GradingEvent): void {
    this.events.emit(GRADING_EVENT, event);
  }

  /** Yields the checklist now and after every change, until aborted or the session ends. */
  async *watch(user: SessionUser, sessionId: string, signal?: AbortSignal): AsyncGenerator<TaskView[]> {
    const session = await this.deps.sessions.get(user, sessionId);
    yield await this.view(sessionId, { labSlug: session.labSlug, labVersionId: session.labVersionId });
    const controller = new AbortController();
    signal?.addEventListener("abort", () => controller.abort());
    try {
      for await (const _ of on(this.events, sessionId, { signal: controller.signal })) {
        yield await this.view(sessionId, { labSlug: session.labSlug, labVersionId: session.labVersionId });
      }
    } catch (err) {
      if ((err as Error).name !== "AbortError") throw err;
    } finally {
      controller.abort();
    }
  }
}
