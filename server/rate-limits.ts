import type { Env } from "./env";
import { DomainError } from "./errors";
import { TokenBucket } from "./terminal/rate-limit";

/** Calls a second, refilled continuously, and how many may come at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

// Idle keys are looked for at most this often: a sweep walks every key.
const SWEEP_EVERY_MS = 60_000;

/**
 * One token bucket per key (a user id): each key may spend `burst` calls at
 * once and `perSecond` after that; a call over it is refused with
 * RATE_LIMITED and `refusal`, a sentence saying what to do. The buckets are
 * the terminal's (server/terminal/rate-limit.ts), one per key.
 *
 * A key idle long enough for its bucket to be full again is forgotten: a new
 * bucket would start full too, so forgetting changes no answer, and memory
 * follows the users active in the last minutes, not every user ever seen.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; lastUsed: number }>();
  private readonly fullAfterMs: number;
  private lastSweep: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly refusal: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.fullAfterMs = (limit.burst / limit.perSecond) * 1000;
    this.lastSweep = now();
  }

  /** Keys with a bucket now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Spends one call of `key`'s budget, or throws RATE_LIMITED (spending nothing). */
  take(key: string): void {
    const t = this.now();
    if (t - this.lastSweep >= SWEEP_EVERY_MS) this.sweep(t);
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.limit.perSecond, this.limit.burst, this.now), lastUsed: t };
      this.buckets.set(key, entry);
    }
    entry.lastUsed = t;
    if (!entry.bucket.take(1)) {
      throw new DomainError("RATE_LIMITED", this.refusal, `over ${this.limit.perSecond} a second, ${this.limit.burst} at once`);
    }
  }

  private sweep(t: number): void {
    this.lastSweep = t;
    for (const [key, entry] of this.buckets) if (t - entry.lastUsed >= this.fullAfterMs) this.buckets.delete(key);
  }
}

/** The platform's limits on calls that cost real work, per user. */
export interface RateLimits {
  /** grading.checkNow: runs the session's pending checks on its node. */
  checkNow: KeyedRateLimiter;
  /** sessions.cgroupTree: one `docker exec` into the node. */
  cgroupTree: KeyedRateLimiter;
  /** Every /api/v1 call, per account (all its tokens and its cookie share one budget). */
  api: KeyedRateLimiter;
}

/** The limits the environment sets (server/env.ts RATE_LIMIT_*). */
export function platformRateLimits(env: Env, now?: () => number): RateLimits {
  const api = { perSecond: env.RATE_LIMIT_API_PER_SEC, burst: env.RATE_LIMIT_API_BURST };
  return {
    checkNow: new KeyedRateLimiter({ perSecond: env.RATE_LIMIT_CHECK_NOW_PER_SEC, burst: env.RATE_LIMIT_CHECK_NOW_BURST }, "You are checking too often; wait a second and try again.", now),
    cgroupTree: new KeyedRateLimiter(
      { perSecond: env.RATE_LIMIT_CGROUP_TREE_PER_SEC, burst: env.RATE_LIMIT_CGROUP_TREE_BURST },
      "The cgroup tree is being refreshed too often; wait a second and try again.",
      now,
    ),
    api: new KeyedRateLimiter(api, `Too many API requests from your account: at most ${api.perSecond} a second (${api.burst} at once); wait a second and try again.`, now),
  };
}
