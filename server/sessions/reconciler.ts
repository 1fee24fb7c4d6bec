/**
 * Makes the engines and the database agree, on a timer and on the engines'
 * own news. Labels are the truth about what exists; the database says what
 * should. Orphans are removed, sessions whose node died or vanished get a
 * fresh one (through `recover`), sessions of a lost host end with a reason,
 * and at start warm sandboxes of a previous run rejoin the pool.
 */
import type { HostChange, Sandbox, SandboxEnvironment, SandboxProvider, SandboxStop } from "../sandbox/provider";
import { isLabTestSandbox, LAB_TEST_MAX_MS } from "../sandbox/labels";
import type { SessionConfig } from "./config";
import { LIVE_STATES, type SessionState } from "./lifecycle";
import { describeStop, hostLostReason } from "./reasons";
import type { SandboxScheduler } from "./scheduler";
import type { SessionStore } from "./store";

export interface ReconcilerDeps {
  store: SessionStore;
  scheduler: SandboxScheduler;
  config: SessionConfig;
  log: (msg: string) => void;
  /** Ends a session from any live state (SessionService.finish). */
  finish: (id: string, reason: string) => Promise<void>;
  /** Gives a ready session whose node died a fresh node with its progress. */
  recover: (sessionId: string, stop: SandboxStop) => Promise<void>;
}

/** What one pass did. */
export interface ReconcileResult {
  removed: string[];
  ended: string[];
  adopted: string[];
}

const LIVE = [...LIVE_STATES] as SessionState[];

/**
 * Host leftovers (cgroup directories) younger than this are never swept: a
 * sandbox's fence is made moments before its container, which the listing
 * cannot see yet.
 */
const LEFTOVER_MIN_AGE_MS = 60_000;

/** Orphans removed at the same time by one pass. */
const ORPHAN_REMOVALS_AT_ONCE = 6;

