/**
 * One learner terminal: a TTY shell in the sandbox, the clients attached to
 * it, its replay buffer and its flow control.
 *
 * State only moves forward (coder's reconnecting PTY): running -> closing ->
 * done. A terminal with no client left lives for a grace period so a reload
 * or a flaky network re-attaches to the same shell, then it is killed
 * through the provider (which kills the whole process session in the node).
 */
import type { Shell } from "../sandbox/provider";
import { OutputBatcher } from "./batcher";
import { CommandSettleWatch } from "./command-settle";
import type { TerminalConfig } from "./config";
import { CloseCode, encodeError, encodeExit, encodeOutput, encodeReady, encodeSize, type TerminalErrorCode } from "./protocol";
import { ReplayBuffer } from "./replay";

/** One attached WebSocket as the terminal sees it. */
export interface TerminalPeer {
  /** Watchers (instructors) may not type or resize. */
  readonly readOnly: boolean;
  /** Bytes handed to the socket and not yet written out (ws.bufferedAmount's equivalent). */
  readonly pendingBytes: number;
  send(frame: Uint8Array): void;
  /** Closes the socket with a WebSocket close code. */
  end(code: number, reason: string): void;
}

/** How a terminal ended, for the frames its clients get. */
export type TerminalEnd = { kind: "exit"; code: number | null } | { kind: "error"; code: TerminalErrorCode; message: string; closeCode: number };

type State = "running" | "closing" | "done";

/** Attempts and spacing of the first resize (Docker refuses it until the exec runs). */
const RESIZE_ATTEMPTS = 10;
const RESIZE_RETRY_MS = 50;

