/**
 * A WebSocket attached to a terminal: counts the bytes it has queued but not
 * yet written (the same measure as ws.bufferedAmount, but with a callback
 * when it drains), decodes and validates incoming frames, enforces the
 * read-only rule and the input rate limit.
 */
import type { WebSocket } from "ws";
import type { TerminalConfig } from "./config";
import { CloseCode, decodeClientFrame, encodeError, encodePong, ProtocolError } from "./protocol";
import { TokenBucket } from "./rate-limit";
import type { Terminal, TerminalPeer } from "./terminal";

/** A flood of input ends once this long passes with nothing dropped. */
const FLOOD_QUIET_MS = 5_000;

export class WebSocketPeer implements TerminalPeer {
  private pending = 0;
  private readonly bucket: TokenBucket;
  private warnedReadOnly = false;
  /** When input was last dropped (-Infinity: never); a flood lasts until FLOOD_QUIET_MS pass without a drop. */
  private lastDropAt = -Infinity;

  constructor(
    private readonly ws: WebSocket,
    readonly readOnly: boolean,
    private readonly terminal: Terminal,
    config: TerminalConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bucket = new TokenBucket(config.inputBytesPerSec, config.inputBurstBytes, now);
    ws.on("message", (data, isBinary) => this.receive(data as Buffer, isBinary));
    ws.on("close", () => terminal.detach(this));
    ws.on("error", () => terminal.detach(this));
  }

  get pendingBytes(): number {
    return this.pending;
  }

  send(frame: Uint8Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.pending += frame.length;
    this.ws.send(frame, { binary: true }, () => {
      this.pending -= frame.length;
      this.terminal.checkFlow();
    });
  }

  end(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  /** One client frame, as it arrived on the socket (or held while the shell started). */
  receive(data: Buffer, isBinary: boolean): void {
    let frame;
    try {
      if (!isBinary) throw new ProtocolError("Text messages are not part of the terminal protocol; send binary frames.");
      frame = decodeClientFrame(new Uint8Array(data.buffer, data.byteOffset, data.length));
    } catch (err) {
      // A broken client is closed; the shell and other clients carry on.
      this.send(encodeError("BAD_FRAME", (err as Error).message));
      this.end(CloseCode.BadFrame, "bad frame");
      this.terminal.detach(this);
      return;
    }
    switch (frame.type) {
      case "ping":
        this.send(encodePong(frame.data));
        return;
      case "close":
        if (this.readOnly) return;
        void this.terminal.close({ kind: "error", code: "CLOSED", message: "This terminal was closed.", closeCode: CloseCode.Closed });
        return;
      case "resize":
        if (!this.readOnly) this.terminal.resize(frame.cols, frame.rows);
        return;
      case "input":
        if (this.readOnly) {
          if (!this.warnedReadOnly) this.send(encodeError("READ_ONLY", "You are watching this terminal read-only; only the learner who owns the session can type."));
          this.warnedReadOnly = true;
          return;
        }
        if (!this.bucket.take(frame.data.length)) {
          // One warning per flood: in a long paste the bucket refills and
          // frames alternate between passing and dropped, which is still one flood.
          const t = this.now();
          if (t - this.lastDropAt > FLOOD_QUIET_MS) this.send(encodeError("RATE_LIMITED", "Input is arriving faster than the terminal accepts it; some of it was dropped."));
          this.lastDropAt = t;
          return;
        }
        this.terminal.input(frame.data);
        return;
    }
  }
}
