/**
 * The terminal WebSocket endpoint (/api/terminal) on our HTTP server.
 *
 * Everything that can refuse a connection happens before the upgrade, so
 * the browser gets an HTTP status and a sentence: Origin (403), the session
 * cookie (401), the handshake (400), the session (404, or 409 when its
 * sandbox is not running). Owners get read-write; instructors and admins
 * watching someone else's session get read-only.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { canWatchSession } from "../auth/access";
import { HTTP_STATUS, isDomainError } from "../errors";
import type { SandboxProvider } from "../sandbox/provider";
import type { Services } from "../services";
import { userFromHeaders, type SessionUser } from "../auth/principal";
import { DEFAULT_TERMINAL_CONFIG, type TerminalConfig } from "./config";
import { rejectUpgrade } from "./http-reject";
import { WebSocketPeer } from "./peer";
import { CloseCode, encodeError, MAX_FRAME_BYTES, parseHandshake, TERMINAL_PATH, type TerminalHandshake } from "./protocol";
import { EARLY_FRAME_BYTES, EarlyFrames } from "./early-frames";
import { prestartShells } from "./prestart";
import { TerminalRegistry, TooManyTerminalsError } from "./registry";
import type { Terminal } from "./terminal";

/** Outcome of the checks before an upgrade. */
type Authorization = { ok: false; status: number; text: string } | { ok: true; handshake: TerminalHandshake; readOnly: boolean; user: SessionUser; provider: SandboxProvider; sandboxId: string };

const refuse = (status: number, text: string): Authorization => ({ ok: false, status, text });

/** How often idle sockets are pinged; one missed pong drops the socket. */
const HEARTBEAT_MS = 30_000;

/** What the HTTP server needs from the gateway. */
export interface TerminalGateway {
  /** Handles the upgrade if it is for /api/terminal; false to let others take it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** The live terminals (tests inspect them). */
  readonly registry: TerminalRegistry;
  /** Ends when shells left by a previous server process are gone (started with the gateway). */
  readonly leftoversReaped: Promise<{ shells: number; nodes: number }>;
  /** Kills all shells and closes all sockets. */
  close(): Promise<void>;
}

