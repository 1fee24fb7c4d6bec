/**
 * The browser side of one terminal's WebSocket: connects, reconnects with
 * backoff (250 ms doubling to 5 s), resumes from the last output offset it
 * has, and never hands the same byte to the screen twice.
 */
import { decodeServerFrame, encodeClose, encodeInputChunks, encodeResize, handshakeQuery, isFinalClose, TERMINAL_PATH } from "@/server/terminal/protocol";

/** What the UI shows about a connection, in words. */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "closed";

export interface ConnectionListener {
  /** Output to write to the screen; `reset` asks to clear it first. */
  output(data: Uint8Array, reset: boolean): void;
  /** State changes; `detail` is a sentence for the user (e.g. why it closed). */
  state(state: ConnectionState, detail: string | null): void;
  /** Whether this connection may type. */
  readOnly(readOnly: boolean): void;
  /** The learner's terminal size, sent to watchers: draw at it, not at the window's size. */
  size(cols: number, rows: number): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

export class TerminalConnection {
  private ws: WebSocket | null = null;
  private offset = 0;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  /** True when the server attached us read-only (an instructor watching). */
  private watching = false;
  private lastError: string | null = null;

  constructor(
    private readonly sessionId: string,
    private readonly terminalId: string,
    private readonly size: () => { cols: number; rows: number },
    private readonly listener: ConnectionListener,
  ) {}

  /** Opens the connection (call once). */
  start(): void {
    this.connect("connecting");
  }

  /** Sends keystrokes or pasted text (or raw bytes); dropped while disconnected or watching read-only. */
  input(data: string | Uint8Array): void {
    if (this.ws?.readyState !== WebSocket.OPEN || this.watching) return;
    for (const f of encodeInputChunks(data)) this.ws.send(f);
  }

  resize(cols: number, rows: number): void {
    // A watcher's window size is not the learner's: the server would refuse it anyway.
    if (this.ws?.readyState === WebSocket.OPEN && !this.watching) this.ws.send(encodeResize(cols, rows));
  }

  /** Closes the socket for good; with `endShell` the server kills the shell now. */
  dispose(endShell = false): void {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ws?.readyState === WebSocket.OPEN && endShell) this.ws.send(encodeClose());
    this.ws?.close(1000);
    this.ws = null;
  }

  private connect(state: ConnectionState): void {
    if (this.disposed) return;
    this.listener.state(state, null);
    const { cols, rows } = this.size();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const q = handshakeQuery({ session: this.sessionId, terminal: this.terminalId, offset: this.offset, cols, rows });
    const ws = new WebSocket(`${scheme}//${location.host}${TERMINAL_PATH}?${q}`);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.lastError = null;
    ws.onmessage = (ev) => this.receive(new Uint8Array(ev.data as ArrayBuffer));
    ws.onclose = (ev) => {
      if (this.ws !== ws || this.disposed) return;
      this.ws = null;
      if (isFinalClose(ev.code)) {
        this.listener.state("closed", this.lastError ?? "The terminal closed.");
        return;
      }
      // Anything else is transient (network, server restart): try again.
      const wait = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      this.listener.state("reconnecting", `Connection lost; retrying in ${(wait / 1000).toFixed(wait < 1000 ? 2 : 0)} s.`);
      this.retryTimer = setTimeout(() => this.connect("reconnecting"), wait);
    };
  }

  private receive(bytes: Uint8Array): void {
    let f;
    try {
      f = decodeServerFrame(bytes);
    } catch {
      return; // a frame this client does not understand; ignore it
    }
    switch (f.type) {
      case "ready":
        this.retryMs = FIRST_RETRY_MS;
        this.offset = f.resumeFrom;
        this.watching = f.readOnly;
        this.listener.readOnly(f.readOnly);
        this.listener.state("connected", f.readOnly ? "Read-only: you are watching this terminal." : null);
        // A new shell, or bytes we missed fell out of the server's buffer.
        if (f.reset) this.listener.output(new Uint8Array(), true);
        return;
      case "output": {
        // Skip anything already on screen (a resumed stream starts at our offset).
        const end = f.offset + f.data.length;
        if (end <= this.offset) return;
        const data = f.offset < this.offset ? f.data.subarray(this.offset - f.offset) : f.data;
        this.offset = end;
        this.listener.output(data, false);
        return;
      }
      case "exit":
        this.lastError = f.code === null ? "The shell exited." : `The shell exited with code ${f.code}.`;
        return;
      case "error":
        this.lastError = f.message;
        if (f.code === "READ_ONLY" || f.code === "RATE_LIMITED") this.listener.state("connected", f.message);
        return;
      case "size":
        this.listener.size(f.cols, f.rows);
        return;
      case "pong":
        return;
    }
  }
}
