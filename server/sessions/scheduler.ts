/**
 * Who gets a sandbox, when: the queue of sessions waiting for capacity, the
 * warm pools, cold provisioning with its progress, and the count of what
 * each environment holds on this host. Sessions move through the store;
 * this class only decides and binds.
 */
import type { ProvisionProgress, Sandbox, SandboxEnvironment, SandboxProvider } from "../sandbox/provider";
import { recordPoolClaim, timeProvisioning } from "../observability/metrics";
import { withLogContext } from "../observability/log-context";
import { canTransition } from "./lifecycle";
import type { SessionConfig } from "./config";
import { WarmPool } from "./pool";
import type { BackgroundWork } from "./background";
import { asDomainError } from "./reasons";
import { DomainError } from "../errors";
import type { SessionStore } from "./store";

export interface SchedulerDeps {
  store: SessionStore;
  providers: Partial<Record<SandboxEnvironment, SandboxProvider>>;
  config: SessionConfig;
  log: (msg: string) => void;
  /** Where provisioning and queue passes run without being waited for (shutdown drains it). */
  background: BackgroundWork;
}

/** Capacity of one environment, for dashboards and the CLI. */
export interface CapacityView {
  environment: SandboxEnvironment;
  max: number;
  used: number;
  queued: number;
  warm: number;
}

export class SandboxScheduler {
  readonly pools = new Map<SandboxEnvironment, WarmPool>();
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
  private readonly maxSandboxes = new Map<SandboxEnvironment, number>();
  private pumpRun: Promise<void> | null = null;
  private pumpAgain = false;

  constructor(private readonly deps: SchedulerDeps) {
    deps.store.onFinished((id) => {
      this.progress.delete(id);
      this.warm.delete(id);
      this.envOfQueued.delete(id);
    });
  }

  /** Warm sandboxes to keep for an environment (its own setting, else poolSize). */
  poolSizeOf(env: SandboxEnvironment): number {
    return this.deps.config.environments?.[env]?.poolSize ?? this.deps.config.poolSize;
  }

  /** The configured maximum for an environment, if any (else the provider's); an environment's own entry wins even when undefined. */
  private configuredMax(env: SandboxEnvironment): number | undefined {
    const own = this.deps.config.environments?.[env];
    return own && "maxSandboxes" in own ? own.maxSandboxes : this.deps.config.maxSandboxes;
  }

  /** Reads each environment's maximum and makes its warm pool (not yet filled). */
  async init(): Promise<void> {
    for (const [env, provider] of this.environments()) {
      const max =
        this.configuredMax(env) ??
        (await provider
          .info()
          .then((i) => i.max)
          .catch(() => 8));
      this.maxSandboxes.set(env, max);
      if (this.poolSizeOf(env) > 0) {
        this.pools.set(
          env,
          new WarmPool(provider, {
            size: Math.min(this.poolSizeOf(env), max),
            mayGrow: () => this.queue.length === 0 && this.used(env) < (this.maxSandboxes.get(env) ?? max),
            log: this.deps.log,
            // A sandbox that just warmed up may be what a queued learner waits for.
            onChange: () => this.deps.background.run("serving the queue", () => this.pump()),
          }),
        );
      }
    }
  }

  /** The configured environments with their providers. */
  environments(): [SandboxEnvironment, SandboxProvider][] {
    return Object.entries(this.deps.providers) as [SandboxEnvironment, SandboxProvider][];
  }

  /** After a host change: the maximum follows the hosts that answer, unless configured. */
  async refreshMax(env: SandboxEnvironment, provider: SandboxProvider): Promise<void> {
    if (this.configuredMax(env) !== undefined) return;
    this.maxSandboxes.set(
      env,
      await provider.info().then(
        (i) => i.max,
        () => 0,
      ),
    );
  }

