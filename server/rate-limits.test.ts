import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";
import { isDomainError } from "./errors";
import { KeyedRateLimiter, platformRateLimits } from "./rate-limits";

/** How many of `n` calls at one instant `limiter` lets through for `key`. */
function allowed(limiter: KeyedRateLimiter, key: string, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      limiter.take(key);
      ok++;
    } catch (err) {
      if (!isDomainError(err)) throw err;
    }
  }
  return ok;
}

describe("KeyedRateLimiter", () => {
  it("lets a key spend its burst, then refuses with RATE_LIMITED and the limiter's sentence", () => {
    const limiter = new KeyedRateLimiter({ perSecond: 2, burst: 3 }, "You are checking too often; wait a second and try again.", () => 0);
    expect(allowed(limiter, "ada", 3)).toBe(3);
    let refusal: unknown;
    try {
      limiter.take("ada");
    } catch (err) {
      refusal = err;
    }
    expect(isDomainError(refusal)).toBe(true);
    expect(refusal).toMatchObject({ code: "RATE_LIMITED", message: "You are checking too often; wait a second and try again." });
  });

  it("keeps keys apart: one user's flood leaves another's budget whole", () => {
    const limiter = new KeyedRateLimiter({ perSecond: 1, burst: 5 }, "Slow down.", () => 0);
    expect(allowed(limiter, "ada", 100)).toBe(5);
    expect(allowed(limiter, "bob", 5)).toBe(5);
  });

  it("refills at its rate, never above the burst", () => {
    let now = 0;
    const limiter = new KeyedRateLimiter({ perSecond: 5, burst: 10 }, "Slow down.", () => now);
    expect(allowed(limiter, "ada", 20)).toBe(10);
    now += 1000;
    expect(allowed(limiter, "ada", 20)).toBe(5);
    now += 60_000;
    expect(allowed(limiter, "ada", 20)).toBe(10);
  });

  it("forgets keys idle long enough to be full again, so a month of users does not pile up in memory", () => {
    let now = 0;
    const limiter = new KeyedRateLimiter({ perSecond: 1, burst: 2 }, "Slow down.", () => now);
    for (let i = 0; i < 1000; i++) limiter.take(`user-${i}`);
    expect(limiter.size).toBe(1000);
    now += 120_000;
    limiter.take("late");
    expect(limiter.size).toBe(1);
    // A forgotten key starts again with a full burst, exactly what it had earned.
    expect(allowed(limiter, "user-1", 5)).toBe(2);
  });
});

describe("platformRateLimits", () => {
  it("defaults generous enough that a normal learner never meets them", () => {
    const now = () => 0;
    const limits = platformRateLimits(parseEnv({}), now);
    expect(allowed(limits.checkNow, "ada", 100)).toBe(10);
    expect(allowed(limits.cgroupTree, "ada", 100)).toBe(5);
    expect(allowed(limits.api, "ada", 100)).toBe(40);
  });

  it("takes its numbers from the environment, and says what to do in each refusal", () => {
    let now = 0;
    const limits = platformRateLimits(parseEnv({ RATE_LIMIT_CHECK_NOW_PER_SEC: "1", RATE_LIMIT_CHECK_NOW_BURST: "2", RATE_LIMIT_API_PER_SEC: "3", RATE_LIMIT_API_BURST: "4" }), () => now);
    expect(allowed(limits.checkNow, "ada", 10)).toBe(2);
    now += 1000;
    expect(allowed(limits.checkNow, "ada", 10)).toBe(1);
    expect(allowed(limits.api, "ada", 10)).toBe(4);
    expect(() => limits.checkNow.take("ada")).toThrow("You are checking too often; wait a second and try again.");
    expect(() => limits.cgroupTree.take("ada")).not.toThrow();
    expect(() => limits.api.take("ada")).toThrow("Too many API requests from your account: at most 3 a second (4 at once); wait a second and try again.");
  });
});
