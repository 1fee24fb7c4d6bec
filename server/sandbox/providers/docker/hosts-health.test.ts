import { describe, expect, it } from "vitest";
import { HostHealth } from "./hosts-health";

describe("host health", () => {
  it("goes suspect on the first missed ping and down only after the configured number in a row", () => {
    const h = new HostHealth(3);
    expect(h.recordPing(false, "ECONNREFUSED")).toBeNull();
    expect(h.state).toBe("suspect");
    expect(h.recordPing(false, "ECONNREFUSED")).toBeNull();
    expect(h.recordPing(false, "ECONNREFUSED")).toBe("down");
    expect(h).toMatchObject({ state: "down", failures: 3, lastError: "ECONNREFUSED" });
    // Reported once, not on every further miss.
    expect(h.recordPing(false, "ECONNREFUSED")).toBeNull();
  });

  it("a ping that answers resets the count and brings a down host back", () => {
    const h = new HostHealth(2);
    h.recordPing(false, "timeout");
    expect(h.recordPing(true)).toBeNull();
    expect(h).toMatchObject({ state: "up", failures: 0, lastError: undefined });
    h.recordPing(false, "x");
    h.recordPing(false, "x");
    expect(h.state).toBe("down");
    expect(h.recordPing(true)).toBe("up");
    expect(h.state).toBe("up");
  });

  it("failed operations make a host suspect but never take it down", () => {
    const h = new HostHealth(1);
    for (let i = 0; i < 5; i++) h.markSuspect("list containers: ECONNREFUSED");
    expect(h).toMatchObject({ state: "suspect", failures: 0 });
    expect(h.recordPing(true)).toBeNull();
    expect(h.state).toBe("up");
  });

  it("refuses a threshold below one", () => {
    expect(() => new HostHealth(0)).toThrow("downAfter must be a whole number of at least 1, got 0");
  });
});
