/**
 * Lab sessions: one learner's run of one lab, bound to one sandbox. This is
 * the service the API calls; the work is done by parts with one job each:
 *
 *   store.ts        rows, compare-and-set state moves, change events
 *   scheduler.ts    queue, capacity, warm pools, provisioning
 *   reconciler.ts   engines vs database, host changes, nodes that stop
 *   replacement.ts  a successor with the progress (reset, dead node)
 *   lifecycle.ts    which state may follow which
 *
 * What stays here: who may read or change a session, starting one (one at a
 * time per learner), ending, extending, expiry, and the timers.
 */
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { LabCatalogService } from "../labs/service";
import type { SandboxEnvironment, SandboxProvider } from "../sandbox/provider";
import type { Principal, SessionUser } from "../auth/principal";
import type { SessionConfig } from "./config";
import { canWatchSession } from "../auth/access";
import { LIVE_STATES, type SessionState } from "./lifecycle";
import { BackgroundWork } from "./background";
import type { WarmPool } from "./pool";
import { Reconciler, type ReconcileResult } from "./reconciler";
import { carryAfterFailure, SessionReplacer, type CarriedTaskResult } from "./replacement";
import { SandboxScheduler, type CapacityView } from "./scheduler";
import { SESSION_ROW_INCLUDE, SessionStore, type SessionRow } from "./store";
import { pinnedVersionFor } from "../cohorts/pins";
import { sessionView, type SessionView } from "./view";

export type { CarriedTaskResult } from "./replacement";
export type { SessionView } from "./view";

export interface SessionServiceDeps {
  prisma: PrismaClient;
  labs: LabCatalogService;
  providers: Partial<Record<SandboxEnvironment, SandboxProvider>>;
  config: SessionConfig;
  log?: (msg: string) => void;
}

const LIVE = [...LIVE_STATES] as SessionState[];

export class SessionService {
  private readonly store: SessionStore;
  private readonly scheduler: SandboxScheduler;
  private readonly reconciler: Reconciler;
  private readonly replacer: SessionReplacer<SessionView>;
  /** What runs without a caller waiting: provisioning, engine events, timer passes. */
  private readonly background: BackgroundWork;
  private timers: NodeJS.Timeout[] = [];
  /** Unsubscribes from providers' host changes and node stops. */
  private unsubscribers: (() => void)[] = [];
  /** The latest start() of each learner, so their starts run one after another. */
  private readonly startsByUser = new Map<string, Promise<void>>();

  constructor(private readonly deps: SessionServiceDeps) {
    const log = (msg: string) => this.deps.log?.(`sessions: ${msg}`);
    this.store = new SessionStore(deps.prisma);
    this.background = new BackgroundWork(log);
    this.scheduler = new SandboxScheduler({ store: this.store, providers: deps.providers, config: deps.config, log, background: this.background });
    this.replacer = new SessionReplacer({
      store: this.store,
      finish: (id, reason) => this.finish(id, reason),
      start: (owner, labSlug, carry, labVersionId) => this.start(owner, labSlug, { carry, labVersionId }),
      log,
    });
    this.reconciler = new Reconciler({
      store: this.store,
      scheduler: this.scheduler,
      config: deps.config,
      log,
      finish: (id, reason) => this.finish(id, reason),
      recover: (id, stop) => this.replacer.recover(id, stop),
    });
  }

  private log(msg: string) {
    this.deps.log?.(`sessions: ${msg}`);
  }

  /** The warm pool of each environment that keeps one. */
  get pools(): ReadonlyMap<SandboxEnvironment, WarmPool> {
    return this.scheduler.pools;
  }

