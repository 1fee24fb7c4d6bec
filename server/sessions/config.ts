import type { SandboxEnvironment } from "../sandbox/provider";

/** Timing and capacity rules for lab sessions. */
export interface SessionConfig {
  /** Lifetime of a new session. */
  ttlMs: number;
  /** How much one "extend" adds. */
  extendMs: number;
  /** A session never lives longer than this from its start, extends included. */
  maxLifetimeMs: number;
  /** A session with no activity (terminal input, API calls) for this long ends. */
  idleMs: number;
  /** Sessions one learner may have open at once. */
  maxActivePerUser: number;
  /** Warm sandboxes kept ready per environment. */
  poolSize: number;
  /** Sandboxes this host may hold (pool included); default: the provider's. */
  maxSandboxes?: number;
  /**
   * Per-environment overrides of poolSize and maxSandboxes: clusters are
   * heavy, so the cluster pool defaults to 0 (CLUSTER_POOL_SIZE) and has its
   * own maximum (CLUSTER_MAX_SANDBOXES) while nodes keep POOL_SIZE.
   */
  environments?: Partial<Record<SandboxEnvironment, { poolSize?: number; maxSandboxes?: number }>>;
  /** Orphans younger than this are left alone (another process may be creating them). */
  orphanGraceMs: number;
  /** How often expiry and idleness are checked. */
  tickMs: number;
  /** How often Docker state is reconciled with the database. */
  reconcileMs: number;
  /**
   * How long after a node's stop event its engine is asked again before the
   * learner gets a fresh node: an engine that is itself shutting down stops
   * its nodes first, and those are a lost host (ended with that reason),
   * not nodes to replace on it.
   */
  deadNodeConfirmMs: number;
  /**
   * How long a session may wait for its node (or cluster) to be made before
   * it fails with a sentence: an engine that stops answering must not leave
   * a learner looking at "provisioning" for ever. Per environment.
   */
  provisionDeadlineMs: Record<SandboxEnvironment, number>;
}

export const DEFAULT_SESSION_CONFIG: SessionConfig = {
  ttlMs: 60 * 60_000,
  extendMs: 30 * 60_000,
  maxLifetimeMs: 4 * 60 * 60_000,
  idleMs: 30 * 60_000,
  maxActivePerUser: 2,
  poolSize: 2,
  orphanGraceMs: 2 * 60_000,
  tickMs: 15_000,
  reconcileMs: 60_000,
  deadNodeConfirmMs: 1_500,
  // A node is ready in about a second on a quiet host and a minute on a very
  // busy one; a kind cluster takes one to three minutes.
  provisionDeadlineMs: { node: 5 * 60_000, cluster: 15 * 60_000 },
};