/** Creates the gateway over the platform's services. */
export function createTerminalGateway(services: Services, overrides: Partial<TerminalConfig> = {}, log: (msg: string) => void = () => {}): TerminalGateway {
  const config: TerminalConfig = { ...DEFAULT_TERMINAL_CONFIG, ...overrides };
  const registry = new TerminalRegistry(services.sessions, config, (m) => log(`terminal: ${m}`));
  // A server that was killed (kill -9, OOM, a crash) could not end its
  // shells: they still run in the nodes, with the learner's jobs, unseen.
  // New shells in a node wait for its old ones to be ended (registry.ts).
  const leftoversReaped = registry.reapLeftovers(services.sessions.readySandboxes());
  const stopPrestart = config.prestartShell ? prestartShells(services, registry, log) : () => {};
  // maxPayload is a hard guard above the protocol's own limits, so
  // oversized frames within it get a clear BAD_FRAME error from the decoder.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES, perMessageDeflate: false });
  const allowedOrigins = new Set([new URL(services.env.publicUrl).origin, ...config.trustedOrigins.map((o) => new URL(o).origin)]);
  const alive = new WeakSet<WebSocket>();

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  async function authorize(req: IncomingMessage, url: URL): Promise<Authorization> {
    // Browsers always send Origin on WebSocket upgrades; a foreign one is a
    // cross-site page riding the learner's cookie. Non-browser clients send none.
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) return refuse(403, "This terminal cannot be opened from another site.");
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const user = await userFromHeaders(services.auth, headers);
    if (!user) return refuse(401, "Sign in to open a terminal.");
    const handshake = parseHandshake(url.searchParams);
    if ("error" in handshake) return refuse(400, handshake.error);
    try {
      const session = await services.sessions.get(user, handshake.session);
      const readOnly = session.userId !== user.id;
      const where = await services.sessions.sandboxOf(user, handshake.session);
      // Watchers may look at the learner's terminals but never start a shell.
      if (readOnly && !registry.get(handshake.session, handshake.terminal)) {
        return refuse(404, "That terminal is not open; only the learner can open new terminals.");
      }
      return { ok: true, handshake, readOnly, user, ...where };
    } catch (err) {
      // A refusal with its sentence; an internal fault stays a thrown error (logged, 500).
      if (isDomainError(err) && err.code !== "INTERNAL") return refuse(HTTP_STATUS[err.code], err.message);
      throw err;
    }
  }

  async function connect(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const auth = await authorize(req, url);
    if (!auth.ok) return rejectUpgrade(socket, auth.status, auth.text);
    const { handshake, readOnly } = auth;
    const ws = await new Promise<WebSocket>((resolve) => wss.handleUpgrade(req, socket, head, resolve));
    // Keystrokes sent while the shell starts are held, not lost (issue 16).
    const early = new EarlyFrames(ws);
    alive.add(ws);
    ws.on("pong", () => alive.add(ws));
    let terminal: Terminal | undefined;
    try {
      terminal = readOnly
        ? registry.get(handshake.session, handshake.terminal)
        : await registry.getOrOpen({
            sessionId: handshake.session,
            terminalId: handshake.terminal,
            provider: auth.provider,
            sandboxId: auth.sandboxId,
            cols: handshake.cols,
            rows: handshake.rows,
            user: auth.user,
          });
    } catch (err) {
      const tooMany = err instanceof TooManyTerminalsError;
      ws.send(encodeError(tooMany ? "TOO_MANY_TERMINALS" : "SHELL_FAILED", tooMany ? err.message : `The terminal could not start: ${(err as Error).message}`));
      ws.close(tooMany ? CloseCode.TooManyTerminals : 1011, tooMany ? "too many terminals" : "shell failed");
      return;
    }
    if (!terminal || terminal.closed) {
      ws.send(encodeError("SESSION_ENDED", "That terminal has closed."));
      ws.close(CloseCode.SessionEnded, "terminal closed");
      return;
    }
    if (ws.readyState !== ws.OPEN) return; // gone while the shell started; the grace timer reaps it
    const peer = new WebSocketPeer(ws, readOnly, terminal, config);
    // The learner's window may not be the size the shell was opened at
    // (opened ahead, or in another browser): the newest learner's wins.
    if (!readOnly) terminal.resize(handshake.cols, handshake.rows);
    terminal.attach(peer, handshake.offset);
    // After Ready: the held frames go through the same checks as live ones.
    for (const f of early.release()) peer.receive(f.data, f.isBinary);
    if (early.dropped) {
      peer.send(encodeError("RATE_LIMITED", `${early.dropped} bytes typed while the terminal was starting did not fit (at most ${EARLY_FRAME_BYTES / 1024} KiB are kept) and were dropped.`));
    }
    if (readOnly) recheckWatcher(ws, auth.user, handshake.session);
  }

  /**
   * Access is decided at the handshake, but an instructor's right to watch
   * can end while they watch (cohort archived, learner removed, role
   * changed): check again every so often and close the watcher if it ended.
   */
  function recheckWatcher(ws: WebSocket, user: SessionUser, sessionId: string): void {
    const timer = setInterval(() => {
      void (async () => {
        const prisma = services.db.prisma;
        const [current, session] = await Promise.all([
          prisma.user.findUnique({ where: { id: user.id }, select: { id: true, role: true } }),
          prisma.labSession.findUnique({ where: { id: sessionId }, select: { userId: true, labId: true } }),
        ]);
        if (current && session && (await canWatchSession(prisma, current, session))) return;
        clearInterval(timer);
        ws.send(encodeError("ACCESS_REVOKED", "You can no longer watch this learner's terminal."));
        ws.close(CloseCode.AccessRevoked, "access revoked");
      })().catch((err: unknown) => log(`terminal: watcher re-check failed: ${String(err)}`));
    }, config.watcherRecheckMs);
    timer.unref();
    ws.once("close", () => clearInterval(timer));
  }

  return {
    registry,
    leftoversReaped,
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname !== TERMINAL_PATH) return false;
      connect(req, socket, head, url).catch((err: unknown) => {
        log(`terminal: upgrade failed: ${(err as Error).stack ?? String(err)}`);
        rejectUpgrade(socket, 500, "The terminal could not be opened because of a server error; it was logged.");
      });
      return true;
    },
    async close() {
      clearInterval(heartbeat);
      stopPrestart();
      await leftoversReaped;
      await registry.closeAll();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
