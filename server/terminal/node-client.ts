/**
 * A terminal client for Node (integration tests and the benchmark): speaks
 * the protocol over `ws`, keeps every output byte with its offset, and can
 * wait for text to appear. The browser has its own client in
 * app/_components/terminal/connection.ts.
 */
import WebSocket from "ws";
import { decodeServerFrame, encodeClose, encodeInputChunks, encodeResize, handshakeQuery, TERMINAL_PATH, type ServerFrame, type TerminalHandshake } from "./protocol";

/** Thrown when the server refuses the upgrade with an HTTP status. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`terminal upgrade refused: ${status} ${body.trim()}`);
  }
}

export interface ConnectOptions extends Partial<Omit<TerminalHandshake, "session" | "terminal">> {
  session: string;
  terminal: string;
  cookie?: string;
  origin?: string;
}

export class NodeTerminalClient {
  /** Every output byte received, in order. */
  private readonly chunks: Buffer[] = [];
  /** Non-output frames (ready, error, exit, pong). */
  readonly frames: ServerFrame[] = [];
  /** Offset one past the last output byte received. */
  offset = 0;
  /** Bytes of output received by this connection. */
  received = 0;
  /** Output frames whose offset did not continue the previous one. */
  gaps = 0;
  /** Set false to count output without keeping it (benchmarks of many MB). */
  keepOutput = true;
  /** Called with every output payload as it arrives. */
  onData: ((data: Uint8Array) => void) | null = null;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("message", (data: Buffer) => this.receive(data));
    ws.on("close", () => this.notify());
  }

  /** Connects; rejects with {@link UpgradeRefused} on an HTTP refusal. */
  static connect(baseUrl: string, o: ConnectOptions): Promise<NodeTerminalClient> {
    const url = `${baseUrl.replace(/^http/, "ws")}${TERMINAL_PATH}?${handshakeQuery({ session: o.session, terminal: o.terminal, offset: o.offset ?? 0, cols: o.cols ?? 80, rows: o.rows ?? 24 })}`;
    const headers: Record<string, string> = {};
    if (o.cookie) headers.cookie = o.cookie;
    if (o.origin) headers.origin = o.origin;
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const client = new NodeTerminalClient(ws);
    if (o.offset) client.offset = o.offset;
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => reject(new UpgradeRefused(res.statusCode ?? 0, body)));
      });
      ws.once("error", reject);
    });
  }

  /** All output received so far, decoded as UTF-8 in one go. */
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  /** All output bytes received so far. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Types text (split into valid frames). */
  type(text: string): void {
    for (const f of encodeInputChunks(text)) this.ws.send(f);
  }

  /** Asks the server to end the shell now. */
  end(): void {
    this.ws.send(encodeClose());
  }

  resize(cols: number, rows: number): void {
    this.ws.send(encodeResize(cols, rows));
  }

  /** Sends raw bytes as one binary message (for malformed-frame tests). */
  sendRaw(data: Uint8Array | string, binary = true): void {
    this.ws.send(data, { binary });
  }

  /** Waits until `pred` holds, re-checked on every frame. */
  async until(what: string, pred: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last output: ${JSON.stringify(this.text().slice(-300))}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(wake, 100);
        this.waiters.add(wake);
      });
    }
  }

  /** Waits until the output contains `text` (`count` times). */
  waitFor(text: string, timeoutMs?: number, count = 1): Promise<void> {
    return this.until(JSON.stringify(text), () => this.text().split(text).length - 1 >= count, timeoutMs);
  }

  /** The first non-output frame of a type, once it arrives. */
  async frame<T extends ServerFrame["type"]>(type: T, timeoutMs?: number): Promise<Extract<ServerFrame, { type: T }>> {
    await this.until(`a ${type} frame`, () => this.frames.some((f) => f.type === type), timeoutMs);
    return this.frames.find((f) => f.type === type) as Extract<ServerFrame, { type: T }>;
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  private receive(data: Buffer): void {
    const f = decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.length));
    if (f.type === "output") {
      if (f.offset !== this.offset) this.gaps++;
      if (this.keepOutput) this.chunks.push(Buffer.from(f.data));
      this.onData?.(f.data);
      this.offset = f.offset + f.data.length;
      this.received += f.data.length;
    } else {
      if (f.type === "ready") this.offset = f.resumeFrom;
      this.frames.push(f);
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