  async stop(destroyPool = false): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.stop(destroyPool)));
  }

  // ---- what is held ------------------------------------------------------

  /** Sandboxes of an environment on this host: owned, being made, pooled. */
  private used(env: SandboxEnvironment): number {
    let provisioningHere = 0;
    for (const id of this.provisioning) if (this.envOfQueued.get(id) === env) provisioningHere++;
    let ownedHere = 0;
    for (const id of this.owned) if (this.envOfSandbox.get(id) === env) ownedHere++;
    return ownedHere + provisioningHere + (this.pools.get(env)?.occupied ?? 0);
  }

  capacity(): CapacityView[] {
    return [...this.maxSandboxes.entries()].map(([environment, max]) => ({
      environment,
      max,
      used: this.used(environment),
      queued: this.queue.filter((id) => this.envOfQueued.get(id) === environment).length,
      warm: this.pools.get(environment)?.readyCount ?? 0,
    }));
  }

  /** 1-based place in the queue, or null. */
  queuePosition(id: string): number | null {
    const pos = this.queue.indexOf(id);
    return pos >= 0 ? pos + 1 : null;
  }

  progressOf(id: string): ProvisionProgress[] {
    return this.progress.get(id) ?? [];
  }

  /** True when the session's node came from the warm pool. */
  wasWarm(id: string): boolean {
    return this.warm.has(id);
  }

  isProvisioning(sessionId: string): boolean {
    return this.provisioning.has(sessionId);
  }

  /** True when a live session of this process holds the sandbox. */
  holds(sandboxId: string): boolean {
    return this.owned.has(sandboxId);
  }

  /** Records a sandbox as held by a live session (reconciliation finds it bound). */
  hold(sandboxId: string, env: SandboxEnvironment): void {
    this.owned.add(sandboxId);
    this.envOfSandbox.set(sandboxId, env);
  }

  /** Forgets a held sandbox (it is gone or being removed). */
  letGo(sandboxId: string): void {
    this.owned.delete(sandboxId);
    this.envOfSandbox.delete(sandboxId);
  }

  // ---- queue -----------------------------------------------------------

  enqueue(id: string, env: SandboxEnvironment): void {
    if (!this.queue.includes(id)) this.queue.push(id);
    this.envOfQueued.set(id, env);
  }

  /** Takes a session out of the queue (it ended while waiting). */
  dequeue(id: string): void {
    const i = this.queue.indexOf(id);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /**
   * Hands sandboxes to queued sessions while there is capacity. Runs one pass
   * at a time; a call during a pass schedules another and resolves when the
   * queue has been looked at after the call, so callers see settled state.
   */
  pump(): Promise<void> {
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
    // Shutting down: nothing new is bound or provisioned (the queue is kept
    // in the database; the next start serves it).
    if (this.deps.background.stopping) return;
    for (let i = 0; i < this.queue.length;) {
      const id = this.queue[i]!;
      const env = this.envOfQueued.get(id)!;
      const provider = this.deps.providers[env]!;
      const pool = this.pools.get(env);
      if (pool && pool.readyCount > 0) {
        // Out of the queue while the claim checks the node (an await), so
        // nothing else can take this session or shift its index meanwhile.
        this.queue.splice(i, 1);
        const warm = await pool.claim((sb) => this.hold(sb.id, env));
        if (warm) {
          await this.bindWarm(id, provider, warm);
          continue;
        }
        this.queue.splice(i, 0, id); // no live warm node after all: the cold path below
      }
      if (this.used(env) < (this.maxSandboxes.get(env) ?? 0)) {
        this.queue.splice(i, 1);
        this.provisioning.add(id);
        // Lines logged while provisioning carry the session's id.
        this.deps.background.run(`provisioning ${id}`, () => withLogContext({ sessionId: id }, () => this.provision(id, env, provider)));
        continue;
      }
      i++; // this environment is full; others may not be
    }
    for (const id of this.queue) this.deps.store.changed(id); // queue positions moved
  }

  private async bindWarm(id: string, provider: SandboxProvider, sandbox: Sandbox) {
    this.warm.add(id);
    recordPoolClaim(provider.environment);
    const ok = await this.deps.store.move(id, "requested", "ready", {
      sandboxId: sandbox.id,
      provider: provider.name,
      host: sandbox.host,
      cgroupVersion: sandbox.cgroupVersion ?? null,
      expiresAt: new Date(Date.now() + this.deps.config.ttlMs),
    });
    if (!ok) await this.release(sandbox.id, provider);
  }

  private async provision(id: string, env: SandboxEnvironment, provider: SandboxProvider) {
    const { store } = this.deps;
    const steps: ProvisionProgress[] = [];
    this.progress.set(id, steps);
    try {
      const row = await store.row(id);
      if (!(await store.move(id, "requested", "provisioning", { provider: provider.name }))) return;
      const abort = new AbortController();
      const making = timeProvisioning({ provider: provider.name, purpose: "session" }, () =>
        provider.provision(
          { sessionId: id, labSlug: row.lab.slug },
          (p) => {
            const i = steps.findIndex((s) => s.index === p.index);
            if (i >= 0) steps[i] = p;
            else steps.push(p);
            store.changed(id);
          },
          abort.signal,
        ),
      );
      const deadlineMs = this.deps.config.provisionDeadlineMs[env];
      const sandbox = await withDeadline(making, deadlineMs, () => {
        // The provider undoes what it made when it sees the abort; a node an
        // engine hands back after all is removed, never left as an orphan.
        abort.abort();
        making.then(
          (late) => void this.release(late.id, provider),
          () => {},
        );
        this.deps.log(`provisioning ${id} passed its deadline of ${Math.round(deadlineMs / 1000)} s; aborted`);
        return new DomainError(
          "UNAVAILABLE",
          `Your ${env === "cluster" ? "cluster" : "node"} took more than ${deadlineMs >= 120_000 ? `${Math.round(deadlineMs / 60_000)} minutes` : `${Math.round(deadlineMs / 1000)} seconds`} to start, so the host is too busy right now.`,
          `provision deadline ${deadlineMs} ms passed`,
        );
      });
      this.hold(sandbox.id, env);
      const ok = await store.move(id, "provisioning", "ready", {
        sandboxId: sandbox.id,
        host: sandbox.host,
        cgroupVersion: sandbox.cgroupVersion ?? null,
        expiresAt: new Date(Date.now() + this.deps.config.ttlMs),
      });
      if (!ok) {
        // The learner ended the session while their node was being made.
        await this.release(sandbox.id, provider);
        const now = await store.row(id);
        if (now.state === "ending") await store.move(id, "ending", "ended");
      }
    } catch (err) {
      const e = asDomainError(err, "Your sandbox could not be created.");
      this.deps.log(`provisioning ${id} failed: ${e.message} (${e.detail ?? ""})`);
      const state = (await store.row(id)).state;
      if (canTransition(state, "failed")) {
        await store.move(id, state, "failed", { reason: `${e.message} Start the lab again to retry.` });
      }
    } finally {
      this.provisioning.delete(id);
      this.deps.background.run("serving the queue", () => this.afterCapacityFreed(env));
    }
  }

  /** Lets a sandbox go and removes it. */
  async release(sandboxId: string, provider: SandboxProvider): Promise<void> {
    this.letGo(sandboxId);
    await provider.destroy(sandboxId).catch((err: unknown) => this.deps.log(`could not destroy ${sandboxId}: ${String(err)}`));
  }

  /** Serves the queue, then tops the pool up if nobody waits. */
  async afterCapacityFreed(env: SandboxEnvironment): Promise<void> {
    if (this.deps.background.stopping) return;
    await this.pump();
    if (this.queue.length === 0) this.pools.get(env)?.refill();
  }
}

/** `work`, or the error `onLate` makes if it has not settled within `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number, onLate: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onLate()), ms);
    timer.unref?.();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
