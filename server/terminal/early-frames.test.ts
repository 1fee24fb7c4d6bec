import { EventEmitter } from "node:events";
import type { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { EarlyFrames } from "./early-frames";

describe("frames held while the shell starts", () => {
  it("keeps frames in order up to the bound, counts the rest, and stops holding once released", () => {
    const ws = new EventEmitter();
    const early = new EarlyFrames(ws as unknown as WebSocket, 10);
    ws.emit("message", Buffer.from("abcd"), true);
    ws.emit("message", Buffer.from("efgh"), true);
    ws.emit("message", Buffer.from("ijkl"), true); // 12 > 10: dropped
    ws.emit("message", Buffer.from("mn"), true); // fits again
    expect(early.dropped).toBe(4);
    expect(early.release().map((f) => f.data.toString())).toEqual(["abcd", "efgh", "mn"]);
    expect(ws.listenerCount("message")).toBe(0);
    ws.emit("message", Buffer.from("late"), true);
    expect(early.release()).toEqual([]);
  });
});
