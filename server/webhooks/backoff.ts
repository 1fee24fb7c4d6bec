/**
 * When a failed webhook delivery is tried again: after 10 s, 30 s, 2 min,
 * 10 min and 1 h, so a receiver that is down for a deploy gets the event
 * within seconds and one that is down for an hour still gets it. After the
 * last retry fails the delivery is marked failed (6 attempts in all).
 */
export const RETRY_DELAYS_MS = [10_000, 30_000, 120_000, 600_000, 3_600_000] as const;

/** Attempts a delivery gets in all: the first, then one per retry delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** Spread of each delay, ±20 %: many deliveries failing together (receiver down) do not retry in lockstep. */
export const JITTER = 0.2;

/**
 * The wait before the next attempt after `attemptsMade` attempts failed, or
 * null when no attempt is left. `random` is in [0, 1) (Math.random), so the
 * wait lies in [delay x 0.8, delay x 1.2).
 */
export function retryDelayMs(attemptsMade: number, random: () => number = Math.random): number | null {
  if (attemptsMade < 1) return 0;
  const base = RETRY_DELAYS_MS[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}
