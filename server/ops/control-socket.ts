/**
 * The running server's control socket, `DATA_DIR/control.sock`: how the
 * `labs` CLI reads the database while the server holds it. The embedded
 * database (PGlite) is one process's alone: a second process opening its
 * directory could corrupt it, so while a server runs, the CLI asks it.
 *
 * A Unix socket with mode 0600, not a TCP port: its answers carry learners'
 * emails, and only whoever may read DATA_DIR's files (the server's user and
 * root) may connect. One request: POST /session-records with a
 * RecordQuery, answered with SessionRecord[] (session-records.ts).
 */
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import { readSessionRecords, type RecordQuery, type SessionRecord } from "./session-records";

const SOCKET_NAME = "control.sock";
/** A Unix socket path must fit sun_path: 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH = 107;
const MAX_BODY_BYTES = 1 << 20;

const querySchema = z.object({
  sandboxIds: z.array(z.string().max(200)).max(10_000),
  sessionIds: z.array(z.string().max(200)).max(10_000),
});

/** The control socket of a data directory; null when its path is too long for a Unix socket. */
export function controlSocketPath(dataDir: string): string | null {
  const file = path.join(path.resolve(dataDir), SOCKET_NAME);
  return Buffer.byteLength(file) <= MAX_SOCKET_PATH ? file : null;
}

export interface ControlSocket {
  /** Starts answering from this database (503 "starting" until then). */
  serve(prisma: PrismaClient): void;
  /** Stops answering and removes the socket file. */
  close(): Promise<void>;
}

/**
 * Serves the control socket of `dataDir`. Start it before the database opens
 * so the CLI never takes a starting server's data directory for a free one.
 * Returns null (after logging why) when it cannot listen; the server runs on
 * without it.
 */
export async function startControlSocket(dataDir: string, log: (msg: string) => void): Promise<ControlSocket | null> {
  const file = controlSocketPath(dataDir);
  if (!file) {
    log(`server: no control socket: the path under DATA_DIR ${dataDir} is longer than a Unix socket allows; \`labs sandbox ls\` cannot read the embedded database while this server runs`);
    return null;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (await answers(file)) {
    log(`server: another process serves ${file}: is a second server running on this DATA_DIR? This one has no control socket`);
    return null;
  }
  // A socket file left by a server that was killed answers nobody: replace it.
  fs.rmSync(file, { force: true });
  let database: PrismaClient | undefined;
  const server = http.createServer((req, res) => void answer(req, res, database));
  try {
    await listenPrivately(server, file);
  } catch (err) {
    log(`server: no control socket at ${file}: ${(err as Error).message}`);
    return null;
  }
  return {
    serve: (prisma) => {
      database = prisma;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        fs.rmSync(file, { force: true });
      }),
  };
}

/** True when something accepts connections on the socket file. */
function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(file);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/** Listens with the socket file created as 0600 (umask), not made private after the fact. */
async function listenPrivately(server: http.Server, file: string): Promise<void> {
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(file, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  fs.chmodSync(file, 0o600);
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse, prisma: PrismaClient | undefined): Promise<void> {
  const reply = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  if (req.method !== "POST" || req.url !== "/session-records") return void reply(404, { error: "POST /session-records is the only request" });
  try {
    const query = querySchema.safeParse(JSON.parse(await readBody(req)));
    if (!query.success) return void reply(400, { error: "expected { sandboxIds: string[], sessionIds: string[] }" });
    if (!prisma) return void reply(503, { error: "the server is starting; try again in a few seconds" });
    reply(200, await readSessionRecords(prisma, query.data));
  } catch (err) {
    reply(500, { error: (err as Error).message });
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_BODY_BYTES) throw new Error("request too large");
  }
  return body;
}

/**
 * Asks the server serving `socketPath`. Connection errors keep their code:
 * ENOENT (no socket) and ECONNREFUSED (a dead server's socket) both mean no
 * server holds the data directory. A refusal is an Error with its sentence.
 */
export function askSessionRecords(socketPath: string, query: RecordQuery, timeoutMs = 10_000): Promise<SessionRecord[]> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: "/session-records", method: "POST", headers: { "content-type": "application/json" }, timeout: timeoutMs, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        try {
          const parsed = JSON.parse(body) as SessionRecord[] | { error: string };
          if (res.statusCode === 200 && Array.isArray(parsed)) resolve(parsed);
          else reject(new Error(`the server at ${socketPath} answered ${res.statusCode}: ${"error" in parsed ? parsed.error : body}`));
        } catch {
          reject(new Error(`the server at ${socketPath} answered ${res.statusCode} with something other than JSON`));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`the server at ${socketPath} did not answer within ${timeoutMs / 1000} s`)));
    req.on("error", reject);
    req.end(JSON.stringify(query));
  });
}
