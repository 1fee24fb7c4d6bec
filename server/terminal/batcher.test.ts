import { describe, expect, it, vi } from "vitest";
import { OutputBatcher } from "./batcher";

describe("OutputBatcher", () => {
  it("sends a write after a quiet period at once, then coalesces a burst until the delay passes", async () => {
    const out: Uint8Array[] = [];
    const b = new OutputBatcher((d) => out.push(d), 5, 1024);
    b.push(new Uint8Array([0x61])); // a keystroke echo: no delay
    expect(out).toEqual([new Uint8Array([0x61])]);
    b.push(new Uint8Array([0xf0, 0x9f]));
    b.push(new Uint8Array([0x98, 0x80]));
    expect(out.length).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    // The emoji split across two writes arrives as one frame, bytes intact.
    expect(out).toEqual([new Uint8Array([0x61]), new Uint8Array([0xf0, 0x9f, 0x98, 0x80])]);
  });

  it("flushes at once when a batch reaches its size limit, never exceeding it", () => {
    vi.useFakeTimers();
    try {
      const out: Uint8Array[] = [];
      // A clock that never advances: every push is inside the burst window.
      const b = new OutputBatcher(
        (d) => out.push(d),
        1000,
        4,
        () => 0,
      );
      b.push(new Uint8Array([0]));
      out.length = 0;
      b.push(new Uint8Array([1, 2, 3]));
      b.push(new Uint8Array([4, 5, 6, 7, 8, 9, 10]));
      expect(out.map((d) => [...d])).toEqual([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]);
      vi.advanceTimersByTime(1000);
      expect(out.map((d) => [...d])).toEqual([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 10],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
