import { describe, expect, it } from "vitest";
import { CreationSlots } from "./creation-slots";

describe("limit on concurrent cluster creations", () => {
  it("lets `limit` through at once and the rest in order as slots free up", async () => {
    const slots = new CreationSlots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((r) => (order.push("c"), r));
    const d = slots.acquire().then((r) => (order.push("d"), r));
    await Promise.resolve();
    expect(slots.active).toBe(2);
    expect(slots.queued).toBe(2);
    a();
    a(); // idempotent: does not free a second slot
    const rc = await c;
    expect(order).toEqual(["c"]);
    b();
    await d;
    expect(order).toEqual(["c", "d"]);
    rc();
    expect(slots.active).toBe(1);
  });

  it("a waiter can give up", async () => {
    const slots = new CreationSlots(1);
    await slots.acquire();
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    ac.abort();
    await expect(waiting).rejects.toThrow(/aborted/);
    expect(slots.queued).toBe(0);
  });

  it("refuses a limit below 1", () => {
    expect(() => new CreationSlots(0)).toThrow(/whole number >= 1/);
  });
});