export class Terminal {
  private state: State = "running";
  private readonly peers = new Set<TerminalPeer>();
  private readonly replay: ReplayBuffer;
  private readonly batcher: OutputBatcher;
  private paused = false;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private stallTimer: ReturnType<typeof setInterval> | null = null;
  private size: { cols: number; rows: number };
  /** Resizes run one after another, in the order clients sent them. */
  private resizing: Promise<void> = Promise.resolve();
  /** Input waiting for a resize in flight; null when none is. */
  private heldInput: Uint8Array[] | null = null;
  /** Tells config.onCommandSettled when a typed command has finished (grading checks tasks then); null without it. */
  private readonly commands: CommandSettleWatch | null;
  /** Resolves once the terminal is done (shell gone, clients closed). */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    /** Registry key: session id + terminal id. */
    readonly key: string,
    private readonly shell: Shell,
    size: { cols: number; rows: number },
    private readonly config: TerminalConfig,
    private readonly onActivity: () => void,
    /**
     * Asked when the shell ends by itself: an explanation better than "the
     * shell exited" (its node stopped), or null. Absent: always an exit.
     */
    private readonly explainExit?: (code: number | null) => Promise<TerminalEnd | null>,
  ) {
    this.size = size;
    this.done = new Promise((r) => (this.resolveDone = r));
    this.replay = new ReplayBuffer(config.replayBytes);
    this.batcher = new OutputBatcher((data) => this.broadcast(data), config.batchMs, config.batchBytes);
    const settled = config.onCommandSettled;
    this.commands = settled ? new CommandSettleWatch(() => settled(key)) : null;
    shell.stream.on("data", (chunk: Buffer) => {
      if (this.state !== "running") return;
      this.batcher.push(chunk);
      this.commands?.output(chunk);
    });
    shell.stream.on("error", () => undefined); // ended/closed handle the outcome
    void shell.wait().then(async (code) => this.finish((await this.explainExit?.(code).catch(() => null)) ?? { kind: "exit", code }));
    void this.resizeWithRetry(size.cols, size.rows);
    this.armIdle();
    this.armGrace(); // until the first client attaches
  }

  /** Number of attached clients. */
  get clients(): number {
    return this.peers.size;
  }

  /** True once the terminal no longer accepts clients. */
  get closed(): boolean {
    return this.state !== "running";
  }

  /** Bytes held for replay (for tests and metrics). */
  get replayBytes(): number {
    return this.replay.size;
  }

  /** True while the shell's output is paused for a slow client. */
  get outputPaused(): boolean {
    return this.paused;
  }

  /**
   * Attaches a client that already has output up to `offset`: sends Ready,
   * then the replayed bytes it misses, then live output.
   */
  attach(peer: TerminalPeer, offset: number): void {
    if (this.state !== "running") throw new Error(`terminal ${this.key} is ${this.state}`);
    // Everything batched so far goes into the replay first, so live frames
    // start exactly where the replay ends (no gap, no duplicate).
    this.batcher.flush();
    const { from, chunks } = this.replay.since(offset);
    peer.send(encodeReady({ readOnly: peer.readOnly, resumeFrom: from, reset: from !== offset }));
    // A watcher draws at the learner's size, not its own window's.
    if (peer.readOnly) peer.send(encodeSize(this.size.cols, this.size.rows));
    let at = from;
    for (const c of chunks) {
      peer.send(encodeOutput(at, c));
      at += c.length;
    }
    this.peers.add(peer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.checkFlow();
  }

  /** Detaches a client; the last one leaving starts the grace period. */
  detach(peer: TerminalPeer): void {
    if (!this.peers.delete(peer)) return;
    if (this.peers.size === 0 && this.state === "running") this.armGrace();
    this.checkFlow();
  }

  /** Keystrokes from a read-write client. */
  input(data: Uint8Array): void {
    if (this.state !== "running") return;
    // Keys typed after a resize must reach the shell after it (a command
    // that reads the size must see the new one): hold them while one runs.
    if (this.heldInput) this.heldInput.push(data);
    else this.shell.stream.write(data);
    this.commands?.input(data);
    this.armIdle();
    this.onActivity();
  }

  /** New size from a read-write client. */
  resize(cols: number, rows: number): void {
    if (this.state !== "running" || (cols === this.size.cols && rows === this.size.rows)) return;
    this.size = { cols, rows };
    // Watchers resize at the same point of the byte stream as the learner:
    // output so far was drawn at the old size, what follows at the new one.
    this.batcher.flush();
    const sizeFrame = encodeSize(cols, rows);
    for (const p of this.peers) if (p.readOnly) p.send(sizeFrame);
    this.heldInput ??= [];
    this.resizing = this.resizing
      .then(() => this.shell.resize(cols, rows))
      .catch(() => undefined)
      .then(() => {
        if (this.size.cols !== cols || this.size.rows !== rows) return; // a newer resize follows
        const held = this.heldInput ?? [];
        this.heldInput = null;
        if (this.state === "running") for (const d of held) this.shell.stream.write(d);
      });
  }

  /** Re-evaluates flow control; clients call it when their backlog drains. */
  checkFlow(): void {
    let worst = 0;
    for (const p of this.peers) worst = Math.max(worst, p.pendingBytes);
    if (!this.paused && worst > this.config.highWaterBytes) {
      this.paused = true;
      this.shell.stream.pause();
      this.watchStall();
    } else if (this.paused && worst < this.config.lowWaterBytes) {
      this.paused = false;
      this.shell.stream.resume();
      if (this.stallTimer) clearInterval(this.stallTimer);
      this.stallTimer = null;
    }
  }

  /**
   * Ends the terminal: tells clients why, closes them, and kills the shell
   * (the kill is skipped when the shell already exited).
   */
  async close(end: TerminalEnd): Promise<void> {
    await this.finish(end, true);
  }

  private async finish(end: TerminalEnd, kill = false): Promise<void> {
    if (this.state !== "running") return this.done;
    this.state = "closing";
    this.clearTimers();
    this.commands?.dispose();
    // Output the shell wrote before it ended still reaches the clients.
    if (end.kind === "exit" || !kill) this.batcher.flush();
    this.batcher.dispose();
    if (kill) {
      // Kill before telling clients, so "closed" means the shell and what it
      // started are gone (a client that closes a tab and checks sees that).
      // A paused stream would never see its end; let it flow while dying.
      this.shell.stream.resume();
      await this.shell.kill().catch(() => undefined);
    }
    const frame = end.kind === "exit" ? encodeExit(end.code) : encodeError(end.code, end.message);
    const closeCode = end.kind === "exit" ? CloseCode.Exited : end.closeCode;
    for (const p of this.peers) {
      p.send(frame);
      p.end(closeCode, end.kind === "exit" ? "shell exited" : end.code);
    }
    this.peers.clear();
    this.state = "done";
    this.resolveDone();
  }

  private broadcast(data: Uint8Array): void {
    const offset = this.replay.append(data);
    if (this.peers.size === 0) return;
    const frame = encodeOutput(offset, data);
    for (const p of this.peers) p.send(frame);
    this.checkFlow();
  }

  private async resizeWithRetry(cols: number, rows: number): Promise<void> {
    for (let i = 0; i < RESIZE_ATTEMPTS && this.state === "running"; i++) {
      try {
        await this.shell.resize(cols, rows);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, RESIZE_RETRY_MS));
      }
    }
  }

  private armGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(
      () => void this.close({ kind: "error", code: "IDLE", message: "Nobody was connected to this terminal, so its shell was closed.", closeCode: CloseCode.Idle }),
      this.config.graceMs,
    );
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () =>
        void this.close({
          kind: "error",
          code: "IDLE",
          message: `This terminal had no input for ${Math.round(this.config.idleMs / 60_000)} minutes and was closed. Open a new one to continue.`,
          closeCode: CloseCode.Idle,
        }),
      this.config.idleMs,
    );
  }

  /**
   * While paused, a client that does not drain within stallMs (a dead TCP
   * connection, a frozen tab) is dropped so it cannot stall the shell for
   * everyone; it may reconnect and resume from the replay buffer.
   */
  private watchStall(): void {
    if (this.stallTimer) return;
    const since = new Map<TerminalPeer, number>();
    this.stallTimer = setInterval(
      () => {
        const now = Date.now();
        for (const p of this.peers) {
          if (p.pendingBytes <= this.config.highWaterBytes) {
            since.delete(p);
            continue;
          }
          const t = since.get(p) ?? now;
          since.set(p, t);
          if (now - t >= this.config.stallMs) {
            p.end(1013, "client too slow");
            this.detach(p);
          }
        }
      },
      Math.max(10, Math.min(1000, this.config.stallMs / 4)),
    );
  }

  private clearTimers(): void {
    for (const t of [this.graceTimer, this.idleTimer]) if (t) clearTimeout(t);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.graceTimer = this.idleTimer = this.stallTimer = null;
  }
}
