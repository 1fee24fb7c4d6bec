import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { DEFAULT_TERMINAL_CONFIG } from "./config";
import { WebSocketPeer } from "./peer";
import { decodeServerFrame, encodeInput } from "./protocol";
import type { Terminal } from "./terminal";

/** A socket stand-in that records what the peer sends (unit seam; the gateway test uses real sockets). */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: Uint8Array[] = [];
  send(frame: Uint8Array, _opts: unknown, done: () => void) {
    this.sent.push(frame);
    done();
  }
  close() {}
}

describe("WebSocketPeer input rate limit", () => {
  it("warns once per flood, even when some frames of the flood get through as the bucket refills", () => {
    const ws = new FakeSocket();
    const typed: Uint8Array[] = [];
    const terminal = { input: (d: Uint8Array) => typed.push(d), detach() {}, checkFlow() {} } as unknown as Terminal;
    let now = 0;
    new WebSocketPeer(ws as unknown as WebSocket, false, terminal, { ...DEFAULT_TERMINAL_CONFIG, inputBytesPerSec: 64 * 1024, inputBurstBytes: 128 * 1024 }, () => now);
    const chunk = Buffer.from(encodeInput(new Uint8Array(60 * 1024)));
    // A paste flood of 60 KiB every 20 ms for 3 s: the bucket refills, so frames alternate between passing and dropped.
    for (; now < 3_000; now += 20) ws.emit("message", chunk, true);
    let warnings = ws.sent.map((f) => decodeServerFrame(f)).filter((f) => f.type === "error" && f.code === "RATE_LIMITED");
    expect(typed.length).toBeGreaterThan(4); // some of it got through after the burst
    expect(warnings).toHaveLength(1);
    // Quiet for longer than a flood's end, then a new flood: a new warning.
    now += 10_000;
    for (let i = 0; i < 10; i++, now += 5) ws.emit("message", chunk, true);
    warnings = ws.sent.map((f) => decodeServerFrame(f)).filter((f) => f.type === "error" && f.code === "RATE_LIMITED");
    expect(warnings).toHaveLength(2);
  });
});
