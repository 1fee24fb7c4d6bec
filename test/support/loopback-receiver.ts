import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request a LoopbackReceiver saw. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request had fully arrived. */
  receivedAt: number;
}

/**
 * What the receiver does with the next request: answer with a status (after
 * `delayMs`; with `holdOpen` the body is sent but the response never ends),
 * or never answer.
 */
export type ReceiverReply = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number; holdOpen?: boolean } | "hang";

/**
 * A real HTTP server on 127.0.0.1 that records requests and answers from a
 * script (then 200). Webhook tests deliver here: tests only talk to loopback.
 */
export class LoopbackReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly replies: ReceiverReply[] = [];
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: Date.now() });
        const reply = this.replies.shift() ?? { status: 200, body: "ok" };
        if (reply === "hang") return;
        setTimeout(() => {
          res.writeHead(reply.status, reply.headers);
          if (reply.holdOpen) res.write(reply.body ?? "");
          else res.end(reply.body ?? "");
        }, reply.delayMs ?? 0);
      });
    });
  }

  static async start(): Promise<LoopbackReceiver> {
    const r = new LoopbackReceiver();
    await new Promise<void>((resolve) => r.server.listen(0, "127.0.0.1", resolve));
    return r;
  }

  /** Base URL, e.g. http://127.0.0.1:41234 */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues replies for the next requests (afterwards: 200). */
  reply(...replies: ReceiverReply[]): void {
    this.replies.push(...replies);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
