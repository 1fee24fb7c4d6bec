import { describe, expect, it } from "vitest";
import { BackgroundWork } from "./background";

describe("background work (unit)", () => {
  it("logs a failure instead of leaving an unhandled rejection", async () => {
    const lines: string[] = [];
    const work = new BackgroundWork((m) => lines.push(m));
    work.run("refilling the pool", async () => {
      throw new Error("engine gone");
    });
    expect(await work.drain()).toBe(0);
    expect(lines).toEqual(["refilling the pool failed: engine gone"]);
  });

  it("drain waits for running work and for work that work starts", async () => {
    const work = new BackgroundWork(() => {});
    const order: string[] = [];
    work.run("outer", async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push("outer");
      work.run("inner", async () => {
        await new Promise((r) => setTimeout(r, 20));
        order.push("inner");
      });
    });
    expect(work.stopping).toBe(false);
    expect(await work.drain()).toBe(0);
    expect(order).toEqual(["outer", "inner"]);
    expect(work.stopping).toBe(true);
  });

  it("gives up after the timeout and says how many still run", async () => {
    const work = new BackgroundWork(() => {});
    work.run("stuck", () => new Promise(() => {}));
    expect(await work.drain(30)).toBe(1);
  });
});
