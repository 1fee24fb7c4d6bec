/**
 * All live terminals of this process, keyed by (session id, terminal id), so
 * several tabs and every reconnect of one terminal attach to the same shell.
 * Also enforces the per-session limit and closes a session's terminals when
 * the session stops being ready.
 */
import { randomBytes } from "node:crypto";
import type { SandboxProvider } from "../sandbox/provider";
import type { SessionService } from "../sessions/service";
import type { SessionUser } from "../auth/principal";
import type { TerminalConfig } from "./config";
import { nodeStoppedEnd } from "./node-stopped";
import { CloseCode } from "./protocol";
import { Terminal } from "./terminal";

/** Where and how to open a shell when a terminal does not exist yet. */
export interface OpenRequest {
  sessionId: string;
  terminalId: string;
  provider: SandboxProvider;
  sandboxId: string;
  cols: number;
  rows: number;
  /** The connecting user, used to follow the session's state. */
  user: SessionUser;
}

/** Thrown when a session already has its maximum of terminals. */
export class TooManyTerminalsError extends Error {
  constructor(max: number) {
    super(`This lab already has ${max} terminals open. Close one of them to open another.`);
    this.name = "TooManyTerminalsError";
  }
}

export class TerminalRegistry {
  private readonly terminals = new Map<string, Terminal>();
  private readonly opening = new Map<string, Promise<Terminal>>();
  private readonly watchers = new Map<string, AbortController>();
  private readonly lastTouch = new Map<string, number>();
  private closing = false;
  /**
   * Until a node's leftover shells are ended, no new shell opens in it: the
   * reaper ends every shell it does not recognise as this process's, and a
   * shell opened meanwhile must never be one it sweeps up (the soak saw five
   * learners' fresh shells end at the moment the reaper went through their
   * nodes). Set by reapLeftovers: resolves once the node list is known.
   */
  private reaping: Promise<Map<string, Promise<void>>> = Promise.resolve(new Map());
  /**
   * This process's mark on the shells it opens (kept in the node): shells
   * with another mark belong to a server process that is gone, and no client
   * can ever reattach to them.
   */
  readonly owner = `srv-${randomBytes(6).toString("hex")}`;