  /** Reconciles, fills pools, follows the engines and starts the expiry and reconcile timers. */
  async boot(): Promise<void> {
    await this.scheduler.init();
    for (const [env, provider] of this.scheduler.environments()) {
      const unsubscribe = provider.onHostChange?.((change) => {
        this.background.run(`handling host ${change.host} going ${change.state}`, () => this.reconciler.hostChanged(env, provider, change));
      });
      if (unsubscribe) this.unsubscribers.push(unsubscribe);
      const unfollow = provider.onSandboxStop?.((stop) => {
        this.background.run(`handling the stop of ${stop.sandboxId}`, () => this.reconciler.nodeStopped(env, provider, stop));
      });
      if (unfollow) this.unsubscribers.push(unfollow);
    }
    await this.reconcile({ adopt: true });
    await this.replacer.resumeInterrupted().catch((err: unknown) => this.log(`could not resume interrupted replacements: ${String(err)}`));
    for (const pool of this.scheduler.pools.values()) pool.refill();
    const every = (what: string, ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => this.background.run(what, fn), ms);
      t.unref();
      this.timers.push(t);
    };
    every("the expiry pass", this.deps.config.tickMs, () => this.expire());
    every("the reconcile pass", this.deps.config.reconcileMs, () => this.reconcile({ adopt: false }));
  }

  /**
   * Stops timers and pool refills, then waits (up to `drainMs`) for work in
   * flight: a node being provisioned is bound to its session, a stop being
   * handled is finished, so nothing writes after the database closes.
   * Sandboxes stay: sessions resume after a restart.
   */
  async shutdown(options: { destroyPool?: boolean; drainMs?: number } = {}): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    const draining = this.background.drain(options.drainMs);
    await this.scheduler.stop(options.destroyPool);
    const left = await draining;
    if (left > 0) this.log(`stopped with ${left} background task(s) still running`);
  }

  /** Capacity figures for dashboards and the CLI. */
  capacity(): CapacityView[] {
    return this.scheduler.capacity();
  }

  // ---- reading ---------------------------------------------------------

  private view(row: SessionRow): SessionView {
    const { scheduler } = this;
    return sessionView(row, { queuePosition: scheduler.queuePosition(row.id), progress: scheduler.progressOf(row.id), warmStart: scheduler.wasWarm(row.id) });
  }

  /**
   * Owners see their sessions; admins see any; instructors see those of
   * learners in their cohorts (server/auth/access.ts). Everyone else gets
   * NOT_FOUND, which does not reveal that the session exists.
   */
  private async assertCanRead(user: Principal, row: { userId: string; labId: string }) {
    if (!(await canWatchSession(this.deps.prisma, user, row))) {
      throw new DomainError("NOT_FOUND", "That lab session does not exist.", "session belongs to another user");
    }
  }

  /**
   * Only the owner (or an admin) may change a session. Someone who may not
   * even see it is told it does not exist (its existence and owner stay
   * hidden); a watcher (the learner's instructor) is told why not, with no
   * detail naming anyone.
   */
  private async assertCanChange(user: SessionUser, row: { userId: string; labId: string }) {
    await this.assertCanRead(user, row);
    if (row.userId !== user.id && user.role !== "admin") {
      throw new DomainError("FORBIDDEN", "Only the learner who started this session can change it.");
    }
  }

  async get(user: SessionUser, id: string): Promise<SessionView> {
    const row = await this.store.row(id);
    await this.assertCanRead(user, row);
    return this.view(row);
  }

  /** The caller's live session for a lab, if any. */
  async current(user: SessionUser, labSlug: string): Promise<SessionView | null> {
    const row = await this.deps.prisma.labSession.findFirst({
      where: { userId: user.id, lab: { slug: labSlug }, state: { in: LIVE } },
      include: SESSION_ROW_INCLUDE,
      orderBy: { createdAt: "desc" },
    });
    return row ? this.view(row) : null;
  }

  /**
   * Yields the session now and after every change, until `signal` aborts or
   * the session has finished (and, if it is being replaced, its successor
   * is known).
   */
  async *watch(user: SessionUser, id: string, signal?: AbortSignal): AsyncGenerator<SessionView> {
    const first = await this.get(user, id);
    yield first;
    if (first.state === "ended" || first.state === "failed") return;
    const controller = new AbortController();
    signal?.addEventListener("abort", () => controller.abort());
    try {
      for await (const _ of this.store.changes(id, controller.signal)) {
        const v = this.view(await this.store.row(id));
        yield v;
        if ((v.state === "ended" || v.state === "failed") && !this.replacer.isReplacing(id)) return;
      }
    } catch (err) {
      if ((err as Error).name !== "AbortError") throw err;
    } finally {
      controller.abort();
    }
  }

  /** The provider of an environment, if one is configured (readiness, operators' tools). */
  providerFor(environment: SandboxEnvironment): SandboxProvider | undefined {
    return this.deps.providers[environment];
  }

  /** Calls `listener` with the id of every session that changes (dashboards). Returns the unsubscribe function. */
  onAnyChange(listener: (sessionId: string) => void): () => void {
    return this.store.onAnyChange(listener);
  }

  // ---- state changes -------------------------------------------------------

  /**
   * Starts (or resumes) the caller's session for a lab. `carry` seeds the new
   * session's task results (reset keeps progress this way): they are written
   * with the session row, before it can be ready and graded.
   */
  async start(user: SessionUser, labSlug: string, options: { carry?: CarriedTaskResult[]; labVersionId?: string | null } = {}): Promise<SessionView> {
    // One start per learner at a time: "is one open? how many are live?" and
    // the insert must not interleave (a double click, a double reset), or a
    // learner could end up with two sessions of a lab or past the limit.
    const previous = this.startsByUser.get(user.id) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.startNow(user, labSlug, options));
    const tail = run.then(
      () => {},
      () => {},
    );
    this.startsByUser.set(user.id, tail);
    void tail.then(() => {
      if (this.startsByUser.get(user.id) === tail) this.startsByUser.delete(user.id);
    });
    return run;
  }

  private async startNow(user: SessionUser, labSlug: string, { carry = [], labVersionId }: { carry?: CarriedTaskResult[]; labVersionId?: string | null }): Promise<SessionView> {
    const existing = await this.current(user, labSlug);
    if (existing) return existing;
    // Starting again after the platform failed the last session (no node, or
    // no fresh node after one died) continues it: nothing passed is lost.
    if (!carry.length && !labVersionId) {
      const after = await carryAfterFailure(this.deps.prisma, user.id, labSlug);
      if (after) ({ carry, labVersionId } = after);
    }

    // The lab text this session will run: its predecessor's (a replacement),
    // else the version the learner's cohort pinned, else the current one.
    const versionId = labVersionId ?? (await pinnedVersionFor(this.deps.prisma, user.id, labSlug)) ?? (await this.deps.labs.currentVersionId(labSlug));
    const lab = await this.deps.labs.get(labSlug, versionId);
    const provider = this.deps.providers[lab.environment];
    if (!provider) {
      throw new DomainError(
        "UNAVAILABLE",
        lab.environment === "cluster"
          ? "This lab needs a Kubernetes cluster, and this server is not set up to create kind clusters."
          : "This server cannot create sandboxes right now (no Docker provider is configured).",
        `no provider for environment ${lab.environment}`,
      );
    }
    const active = await this.deps.prisma.labSession.count({ where: { userId: user.id, state: { in: LIVE } } });
    if (active >= this.deps.config.maxActivePerUser) {
      throw new DomainError("CAPACITY", `You already have ${active} labs open. End one of them before starting another.`, `maxActivePerUser=${this.deps.config.maxActivePerUser}`);
    }
    const labRow = await this.deps.prisma.lab.findUniqueOrThrow({ where: { slug: labSlug } });
    const row = await this.deps.prisma.labSession.create({
      data: {
        userId: user.id,
        labId: labRow.id,
        labVersionId: versionId,
        environment: lab.environment,
        state: "requested",
        ...(carry.length > 0 ? { taskResults: { create: carry } } : {}),
      },
      include: SESSION_ROW_INCLUDE,
    });
    this.scheduler.enqueue(row.id, lab.environment);
    await this.scheduler.pump();
    return this.view(await this.store.row(row.id));
  }

  /** Adds time to a ready session, up to the maximum lifetime. */
  async extend(user: SessionUser, id: string): Promise<SessionView> {
    const row = await this.store.row(id);
    await this.assertCanChange(user, row);
    if (row.state !== "ready" || !row.expiresAt) {
      throw new DomainError("CONFLICT", "Only a running lab can be extended.", `state ${row.state}`);
    }
    const cap = row.createdAt.getTime() + this.deps.config.maxLifetimeMs;
    const next = Math.min(row.expiresAt.getTime() + this.deps.config.extendMs, cap);
    if (next <= row.expiresAt.getTime()) {
      throw new DomainError("CONFLICT", `This lab has reached its maximum length of ${Math.round(this.deps.config.maxLifetimeMs / 3_600_000)} hours and cannot be extended further.`);
    }
    await this.deps.prisma.labSession.update({ where: { id }, data: { expiresAt: new Date(next), lastActivityAt: new Date() } });
    this.store.changed(id);
    return this.view(await this.store.row(id));
  }

  /** Records activity so the idle timeout starts over. */
  async touch(id: string): Promise<void> {
    await this.deps.prisma.labSession.updateMany({ where: { id, state: "ready" }, data: { lastActivityAt: new Date() } });
  }

  /** Ends a session at the learner's request. */
  async end(user: SessionUser, id: string): Promise<SessionView> {
    const row = await this.store.row(id);
    await this.assertCanChange(user, row);
    await this.finish(id, "You ended this lab.");
    return this.view(await this.store.row(id));
  }

  /**
   * Replaces the learner's sandbox with a fresh one, keeping their progress.
   * The lifecycle only moves forward, so a reset is "end, then start again":
   * this session ends (its sandbox is destroyed) and a new session of the
   * same lab starts, seeded with the passed tasks and opened hints of this
   * one. Only the session's own learner may reset it. If no sandbox can be
   * had right now, the new session queues like any other start.
   */
  async reset(user: SessionUser, id: string, reason = "You reset your sandbox: a fresh node replaced this one, and your progress was kept."): Promise<SessionView> {
    const session = await this.get(user, id); // NOT_FOUND for learners who may not see it
    if (session.userId !== user.id) {
      throw new DomainError("FORBIDDEN", "Only the learner who started this lab can reset its sandbox.");
    }
    if (session.state !== "ready") {
      throw new DomainError("CONFLICT", "Only a running lab can be reset. Wait until your node is ready, or start the lab again.", `state ${session.state}`);
    }
    return this.replacer.replace(user, id, session.labSlug, reason);
  }

  /**
   * Ends a session from any live state: leaves the queue, destroys the
   * sandbox, records the reason. Safe to call twice.
   */
  async finish(id: string, reason: string): Promise<void> {
    const row = await this.store.row(id);
    this.scheduler.dequeue(id);
    if (row.state === "ended" || row.state === "failed") return;
    if (row.state !== "ending" && !(await this.store.move(id, row.state, "ending", { reason }))) return this.finish(id, reason);
    // A session still provisioning is finished by the scheduler once the node exists.
    if (row.state === "provisioning" || this.scheduler.isProvisioning(id)) return;
    const provider = this.deps.providers[row.environment];
    if (row.sandboxId && provider) await this.scheduler.release(row.sandboxId, provider);
    await this.store.move(id, "ending", "ended");
    this.background.run("serving the queue", () => this.scheduler.afterCapacityFreed(row.environment));
  }

  /** Ends sessions past their expiry or idle for too long. */
  async expire(now = new Date()): Promise<number> {
    const idleSince = new Date(now.getTime() - this.deps.config.idleMs);
    const due = await this.deps.prisma.labSession.findMany({
      where: { state: "ready", OR: [{ expiresAt: { lte: now } }, { lastActivityAt: { lte: idleSince } }] },
    });
    for (const s of due) {
      const expired = s.expiresAt && s.expiresAt <= now;
      await this.finish(
        s.id,
        expired
          ? "Your lab's time ran out and its sandbox was removed. Start it again for a fresh node."
          : `Your lab was idle for ${Math.round(this.deps.config.idleMs / 60_000)} minutes and its sandbox was removed. Start it again for a fresh node.`,
      );
    }
    return due.length;
  }

  /** Makes the engines and the database agree (server/sessions/reconciler.ts). */
  reconcile(options: { adopt: boolean }): Promise<ReconcileResult> {
    return this.reconciler.reconcile(options);
  }

  /** Sandboxes of ready sessions with their providers (the terminal gateway ends old shells in them at start). */
  async readySandboxes(): Promise<{ sessionId: string; provider: SandboxProvider; sandboxId: string }[]> {
    const rows = await this.deps.prisma.labSession.findMany({ where: { state: "ready", sandboxId: { not: null } }, select: { id: true, environment: true, sandboxId: true } });
    return rows.flatMap((r) => {
      const provider = this.deps.providers[r.environment];
      return provider && r.sandboxId ? [{ sessionId: r.id, provider, sandboxId: r.sandboxId }] : [];
    });
  }

  /** Where a session's sandbox is, for terminals and checks. Whoever may watch the session (canWatchSession). */
  async sandboxOf(user: Principal, id: string): Promise<{ provider: SandboxProvider; sandboxId: string }> {
    const row = await this.store.row(id);
    await this.assertCanRead(user, row);
    const provider = this.deps.providers[row.environment];
    if (row.state !== "ready" || !row.sandboxId || !provider) {
      throw new DomainError("CONFLICT", "This lab's sandbox is not running.", `state ${row.state}`);
    }
    return { provider, sandboxId: row.sandboxId };
  }
}