/** Runs `work` over `items`, at most `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const lane = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, queue.length) }, lane));
}

type LiveRow = Awaited<ReturnType<Reconciler["liveSessions"]>>[number];

/** What one environment's engines answered. */
interface Listing {
  sandboxes: Sandbox[];
  /** Hosts marked down: their sandboxes are gone. */
  lost: Set<string>;
  /** Hosts that did not answer now: nothing is known about them. */
  unanswered: Set<string>;
}

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  private liveSessions() {
    return this.deps.store.prisma.labSession.findMany({ where: { state: { in: LIVE } }, orderBy: { createdAt: "asc" } });
  }

  /**
   * One pass over every environment. With `adopt` (at start), warm
   * sandboxes from a previous run rejoin the pool and sessions still queued
   * are queued again.
   */
  async reconcile({ adopt }: { adopt: boolean }): Promise<ReconcileResult> {
    const out: ReconcileResult = { removed: [], ended: [], adopted: [] };
    const live = await this.liveSessions();
    for (const [env, provider] of this.deps.scheduler.environments()) {
      const listing = await this.list(provider).catch((err: unknown) => {
        this.deps.log(`reconcile skipped for ${env}: ${(err as Error).message}`);
        return null;
      });
      if (!listing) continue;
      await this.sweepSandboxes(env, provider, listing, live, adopt, out);
      if (provider.reapUnrecorded) {
        const reaped = await provider.reapUnrecorded(this.deps.config.orphanGraceMs).catch((err: unknown) => {
          this.deps.log(`could not reap unrecorded ${env} sandboxes: ${String(err)}`);
          return [];
        });
        out.removed.push(...reaped);
      }
      await this.settleSessions(env, listing, live, adopt, out);
      if (provider.sweepLeftovers) {
        const swept = await provider.sweepLeftovers(Math.max(this.deps.config.orphanGraceMs, LEFTOVER_MIN_AGE_MS)).catch((err: unknown) => {
          this.deps.log(`could not sweep what removed ${env} sandboxes left on the host: ${String(err)}`);
          return [];
        });
        if (swept.length) this.deps.log(`removed the cgroup directories of ${swept.length} ${env} sandbox(es) that no longer exist`);
      }
    }
    if (out.removed.length || out.ended.length || out.adopted.length) {
      this.deps.log(`reconciled: removed ${out.removed.length} orphan(s), ended ${out.ended.length} session(s), adopted ${out.adopted.length} warm sandbox(es)`);
    }
    if (adopt) await this.deps.scheduler.pump();
    return out;
  }

  /**
   * Several hosts: one that does not answer now says nothing about its
   * sandboxes (its sessions are skipped); one marked down has lost them.
   */
  private async list(provider: SandboxProvider): Promise<Listing> {
    if (!provider.listByHost) return { sandboxes: await provider.list(), lost: new Set(), unanswered: new Set() };
    const byHost = await provider.listByHost();
    return { sandboxes: byHost.sandboxes, lost: new Set(byHost.lost), unanswered: new Set(byHost.unanswered) };
  }

  /** Each sandbox the engines hold: bound, pooled, adopted, or an orphan to remove. */
  private async sweepSandboxes(env: SandboxEnvironment, provider: SandboxProvider, { sandboxes }: Listing, live: LiveRow[], adopt: boolean, out: ReconcileResult) {
    const { scheduler, config } = this.deps;
    const bound = new Map(live.filter((s) => s.sandboxId).map((s) => [s.sandboxId!, s]));
    const referencedEver = new Set(
      (await this.deps.store.prisma.labSession.findMany({ where: { sandboxId: { in: sandboxes.map((s) => s.id) } }, select: { sandboxId: true } })).map((r) => r.sandboxId!),
    );
    const pool = scheduler.pools.get(env);
    const stopped: { sessionId: string; sandbox: Sandbox }[] = [];
    const orphans: string[] = [];
    for (const sb of sandboxes) {
      const session = bound.get(sb.id);
      if (session) {
        scheduler.hold(sb.id, env);
        if (session.state === "ready" && sb.state === "stopped") stopped.push({ sessionId: session.id, sandbox: sb });
        continue;
      }
      // Claimed by a session since `live` was read (a warm claim racing this pass).
      if (scheduler.holds(sb.id)) continue;
      if (pool?.has(sb.id)) continue;
      if (sb.sessionId && scheduler.isProvisioning(sb.sessionId)) continue;
      // A lab test's node (labs test, "Test this lab"), on this server or another.
      if (isLabTestSandbox(sb.sessionId) && Date.now() - sb.createdAt.getTime() < LAB_TEST_MAX_MS) continue;
      if (adopt && pool && sb.pool && !referencedEver.has(sb.id) && sb.state === "running" && pool.occupied < scheduler.poolSizeOf(env)) {
        pool.adopt(sb);
        out.adopted.push(sb.id);
        continue;
      }
      if (Date.now() - sb.createdAt.getTime() < config.orphanGraceMs) continue;
      orphans.push(sb.id);
    }
    // A few at a time: after a crash there can be dozens (nodes the dead
    // process was making), and one by one they held a restarted server's
    // first pass, and so its readiness, for 50 s under load.
    await inLanes(orphans, ORPHAN_REMOVALS_AT_ONCE, async (id) => {
      await provider.destroy(id).catch((err: unknown) => this.deps.log(`could not remove orphan ${id}: ${String(err)}`));
      out.removed.push(id);
    });
    // A node that stopped without its event reaching us (the stream was
    // down): the same recovery as the event would have started.
    for (const { sessionId, sandbox } of stopped) {
      await this.deps.recover(sessionId, { sandboxId: sandbox.id, kind: "exited", ...(sandbox.host && { host: sandbox.host }) });
      out.ended.push(sessionId);
    }
  }

  /** Each live session of the environment against what exists. */
  private async settleSessions(env: SandboxEnvironment, listing: Listing, live: LiveRow[], adopt: boolean, out: ReconcileResult) {
    const { scheduler, store } = this.deps;
    const exists = new Set(listing.sandboxes.map((s) => s.id));
    for (const s of live.filter((x) => x.environment === env)) {
      if (s.host && listing.unanswered.has(s.host)) continue;
      if ((s.state === "ready" || s.state === "ending") && s.sandboxId && !exists.has(s.sandboxId)) {
        scheduler.letGo(s.sandboxId);
        if (s.state === "ready" && !(s.host && listing.lost.has(s.host))) {
          // Removed behind the platform's back (its event missed): replaced like a node that died.
          await this.deps.recover(s.id, { sandboxId: s.sandboxId, kind: "removed", ...(s.host && { host: s.host }) });
        } else {
          if (s.state === "ready") await store.move(s.id, "ready", "ending", { reason: hostLostReason(s.host!) });
          await store.move(s.id, "ending", "ended");
        }
        out.ended.push(s.id);
      } else if (s.state === "ending" && !scheduler.isProvisioning(s.id)) {
        await this.deps.finish(s.id, s.stateReason ?? "The lab was ended.");
      } else if (adopt && s.state === "requested") {
        scheduler.enqueue(s.id, env);
      } else if (adopt && s.state === "provisioning" && !scheduler.isProvisioning(s.id)) {
        await store.move(s.id, "provisioning", "failed", { reason: "The server restarted while your sandbox was being created. Start the lab again." });
        out.ended.push(s.id);
      }
    }
  }

  /**
   * A Docker host went down or came back (several hosts). Down: its
   * sessions end now with a reason (their sandboxes went with the host; when
   * it returns, the reconciler removes them as orphans) and its warm
   * sandboxes leave the pool. Either way the capacity follows the hosts that
   * answer, so learners queue instead of failing while a host is away.
   */
  async hostChanged(env: SandboxEnvironment, provider: SandboxProvider, change: HostChange): Promise<void> {
    const { scheduler, store, log } = this.deps;
    log(`docker host ${change.host} is ${change.state}${change.detail ? ` (${change.detail})` : ""}`);
    if (change.state === "down") {
      scheduler.pools.get(env)?.discard((s) => s.host === change.host);
      const hit = await store.prisma.labSession.findMany({ where: { environment: env, host: change.host, state: { in: ["ready", "ending"] } } });
      for (const s of hit) {
        if (s.sandboxId) scheduler.letGo(s.sandboxId);
        if (s.state === "ready") await store.move(s.id, "ready", "ending", { reason: hostLostReason(change.host) });
        await store.move(s.id, "ending", "ended");
      }
      if (hit.length) log(`ended ${hit.length} session(s) of lost docker host ${change.host}`);
    }
    await scheduler.refreshMax(env, provider);
    await scheduler.afterCapacityFreed(env);
  }

  /**
   * The engine says a node stopped. A warm node leaves the pool and is
   * removed. A learner's node that stopped while its session was ready (not
   * one the platform is removing: those sessions are already ending) means
   * the learner lost it: they get a fresh node with their progress, and the
   * old session says why. Anything else (provisioning, removals we asked
   * for) is not news.
   */
  async nodeStopped(env: SandboxEnvironment, provider: SandboxProvider, stop: SandboxStop): Promise<void> {
    const { scheduler, store, log } = this.deps;
    if (scheduler.pools.get(env)?.discard((s) => s.id === stop.sandboxId).length) {
      log(`pool: ${stop.sandboxId} stopped (${describeStop(stop)}); removing it`);
      if (stop.kind === "exited") await provider.destroy(stop.sandboxId).catch((err: unknown) => log(`could not remove ${stop.sandboxId}: ${String(err)}`));
      return;
    }
    const row = await store.prisma.labSession.findFirst({ where: { environment: env, sandboxId: stop.sandboxId, state: "ready" } });
    if (!row) return;
    // Ask the engine again a moment later: one that is shutting down stopped
    // its nodes itself and will not answer now (host health ends those
    // sessions with the lost-host reason); a node that runs again is fine.
    await new Promise((r) => setTimeout(r, this.deps.config.deadNodeConfirmMs));
    let now: Sandbox | null;
    try {
      now = await provider.get(stop.sandboxId);
    } catch (err) {
      log(`node ${stop.sandboxId} stopped and its engine does not answer (${(err as Error).message}); host health decides`);
      return;
    }
    if (now?.state === "running") return;
    await this.deps.recover(row.id, stop);
  }
}
