import { EventEmitter, on } from "node:events";
import { DomainError, isDomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { LabCatalogService } from "../labs/service";
import type { HostChange, ProvisionProgress, Sandbox, SandboxEnvironment, SandboxProvider, SandboxStop } from "../sandbox/provider";
import type { Principal, SessionUser } from "../auth/principal";
import type { SessionConfig } from "./config";
import { canWatchSession } from "../auth/access";
import { canTransition, LIVE_STATES, transition, type SessionState } from "./lifecycle";
import { WarmPool } from "./pool";
import { withLogContext } from "../observability/log-context";
import { recordPoolClaim, timeProvisioning } from "../observability/metrics";

/** A session as learners and the API see it. */
export interface SessionView {
  id: string;
  labSlug: string;
  userId: string;
  state: SessionState;
  /** Why it ended or failed, in a sentence. */
  reason: string | null;
  environment: SandboxEnvironment;
  sandboxId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  /** 1-based place in the queue while waiting for capacity; null otherwise. */
  queuePosition: number | null;
  /** Provisioning steps so far (this process only). */
  progress: ProvisionProgress[];
  /** True when the node came from the warm pool. */
  warmStart: boolean;
  /** The cgroup version of the learner's node, once it has one (the lab text shows that version's paths). */
  cgroupVersion: 1 | 2 | null;
  /** The session that replaced this one (a reset, or a fresh node after this one's died); pages follow it. */
  replacedBy: string | null;
}

export interface SessionServiceDeps {
  prisma: PrismaClient;
  labs: LabCatalogService;
  providers: Partial<Record<SandboxEnvironment, SandboxProvider>>;
  config: SessionConfig;
  log?: (msg: string) => void;
}

const LIVE = [...LIVE_STATES] as SessionState[];

/** A task result moved into a new session by reset(); passed tasks keep their time. */
export interface CarriedTaskResult {
  taskId: string;
  status: "passed" | "pending";
  passedAt: Date | null;
  message: string | null;
  hintsRevealed: number;
}

/** Event name for "some session changed" (session ids are cuids, so no clash). */
const ANY_SESSION = "*";

/** Why a session ended when the Docker host holding its sandbox was lost. */
export function hostLostReason(host: string): string {
  return `The Docker host "${host}" stopped answering, so your sandbox is gone. Start the lab again for a fresh node.`;
}

/** What happened to a node, in words a learner can read ("killed, exit code 137"). */
export function describeStop(stop: SandboxStop): string {
  if (stop.kind === "removed") return "its container was removed";
  if (stop.oomKilled) return `out of memory, exit code ${stop.exitCode ?? "unknown"}`;
  if (stop.exitCode === 137) return "killed, exit code 137";
  if (stop.exitCode === undefined) return "it is no longer running";
  return `exit code ${stop.exitCode}`;
}

/** Converts anything thrown by a provider into a sentence-bearing DomainError. */
function asDomainError(err: unknown, fallback: string): DomainError {
  if (isDomainError(err)) return err;
  const e = err as { code?: string; message?: string; detail?: string };
  const code = e?.code === "CAPACITY" ? "CAPACITY" : e?.code === "NOT_FOUND" ? "NOT_FOUND" : "UNAVAILABLE";
  return new DomainError(code, e?.message ?? fallback, e?.detail ?? String(err));
}

/**
 * Lab sessions: one learner's run of one lab, bound to one sandbox. Owns the
 * lifecycle (server/sessions/lifecycle.ts), the queue when the host is full,
 * the warm pool, expiry and idle timeouts, and reconciliation of Docker's
 * labelled reality with the database's intent.
 */
export class SessionService {
  private readonly events = new EventEmitter();
  private readonly progress = new Map<string, ProvisionProgress[]>();
  private readonly warm = new Set<string>();
  /** Sessions waiting for capacity, oldest first. */
  private readonly queue: string[] = [];
  /** Sessions whose sandbox is being created now. */
  private readonly provisioning = new Set<string>();
  /** Sandboxes bound to live sessions. */
  private readonly owned = new Set<string>();
  /** Environment of each queued or provisioning session, and of each owned sandbox. */
  private readonly envOfQueued = new Map<string, SandboxEnvironment>();
  private readonly envOfSandbox = new Map<string, SandboxEnvironment>();
  readonly pools = new Map<SandboxEnvironment, WarmPool>();
  private readonly maxSandboxes = new Map<SandboxEnvironment, number>();
  private timers: NodeJS.Timeout[] = [];
  /** Unsubscribes from providers' host changes (several Docker hosts). */
  private unsubscribers: (() => void)[] = [];
  private pumpRun: Promise<void> | null = null;
  private pumpAgain = false;
  /** Sessions being replaced by a successor right now (reset, dead node). */
  private readonly replacing = new Set<string>();
  /** Sessions being given a fresh node after theirs died. */
  private readonly recovering = new Set<string>();
  /** The latest start() of each learner, so their starts run one after another. */
  private readonly startsByUser = new Map<string, Promise<void>>();

  constructor(private readonly deps: SessionServiceDeps) {
    this.events.setMaxListeners(0);
  }

  private log(msg: string) {
    this.deps.log?.(`sessions: ${msg}`);
  }

  /** Warm sandboxes to keep for an environment (its own setting, else poolSize). */
  private poolSizeOf(env: SandboxEnvironment): number {
    return this.deps.config.environments?.[env]?.poolSize ?? this.deps.config.poolSize;
  }

  /** The configured maximum for an environment, if any (else the provider's); an environment's own entry wins even when undefined. */
  private configuredMax(env: SandboxEnvironment): number | undefined {
    const own = this.deps.config.environments?.[env];
    return own && "maxSandboxes" in own ? own.maxSandboxes : this.deps.config.maxSandboxes;
  }

  /** Reconciles, fills pools and starts the expiry and reconcile timers. */
  async boot(): Promise<void> {
    for (const [env, provider] of Object.entries(this.deps.providers) as [SandboxEnvironment, SandboxProvider][]) {
      const max = this.configuredMax(env) ?? (await provider.info().then((i) => i.max).catch(() => 8));
      this.maxSandboxes.set(env, max);
      if (this.poolSizeOf(env) > 0) {
        this.pools.set(
          env,
          new WarmPool(provider, {
            size: Math.min(this.poolSizeOf(env), max),
            mayGrow: () => this.queue.length === 0 && this.used(env) < (this.maxSandboxes.get(env) ?? max),
            log: (m) => this.log(m),
            // A sandbox that just warmed up may be what a queued learner waits for.
            onChange: () => void this.pump(),
          }),
        );
      }
    }
    for (const [env, provider] of Object.entries(this.deps.providers) as [SandboxEnvironment, SandboxProvider][]) {
      const unsubscribe = provider.onHostChange?.((change) => {
        void this.hostChanged(env, provider, change).catch((err: unknown) => this.log(`handling host ${change.host} going ${change.state} failed: ${String(err)}`));
      });
      if (unsubscribe) this.unsubscribers.push(unsubscribe);
      const unfollow = provider.onSandboxStop?.((stop) => {
        void this.nodeStopped(env, provider, stop).catch((err: unknown) => this.log(`handling the stop of ${stop.sandboxId} failed: ${String(err)}`));
      });
      if (unfollow) this.unsubscribers.push(unfollow);
    }
    await this.reconcile({ adopt: true });
    for (const pool of this.pools.values()) pool.refill();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err: unknown) => this.log(`background task failed: ${String(err)}`)), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.deps.config.tickMs, () => this.expire());
    every(this.deps.config.reconcileMs, () => this.reconcile({ adopt: false }));
  }

  /** Stops timers and pool refills. Sandboxes stay: sessions resume after a restart. */
  async shutdown(options: { destroyPool?: boolean } = {}): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    await Promise.all([...this.pools.values()].map((p) => p.stop(options.destroyPool)));
  }

  // ---- capacity ------------------------------------------------------

  /** Sandboxes of an environment on this host: owned, being made, pooled. */
  private used(env: SandboxEnvironment): number {
    let provisioningHere = 0;
    for (const id of this.provisioning) if (this.envOfQueued.get(id) === env) provisioningHere++;
    let ownedHere = 0;
    for (const id of this.owned) if (this.envOfSandbox.get(id) === env) ownedHere++;
    return ownedHere + provisioningHere + (this.pools.get(env)?.occupied ?? 0);
  }

  /** Capacity figures for dashboards and the CLI. */
  capacity() {
    return [...this.maxSandboxes.entries()].map(([environment, max]) => ({
      environment,
      max,
      used: this.used(environment),
      queued: this.queue.filter((id) => this.envOfQueued.get(id) === environment).length,
      warm: this.pools.get(environment)?.readyCount ?? 0,
    }));
  }

  // ---- reading ---------------------------------------------------------

  private async row(id: string) {
    const row = await this.deps.prisma.labSession.findUnique({ where: { id }, include: { lab: { select: { slug: true } } } });
    if (!row) throw new DomainError("NOT_FOUND", "That lab session does not exist.", `session ${id}`);
    return row;
  }

  private view(row: Awaited<ReturnType<SessionService["row"]>>): SessionView {
    const pos = this.queue.indexOf(row.id);
    return {
      id: row.id,
      labSlug: row.lab.slug,
      userId: row.userId,
      state: row.state,
      reason: row.stateReason,
      environment: row.environment,
      sandboxId: row.sandboxId,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      queuePosition: pos >= 0 ? pos + 1 : null,
      progress: this.progress.get(row.id) ?? [],
      warmStart: this.warm.has(row.id),
      cgroupVersion: row.cgroupVersion === 1 || row.cgroupVersion === 2 ? row.cgroupVersion : null,
      replacedBy: row.replacedById,
    };
  }

  /**
   * Owners see their sessions; admins see any; instructors see those of
   * learners in their cohorts (server/cohorts/access.ts). Everyone else gets
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
    const row = await this.row(id);
    await this.assertCanRead(user, row);
    return this.view(row);
  }

  /** The caller's live session for a lab, if any. */
  async current(user: SessionUser, labSlug: string): Promise<SessionView | null> {
    const row = await this.deps.prisma.labSession.findFirst({
      where: { userId: user.id, lab: { slug: labSlug }, state: { in: LIVE } },
      include: { lab: { select: { slug: true } } },
      orderBy: { createdAt: "desc" },
    });
    return row ? this.view(row) : null;
  }

  /** Yields the session now and after every change, until `signal` aborts. */
  async *watch(user: SessionUser, id: string, signal?: AbortSignal): AsyncGenerator<SessionView> {
    const first = await this.get(user, id);
    yield first;
    if (first.state === "ended" || first.state === "failed") return;
    const controller = new AbortController();
    signal?.addEventListener("abort", () => controller.abort());
    try {
      for await (const _ of on(this.events, id, { signal: controller.signal })) {
        const v = this.view(await this.row(id));
        yield v;
        if ((v.state === "ended" || v.state === "failed") && !this.replacing.has(id)) return;
      }
    } catch (err) {
      if ((err as Error).name !== "AbortError") throw err;
    } finally {
      controller.abort();
    }
  }

  private changed(id: string) {
    this.events.emit(id);
    this.events.emit(ANY_SESSION, id);
  }

  /** The provider of an environment, if one is configured (readiness, operators' tools). */
  providerFor(environment: SandboxEnvironment): SandboxProvider | undefined {
    return this.deps.providers[environment];
  }

  /** Calls `listener` with the id of every session that changes (dashboards). Returns the unsubscribe function. */
  onAnyChange(listener: (sessionId: string) => void): () => void {
    this.events.on(ANY_SESSION, listener);
    return () => this.events.off(ANY_SESSION, listener);
  }

  // ---- state changes -------------------------------------------------------

  /**
   * Moves a session to `to` if it is still in `from` (compare-and-set, so two
   * writers cannot both win). Returns false when someone else moved it first.
   */
  private async move(id: string, from: SessionState, to: SessionState, data: { reason?: string; sandboxId?: string; provider?: string; host?: string; cgroupVersion?: number | null; expiresAt?: Date } = {}): Promise<boolean> {
    transition(from, to);
    const now = new Date();
    const { count } = await this.deps.prisma.labSession.updateMany({
      where: { id, state: from },
      data: {
        state: to,
        ...(data.reason !== undefined && { stateReason: data.reason }),
        ...(data.sandboxId !== undefined && { sandboxId: data.sandboxId }),
        ...(data.provider !== undefined && { provider: data.provider }),
        ...(data.host !== undefined && { host: data.host }),
        ...(data.cgroupVersion !== undefined && { cgroupVersion: data.cgroupVersion }),
        ...(data.expiresAt !== undefined && { expiresAt: data.expiresAt }),
        ...((to === "ended" || to === "failed") && { endedAt: now }),
        lastActivityAt: now,
      },
    });
    if (count === 1) {
      // A finished session needs none of its in-memory bookkeeping any more;
      // dropping it keeps a long-running server's memory flat.
      if (to === "ended" || to === "failed") {
        this.progress.delete(id);
        this.warm.delete(id);
        this.envOfQueued.delete(id);
      }
      this.changed(id);
    }
    return count === 1;
  }

  /**
   * Starts (or resumes) the caller's session for a lab. `carry` seeds the new
   * session's task results (reset keeps progress this way): they are written
   * with the session row, before it can be ready and graded.
   */
  async start(user: SessionUser, labSlug: string, options: { carry?: CarriedTaskResult[] } = {}): Promise<SessionView> {
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

  private async startNow(user: SessionUser, labSlug: string, { carry = [] }: { carry?: CarriedTaskResult[] }): Promise<SessionView> {
    const existing = await this.current(user, labSlug);
    if (existing) return existing;

    const lab = await this.deps.labs.get(labSlug);
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
      throw new DomainError(
        "CAPACITY",
        `You already have ${active} labs open. End one of them before starting another.`,
        `maxActivePerUser=${this.deps.config.maxActivePerUser}`,
      );
    }
    const labRow = await this.deps.prisma.lab.findUniqueOrThrow({ where: { slug: labSlug } });
    const row = await this.deps.prisma.labSession.create({
      data: {
        userId: user.id,
        labId: labRow.id,
        environment: lab.environment,
        state: "requested",
        ...(carry.length > 0 ? { taskResults: { create: carry } } : {}),
      },
      include: { lab: { select: { slug: true } } },
    });
    this.enqueue(row.id, lab.environment);
    await this.pump();
    return this.view(await this.row(row.id));
  }

  private enqueue(id: string, env: SandboxEnvironment) {
    if (!this.queue.includes(id)) this.queue.push(id);
    this.envOfQueued.set(id, env);
  }

  /**
   * Hands sandboxes to queued sessions while there is capacity. Runs one pass
   * at a time; a call during a pass schedules another and resolves when the
   * queue has been looked at after the call, so callers see settled state.
   */
  private pump(): Promise<void> {
    if (this.pumpRun) {
      this.pumpAgain = true;
      return this.pumpRun;
    }
    // The pass starts a microtask later, so pumpRun is set before any of it
    // runs: a pump() called from inside the pass (a pool claim notifies
    // synchronously) must see the pass running, not start a second one over
    // the same queue (that gave one session two warm nodes and destroyed one).
    this.pumpRun = Promise.resolve()
      .then(async () => {
        do {
          this.pumpAgain = false;
          await this.pumpOnce();
        } while (this.pumpAgain);
      })
      .finally(() => {
        this.pumpRun = null;
      });
    return this.pumpRun;
  }

  private async pumpOnce(): Promise<void> {
    for (let i = 0; i < this.queue.length; ) {
      const id = this.queue[i]!;
      const env = this.envOfQueued.get(id)!;
      const provider = this.deps.providers[env]!;
      const pool = this.pools.get(env);
      if (pool && pool.readyCount > 0) {
        // Out of the queue while the claim checks the node (an await), so
        // nothing else can take this session or shift its index meanwhile.
        this.queue.splice(i, 1);
        const warm = await pool.claim((sb) => {
          this.owned.add(sb.id);
          this.envOfSandbox.set(sb.id, env);
        });
        if (warm) {
          await this.bindWarm(id, env, provider, warm);
          continue;
        }
        this.queue.splice(i, 0, id); // no live warm node after all: the cold path below
      }
      if (this.used(env) < (this.maxSandboxes.get(env) ?? 0)) {
        this.queue.splice(i, 1);
        this.provisioning.add(id);
        // Lines logged while provisioning carry the session's id.
        void withLogContext({ sessionId: id }, () => this.provision(id, env, provider));
        continue;
      }
      i++; // this environment is full; others may not be
    }
    for (const id of this.queue) this.changed(id); // queue positions moved
  }

  private async bindWarm(id: string, env: SandboxEnvironment, provider: SandboxProvider, sandbox: Sandbox) {
    this.owned.add(sandbox.id);
    this.envOfSandbox.set(sandbox.id, env);
    this.warm.add(id);
    recordPoolClaim(env);
    const ok = await this.move(id, "requested", "ready", {
      sandboxId: sandbox.id,
      provider: provider.name,
      host: sandbox.host,
      cgroupVersion: sandbox.cgroupVersion ?? null,
      expiresAt: new Date(Date.now() + this.deps.config.ttlMs),
    });
    if (!ok) await this.release(sandbox.id, provider);
  }

  private async provision(id: string, env: SandboxEnvironment, provider: SandboxProvider) {
    const steps: ProvisionProgress[] = [];
    this.progress.set(id, steps);
    try {
      const row = await this.row(id);
      if (!(await this.move(id, "requested", "provisioning", { provider: provider.name }))) return;
      const sandbox = await timeProvisioning({ provider: provider.name, purpose: "session" }, () =>
        provider.provision({ sessionId: id, labSlug: row.lab.slug }, (p) => {
          const i = steps.findIndex((s) => s.index === p.index);
          if (i >= 0) steps[i] = p;
          else steps.push(p);
          this.changed(id);
        }),
      );
      this.owned.add(sandbox.id);
      this.envOfSandbox.set(sandbox.id, env);
      const ok = await this.move(id, "provisioning", "ready", {
        sandboxId: sandbox.id,
        host: sandbox.host,
        cgroupVersion: sandbox.cgroupVersion ?? null,
        expiresAt: new Date(Date.now() + this.deps.config.ttlMs),
      });
      if (!ok) {
        // The learner ended the session while their node was being made.
        await this.release(sandbox.id, provider);
        const now = await this.row(id);
        if (now.state === "ending") await this.move(id, "ending", "ended");
      }
    } catch (err) {
      const e = asDomainError(err, "Your sandbox could not be created.");
      this.log(`provisioning ${id} failed: ${e.message} (${e.detail ?? ""})`);
      const state = (await this.row(id)).state;
      if (canTransition(state, "failed")) {
        await this.move(id, state, "failed", { reason: `${e.message} Start the lab again to retry.` });
      }
    } finally {
      this.provisioning.delete(id);
      void this.afterCapacityFreed(env);
    }
  }

  private async release(sandboxId: string, provider: SandboxProvider) {
    this.owned.delete(sandboxId);
    this.envOfSandbox.delete(sandboxId);
    await provider.destroy(sandboxId).catch((err: unknown) => this.log(`could not destroy ${sandboxId}: ${String(err)}`));
  }

  private async afterCapacityFreed(env: SandboxEnvironment) {
    await this.pump();
    if (this.queue.length === 0) this.pools.get(env)?.refill();
  }

  /** Adds time to a ready session, up to the maximum lifetime. */
  async extend(user: SessionUser, id: string): Promise<SessionView> {
    const row = await this.row(id);
    await this.assertCanChange(user, row);
    if (row.state !== "ready" || !row.expiresAt) {
      throw new DomainError("CONFLICT", "Only a running lab can be extended.", `state ${row.state}`);
    }
    const cap = row.createdAt.getTime() + this.deps.config.maxLifetimeMs;
    const next = Math.min(row.expiresAt.getTime() + this.deps.config.extendMs, cap);
    if (next <= row.expiresAt.getTime()) {
      throw new DomainError(
        "CONFLICT",
        `This lab has reached its maximum length of ${Math.round(this.deps.config.maxLifetimeMs / 3_600_000)} hours and cannot be extended further.`,
      );
    }
    await this.deps.prisma.labSession.update({ where: { id }, data: { expiresAt: new Date(next), lastActivityAt: new Date() } });
    this.changed(id);
    return this.view(await this.row(id));
  }

  /** Records activity so the idle timeout starts over. */
  async touch(id: string): Promise<void> {
    await this.deps.prisma.labSession.updateMany({ where: { id, state: "ready" }, data: { lastActivityAt: new Date() } });
  }

  /** Ends a session at the learner's request. */
  async end(user: SessionUser, id: string): Promise<SessionView> {
    const row = await this.row(id);
    await this.assertCanChange(user, row);
    await this.finish(id, "You ended this lab.");
    return this.view(await this.row(id));
  }

  /**
   * Replaces the learner's sandbox with a fresh one, keeping their progress.
   * The lifecycle only moves forward, so a reset is "end, then start again":
   * this session ends (its sandbox is destroyed) and a new session of the
   * same lab starts, seeded with the passed tasks and opened hints of this
   * one. Only the session's own learner may reset it. If no sandbox can be
   * had right now, the new session queues like any other start.
   */
  async reset(user: SessionUser, id: string): Promise<SessionView> {
    const session = await this.get(user, id); // NOT_FOUND for learners who may not see it
    if (session.userId !== user.id) {
      throw new DomainError("FORBIDDEN", "Only the learner who started this lab can reset its sandbox.");
    }
    if (session.state !== "ready") {
      throw new DomainError("CONFLICT", "Only a running lab can be reset. Wait until your node is ready, or start the lab again.", `state ${session.state}`);
    }
    return this.keepWatchersOn(id, () => this.replace(user, id, session.labSlug, "You reset your sandbox: a fresh node replaced this one, and your progress was kept."));
  }

  /**
   * Runs `fn` (which ends session `id` and records what follows it) while
   * watchers of the session stay on past "ended", so they see the final
   * word: the successor's id, or why there is none.
   */
  private async keepWatchersOn<T>(id: string, fn: () => Promise<T>): Promise<T> {
    this.replacing.add(id);
    try {
      return await fn();
    } finally {
      this.replacing.delete(id);
      this.changed(id);
    }
  }

  /**
   * Ends a session with `reason` and starts its successor for the same
   * learner and lab, seeded with the passed tasks and opened hints, and
   * records the successor on the old session so every page watching it
   * follows (a second tab, the instructor's view). Call it inside
   * {@link keepWatchersOn}.
   */
  private async replace(owner: SessionUser, id: string, labSlug: string, reason: string): Promise<SessionView> {
    await this.finish(id, reason);
    // Read after finishing, so a grading round that was running is included.
    const kept = await this.deps.prisma.taskResult.findMany({ where: { sessionId: id, OR: [{ status: "passed" }, { hintsRevealed: { gt: 0 } }] } });
    const carry = kept.map<CarriedTaskResult>((r) =>
      r.status === "passed"
        ? { taskId: r.taskId, status: "passed", passedAt: r.passedAt, message: r.message, hintsRevealed: r.hintsRevealed }
        : // Not passed: only the opened hints move; the fresh node has not been checked yet.
          { taskId: r.taskId, status: "pending", passedAt: null, message: null, hintsRevealed: r.hintsRevealed },
    );
    const next = await this.start(owner, labSlug, { carry });
    await this.deps.prisma.labSession.update({ where: { id }, data: { replacedById: next.id } });
    return next;
  }

  /**
   * The engine says a node stopped. A warm node leaves the pool and is
   * removed. A learner's node that stopped while its session was ready (not
   * one the platform is removing: those sessions are already ending) means
   * the learner lost it: they get a fresh node with their progress, and the
   * old session says why. Anything else (provisioning, removals we asked
   * for) is not news.
   */
  private async nodeStopped(env: SandboxEnvironment, provider: SandboxProvider, stop: SandboxStop): Promise<void> {
    const pool = this.pools.get(env);
    if (pool?.discard((s) => s.id === stop.sandboxId).length) {
      this.log(`pool: ${stop.sandboxId} stopped (${describeStop(stop)}); removing it`);
      if (stop.kind === "exited") await provider.destroy(stop.sandboxId).catch((err: unknown) => this.log(`could not remove ${stop.sandboxId}: ${String(err)}`));
      return;
    }
    const row = await this.deps.prisma.labSession.findFirst({ where: { environment: env, sandboxId: stop.sandboxId, state: "ready" } });
    if (row) await this.recoverFromDeadNode(row.id, stop);
  }

  /**
   * A ready session's node is gone: end the session with a sentence saying
   * what happened and start a replacement with its progress. If no
   * replacement can be started, the sentence says that instead.
   */
  private async recoverFromDeadNode(id: string, stop: SandboxStop): Promise<void> {
    // The event and a reconcile pass may both report it: one recovery.
    if (this.recovering.has(id)) return;
    this.recovering.add(id);
    try {
      await this.recoverNow(id, stop);
    } finally {
      this.recovering.delete(id);
    }
  }

  private async recoverNow(id: string, stop: SandboxStop): Promise<void> {
    const row = await this.deps.prisma.labSession.findUnique({ where: { id }, include: { user: true, lab: { select: { slug: true } } } });
    if (!row || row.state !== "ready" || !row.sandboxId) return;
    const what = `Your node stopped (${describeStop(stop)}).`;
    this.log(`session ${id}: node ${row.sandboxId} stopped (${describeStop(stop)}); replacing it`);
    // replace() ends the session, which removes the dead container too.
    const owner: SessionUser = { id: row.user.id, email: row.user.email, name: row.user.name, role: row.user.role };
    await this.keepWatchersOn(id, async () => {
      try {
        await this.replace(owner, id, row.lab.slug, `${what} A fresh node replaced it, and your progress was kept.`);
      } catch (err) {
        const e = asDomainError(err, "No fresh node could be started.");
        await this.deps.prisma.labSession.update({ where: { id }, data: { stateReason: `${what} No fresh node could be started for you (${e.message}) Start the lab again to try once more.` } });
      }
    });
  }

  /**
   * Ends a session from any live state: leaves the queue, destroys the
   * sandbox, records the reason. Safe to call twice.
   */
  async finish(id: string, reason: string): Promise<void> {
    const row = await this.row(id);
    const qi = this.queue.indexOf(id);
    if (qi >= 0) this.queue.splice(qi, 1);
    if (row.state === "ended" || row.state === "failed") return;
    if (row.state !== "ending" && !(await this.move(id, row.state, "ending", { reason }))) return this.finish(id, reason);
    // A session still provisioning is finished by provision() once the node exists.
    if (row.state === "provisioning" || this.provisioning.has(id)) return;
    const provider = this.deps.providers[row.environment];
    if (row.sandboxId && provider) await this.release(row.sandboxId, provider);
    await this.move(id, "ending", "ended");
    void this.afterCapacityFreed(row.environment);
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

  /**
   * Makes Docker and the database agree. Labels are the truth about what
   * exists; the database says what should. Orphans (ours, unbound, older than
   * the grace period) are removed; sessions whose sandbox vanished are ended
   * with a reason; with `adopt`, warm sandboxes from a previous run rejoin
   * the pool and sessions still queued are queued again.
   */
  async reconcile({ adopt }: { adopt: boolean }): Promise<{ removed: string[]; ended: string[]; adopted: string[] }> {
    const out = { removed: [] as string[], ended: [] as string[], adopted: [] as string[] };
    const live = await this.deps.prisma.labSession.findMany({ where: { state: { in: LIVE } }, orderBy: { createdAt: "asc" } });
    for (const [env, provider] of Object.entries(this.deps.providers) as [SandboxEnvironment, SandboxProvider][]) {
      let sandboxes: Sandbox[];
      // Several hosts: one that does not answer now says nothing about its
      // sandboxes (skip its sessions); one marked down has lost them.
      let lostHosts = new Set<string>();
      let unanswered = new Set<string>();
      try {
        if (provider.listByHost) {
          const byHost = await provider.listByHost();
          ({ sandboxes } = byHost);
          lostHosts = new Set(byHost.lost);
          unanswered = new Set(byHost.unanswered);
        } else {
          sandboxes = await provider.list();
        }
      } catch (err) {
        this.log(`reconcile skipped for ${env}: ${(err as Error).message}`);
        continue;
      }
      const exists = new Set(sandboxes.map((s) => s.id));
      const bound = new Map(live.filter((s) => s.sandboxId).map((s) => [s.sandboxId!, s]));
      const referencedEver = new Set(
        (await this.deps.prisma.labSession.findMany({ where: { sandboxId: { in: [...exists] } }, select: { sandboxId: true } })).map((r) => r.sandboxId!),
      );
      const pool = this.pools.get(env);
      const stopped: { sessionId: string; sandbox: Sandbox }[] = [];
      for (const sb of sandboxes) {
        const session = bound.get(sb.id);
        if (session) {
          this.owned.add(sb.id);
          this.envOfSandbox.set(sb.id, env);
          if (session.state === "ready" && sb.state === "stopped") stopped.push({ sessionId: session.id, sandbox: sb });
          continue;
        }
        // Claimed by a session since `live` was read (a warm claim racing this pass).
        if (this.owned.has(sb.id)) continue;
        if (pool?.has(sb.id)) continue;
        if (sb.sessionId && this.provisioning.has(sb.sessionId)) continue;
        if (adopt && pool && sb.pool && !referencedEver.has(sb.id) && sb.state === "running" && pool.occupied < this.poolSizeOf(env)) {
          pool.adopt(sb);
          out.adopted.push(sb.id);
          continue;
        }
        if (Date.now() - sb.createdAt.getTime() < this.deps.config.orphanGraceMs) continue;
        await provider.destroy(sb.id).catch((err: unknown) => this.log(`could not remove orphan ${sb.id}: ${String(err)}`));
        out.removed.push(sb.id);
      }
      // A node that stopped without its event reaching us (the stream was
      // down): the same recovery as the event would have started.
      for (const { sessionId, sandbox } of stopped) {
        await this.recoverFromDeadNode(sessionId, { sandboxId: sandbox.id, kind: "exited", ...(sandbox.host && { host: sandbox.host }) });
        out.ended.push(sessionId);
      }
      if (provider.reapUnrecorded) {
        const reaped = await provider.reapUnrecorded(this.deps.config.orphanGraceMs).catch((err: unknown) => {
          this.log(`could not reap unrecorded ${env} sandboxes: ${String(err)}`);
          return [];
        });
        out.removed.push(...reaped);
      }
      for (const s of live.filter((x) => x.environment === env)) {
        if (s.host && unanswered.has(s.host)) continue;
        if ((s.state === "ready" || s.state === "ending") && s.sandboxId && !exists.has(s.sandboxId)) {
          this.owned.delete(s.sandboxId);
          this.envOfSandbox.delete(s.sandboxId);
          if (s.state === "ready" && !(s.host && lostHosts.has(s.host))) {
            // Removed behind the platform's back (its event missed): replaced like a node that died.
            await this.recoverFromDeadNode(s.id, { sandboxId: s.sandboxId, kind: "removed", ...(s.host && { host: s.host }) });
          } else {
            if (s.state === "ready") await this.move(s.id, "ready", "ending", { reason: hostLostReason(s.host!) });
            await this.move(s.id, "ending", "ended");
          }
          out.ended.push(s.id);
        } else if (s.state === "ending" && !this.provisioning.has(s.id)) {
          await this.finish(s.id, s.stateReason ?? "The lab was ended.");
        } else if (adopt && s.state === "requested") {
          this.enqueue(s.id, env);
        } else if (adopt && s.state === "provisioning" && !this.provisioning.has(s.id)) {
          await this.move(s.id, "provisioning", "failed", { reason: "The server restarted while your sandbox was being created. Start the lab again." });
          out.ended.push(s.id);
        }
      }
    }
    if (out.removed.length || out.ended.length || out.adopted.length) {
      this.log(`reconciled: removed ${out.removed.length} orphan(s), ended ${out.ended.length} session(s), adopted ${out.adopted.length} warm sandbox(es)`);
    }
    if (adopt) await this.pump();
    return out;
  }

  /**
   * A Docker host went down or came back (several hosts). Down: its
   * sessions end now with a reason (their sandboxes went with the host; when
   * it returns, the reconciler removes them as orphans) and its warm
   * sandboxes leave the pool. Either way the capacity follows the hosts that
   * answer, so learners queue instead of failing while a host is away.
   */
  private async hostChanged(env: SandboxEnvironment, provider: SandboxProvider, change: HostChange): Promise<void> {
    this.log(`docker host ${change.host} is ${change.state}${change.detail ? ` (${change.detail})` : ""}`);
    if (change.state === "down") {
      this.pools.get(env)?.discard((s) => s.host === change.host);
      const hit = await this.deps.prisma.labSession.findMany({ where: { environment: env, host: change.host, state: { in: ["ready", "ending"] } } });
      for (const s of hit) {
        if (s.sandboxId) {
          this.owned.delete(s.sandboxId);
          this.envOfSandbox.delete(s.sandboxId);
        }
        if (s.state === "ready") await this.move(s.id, "ready", "ending", { reason: hostLostReason(change.host) });
        await this.move(s.id, "ending", "ended");
      }
      if (hit.length) this.log(`ended ${hit.length} session(s) of lost docker host ${change.host}`);
    }
    if (this.configuredMax(env) === undefined) {
      const max = await provider.info().then((i) => i.max, () => 0);
      this.maxSandboxes.set(env, max);
    }
    await this.afterCapacityFreed(env);
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
    const row = await this.row(id);
    await this.assertCanRead(user, row);
    const provider = this.deps.providers[row.environment];
    if (row.state !== "ready" || !row.sandboxId || !provider) {
      throw new DomainError("CONFLICT", "This lab's sandbox is not running.", `state ${row.state}`);
    }
    return { provider, sandboxId: row.sandboxId };
  }
}
