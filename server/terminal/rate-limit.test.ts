import { describe, expect, it } from "vitest";
import { TokenBucket } from "./rate-limit";

describe("TokenBucket", () => {
  it("allows a burst, refuses beyond it, and refills over time", () => {
    let now = 0;
    const b = new TokenBucket(100, 200, () => now);
    expect(b.take(150)).toBe(true);
    expect(b.take(100)).toBe(false);
    now = 1000; // +100 tokens
    expect(b.take(150)).toBe(true);
    now = 100_000;
    expect(b.take(200)).toBe(true); // capped at the burst
    expect(b.take(1)).toBe(false);
  });
});
