import { describe, expect, it } from "vitest";
import { JITTER, MAX_ATTEMPTS, RETRY_DELAYS_MS, retryDelayMs } from "./backoff";

describe("webhook retry schedule", () => {
  it("waits 10 s, 30 s, 2 min, 10 min, 1 h, then gives up after 6 attempts", () => {
    const middle = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, middle))).toEqual([10_000, 30_000, 120_000, 600_000, 3_600_000]);
    expect(MAX_ATTEMPTS).toBe(6);
    expect(retryDelayMs(6, middle)).toBeNull();
    expect(retryDelayMs(99, middle)).toBeNull();
  });

  it("spreads each delay by ±20 % so failures do not retry in lockstep", () => {
    for (const [i, base] of RETRY_DELAYS_MS.entries()) {
      expect(retryDelayMs(i + 1, () => 0)).toBe(Math.round(base * (1 - JITTER)));
      expect(retryDelayMs(i + 1, () => 0.999999)).toBeLessThanOrEqual(base * (1 + JITTER));
      expect(retryDelayMs(i + 1, () => 0.999999)).toBeGreaterThan(base * 1.19);
    }
  });

  it("grows with every attempt even at the jitter's extremes", () => {
    for (let n = 1; n < RETRY_DELAYS_MS.length; n++) {
      expect(retryDelayMs(n + 1, () => 0)!).toBeGreaterThan(retryDelayMs(n, () => 0.999999)!);
    }
  });
});