  constructor(
    private readonly sessions: Pick<SessionService, "watch" | "touch">,
    private readonly config: TerminalConfig,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  /** The live terminal, or undefined. */
  get(sessionId: string, terminalId: string): Terminal | undefined {
    const t = this.terminals.get(key(sessionId, terminalId));
    return t && !t.closed ? t : undefined;
  }

  /**
   * Ids of the session's open terminals, for staff who want to watch one
   * (watchers may only attach to terminals the learner opened).
   */
  list(sessionId: string): { terminalId: string; clients: number }[] {
    const prefix = `${sessionId}/`;
    const open = [...this.terminals.entries()].filter(([k, t]) => k.startsWith(prefix) && !t.closed).map(([k, t]) => ({ terminalId: k.slice(prefix.length), clients: t.clients }));
    // Shells still starting are listed too: a client that attaches waits for them.
    const starting = [...this.opening.keys()].filter((k) => k.startsWith(prefix) && !this.terminals.has(k)).map((k) => ({ terminalId: k.slice(prefix.length), clients: 0 }));
    return [...open, ...starting].sort((a, b) => a.terminalId.localeCompare(b.terminalId));
  }

  /** Live terminals of a session (opening ones included). */
  count(sessionId: string): number {
    let n = 0;
    for (const k of [...this.terminals.keys(), ...this.opening.keys()]) if (k.startsWith(`${sessionId}/`)) n++;
    return n;
  }

  /** Open shells of every session and the clients attached to them (for metrics). */
  totals(): { shells: number; clients: number } {
    let shells = 0;
    let clients = 0;
    for (const t of this.terminals.values()) {
      if (t.closed) continue;
      shells++;
      clients += t.clients;
    }
    return { shells, clients };
  }

  /** Returns the terminal, opening its shell first if it does not exist. */
  async getOrOpen(req: OpenRequest): Promise<Terminal> {
    if (this.closing) throw new Error("The server is shutting down.");
    const k = key(req.sessionId, req.terminalId);
    const live = this.get(req.sessionId, req.terminalId);
    if (live) return live;
    const pending = this.opening.get(k);
    if (pending) return pending;
    if (this.count(req.sessionId) >= this.config.maxPerSession) throw new TooManyTerminalsError(this.config.maxPerSession);
    const p = this.open(k, req).finally(() => this.opening.delete(k));
    this.opening.set(k, p);
    return p;
  }

  private async open(k: string, req: OpenRequest): Promise<Terminal> {
    await (await this.reaping).get(req.sandboxId);
    const shell = await req.provider.openShell(req.sandboxId, { cols: req.cols, rows: req.rows, cwd: "/root", owner: this.owner });
    const terminal = new Terminal(
      k,
      shell,
      { cols: req.cols, rows: req.rows },
      this.config,
      () => this.touch(req.sessionId),
      (code) => nodeStoppedEnd(req, code),
    );
    this.terminals.set(k, terminal);
    this.followSession(req.sessionId, req.user);
    void terminal.done.then(() => {
      if (this.terminals.get(k) === terminal) this.terminals.delete(k);
      if (this.count(req.sessionId) === 0) this.unfollow(req.sessionId);
    });
    return terminal;
  }

  /** Records learner activity, at most once per touchEveryMs per session. */
  private touch(sessionId: string): void {
    const now = Date.now();
    if (now - (this.lastTouch.get(sessionId) ?? 0) < this.config.touchEveryMs) return;
    this.lastTouch.set(sessionId, now);
    this.sessions.touch(sessionId).catch((err: unknown) => this.log(`could not record activity of ${sessionId}: ${(err as Error).message}`));
  }

  /** Closes every terminal of the session once it leaves "ready". */
  private followSession(sessionId: string, user: SessionUser): void {
    if (this.watchers.has(sessionId)) return;
    const controller = new AbortController();
    this.watchers.set(sessionId, controller);
    void (async () => {
      try {
        for await (const s of this.sessions.watch(user, sessionId, controller.signal)) {
          if (s.state !== "ready") {
            await this.closeSession(sessionId, s.reason ?? "This lab session has ended.");
            return;
          }
        }
      } catch (err) {
        if (!controller.signal.aborted) this.log(`stopped following session ${sessionId}: ${(err as Error).message}`);
      }
    })();
  }

  private unfollow(sessionId: string): void {
    this.watchers.get(sessionId)?.abort();
    this.watchers.delete(sessionId);
    this.lastTouch.delete(sessionId);
  }

  /** Closes all terminals of a session with a SESSION_ENDED error. */
  async closeSession(sessionId: string, reason: string): Promise<void> {
    const mine = [...this.terminals.values()].filter((t) => t.key.startsWith(`${sessionId}/`));
    await Promise.all(mine.map((t) => t.close({ kind: "error", code: "SESSION_ENDED", message: reason, closeCode: CloseCode.SessionEnded })));
    this.unfollow(sessionId);
  }

  /**
   * Ends the shells a previous server process left in live nodes (it was
   * killed or crashed, so it could not end them; their terminals lived in
   * its memory and nobody can reattach): each with everything it started in
   * its session. Nodes are done a few at a time, and a terminal opening in a
   * node waits for that node only. Returns how many shells in how many nodes.
   */
  async reapLeftovers(nodes: LeftoverNodes | Promise<LeftoverNodes>): Promise<{ shells: number; nodes: number }> {
    const list = Promise.resolve(nodes).catch((err: unknown) => {
      this.log(`could not look for old shells: ${String(err)}`);
      return [];
    });
    const reaps = list.then((all) => {
      const perNode = new Map<string, Promise<number>>();
      // REAP_CONCURRENCY lanes, each reaping its nodes one after another.
      const lanes: Promise<unknown>[] = Array.from({ length: REAP_CONCURRENCY }, () => Promise.resolve());
      all.forEach(({ provider, sandboxId }, i) => {
        const lane = i % REAP_CONCURRENCY;
        const reap = lanes[lane]!.then(() => this.reapNode(provider, sandboxId));
        lanes[lane] = reap;
        perNode.set(sandboxId, reap);
      });
      return perNode;
    });
    this.reaping = reaps.then((perNode) => new Map([...perNode].map(([id, p]) => [id, p.then(() => {})])));
    const counts = await Promise.all([...(await reaps).values()]);
    const shells = counts.reduce((a, b) => a + b, 0);
    const hit = counts.filter((n) => n > 0).length;
    if (shells > 0) this.log(`ended ${shells} shell(s) left by a previous server process in ${hit} node(s)`);
    return { shells, nodes: hit };
  }

  /** Ends one node's leftover shells; how many (0 when it could not). */
  private async reapNode(provider: SandboxProvider, sandboxId: string): Promise<number> {
    if (!provider.reapShells) return 0;
    try {
      return await provider.reapShells(sandboxId, this.owner);
    } catch (err) {
      this.log(`could not end old shells in ${sandboxId}: ${(err as Error).message}`);
      return 0;
    }
  }

  /**
   * Shutdown: kills every shell (sandboxes outlive the server, shells must
   * not linger in them) and tells clients to reconnect later (1012).
   */
  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.allSettled(this.opening.values());
    const all = [...this.terminals.values()];
    await Promise.all(all.map((t) => t.close({ kind: "error", code: "SHUTTING_DOWN", message: "The server is restarting; your terminal will reconnect with a new shell.", closeCode: 1012 })));
    for (const s of [...this.watchers.keys()]) this.unfollow(s);
  }
}

type LeftoverNodes = { provider: SandboxProvider; sandboxId: string }[];

/** Nodes whose old shells are ended at the same time after a restart. */
const REAP_CONCURRENCY = 8;

function key(sessionId: string, terminalId: string): string {
  return `${sessionId}/${terminalId}`;
}
