/**
 * A learner's terminal: the platform's Node terminal client (the protocol
 * over a real WebSocket) plus what a person at a keyboard does with it:
 * wait for the prompt, type a command and wait for it to finish, time an
 * `echo`. One command at a time.
 */
import { NodeTerminalClient } from "../../server/terminal/node-client";

/** Output kept while waiting for one command's marker. */
const MAX_PENDING_OUTPUT = 256 * 1024;

/** The socket closed; `code` says whether to reconnect (docs/terminal.md: 4000-4999 are final). */
export class TerminalClosed extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`terminal closed (${code}${reason ? `: ${reason}` : ""})`);
  }
  get final(): boolean {
    return this.code >= 4000 && this.code <= 4999;
  }
}

export interface OpenOptions {
  session: string;
  terminal: string;
  cookie: string;
  /** Output bytes already seen of this shell (a reconnect). */
  offset?: number;
}

let commands = 0;

export class SoakTerminal {
  private output = "";
  private wake: (() => void) | null = null;
  private closeInfo: TerminalClosed | null = null;

  private constructor(
    private readonly client: NodeTerminalClient,
    readonly id: string,
  ) {
    client.keepOutput = false;
    // A socket error is followed by its close, which is what the learner acts on.
    client.ws.on("error", () => {});
    client.onData = (data) => {
      this.output = (this.output + Buffer.from(data).toString("utf8")).slice(-MAX_PENDING_OUTPUT);
      this.wake?.();
    };
    void client.closed.then(({ code, reason }) => {
      // The shell's exit status says who ended it (137: killed; 0: exit).
      const exit = client.frames.find((f) => f.type === "exit");
      this.closeInfo = new TerminalClosed(code, exit?.type === "exit" ? `${reason} (exit status ${exit.code ?? "unknown"})` : reason);
      this.wake?.();
    });
  }

  /** Connects and waits for Ready; on a new shell, also for its prompt. */
  static async open(baseUrl: string, o: OpenOptions, timeoutMs = 20_000): Promise<SoakTerminal> {
    const client = await NodeTerminalClient.connect(baseUrl, { ...o, origin: new URL(baseUrl).origin, cols: 120, rows: 40 });
    const t = new SoakTerminal(client, o.terminal);
    await t.until(() => client.frames.some((f) => f.type === "ready"), timeoutMs, "Ready");
    const ready = client.frames.find((f) => f.type === "ready");
    const freshShell = ready?.type === "ready" && (ready.reset || ready.resumeFrom === 0);
    // Input typed before the prompt is not lost (the TTY holds it), so a
    // prompt that does not show is no reason to give up.
    if (freshShell) await t.until(() => /[#$] $/.test(t.output), 10_000, "the prompt").catch(() => {});
    return t;
  }

  /** Output bytes of this shell seen so far (for a reconnect). */
  get offset(): number {
    return this.client.offset;
  }

  get closed(): TerminalClosed | null {
    return this.closeInfo;
  }

  /**
   * Types `command` (lines become Enter) and waits until it has finished:
   * the shell then prints a marker that the typed text itself does not
   * contain (it is computed by the shell). Resolves with the output.
   *
   * The command is typed as one group with stdin from /dev/null: bash reads
   * the whole group before running it, so no line typed ahead is swallowed
   * by a program that reads the terminal (`ctr run` does).
   */
  async run(command: string, timeoutMs: number): Promise<string> {
    const n = 100_000 + ++commands;
    this.output = "";
    this.client.type(`{ ${command.trimEnd().replace(/\n/g, "\r")}\r} </dev/null; echo soak-done-$((${n} + 1))\r`);
    const marker = `soak-done-${n + 1}`;
    await this.until(() => this.output.includes(marker), timeoutMs, `the end of: ${command.split("\n")[0]}`);
    return this.output.slice(0, this.output.indexOf(marker));
  }

  /** Types `echo <token>` and returns the milliseconds until the shell printed the token on a line of its own. */
  async echo(token: string, timeoutMs = 30_000): Promise<number> {
    this.output = "";
    const t0 = performance.now();
    this.client.type(`echo ${token}\r`);
    // The typed line shows "echo <token>"; the answer is the token at the
    // start of a line (after bash's "\e[?2004l\r" when it ends bracketed paste).
    await this.until(() => this.output.includes(`\n${token}\r`) || this.output.includes(`\r${token}\r`), timeoutMs, `echo ${token}`);
    return performance.now() - t0;
  }

  /** Closes the terminal as a closed browser tab does: the server ends the shell at once. */
  async end(): Promise<void> {
    if (this.closeInfo) return;
    try {
      this.client.end();
    } catch {
      // the socket is already closing
    }
    await Promise.race([this.client.closed, new Promise((r) => setTimeout(r, 5_000))]);
    if (!this.closeInfo) this.client.ws.terminate();
  }

  /** Drops the connection without a word (a network cut): the shell stays for its grace period. */
  drop(): void {
    this.client.ws.terminate();
  }

  private async until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (this.closeInfo) throw this.closeInfo;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last output: ${JSON.stringify(this.output.slice(-200))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 1_000));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = null;
    }
  }
}
