/**
 * One simulated learner: signs up, starts a lab, keeps a terminal open on
 * their node, types the lab's solutions and presses "Check now", and times
 * `echo` now and then. When things break it does what the browser does: a
 * dropped terminal reconnects, a session replaced by a fresh node is followed
 * (SessionView.replacedBy), and a session that ended for good is started again.
 */
import { UpgradeRefused } from "../../server/terminal/node-client";
import { CloseCode } from "../../server/terminal/protocol";
import type { SessionView } from "../../server/sessions/service";
import type { TaskView } from "../../server/grading/service";
import { apiClient, errorKind, signUp, type Api } from "./http";
import type { LabPlan } from "./lab-plan";
import type { SoakRecord } from "./record";
import { SoakTerminal, TerminalClosed } from "./terminal";

/** A run of sessions linked by replacedBy: one lab as the learner lives it. */
export interface Chain {
  sessions: string[];
  /** Tasks seen passed in any session of the chain. */
  passed: Set<string>;
}

/** The platform's sentence for a node that died and was replaced (server/sessions/service.ts recoverNow). */
const PROMISES_SUCCESSOR = /A fresh node replaced it/;
/**
 * How long the learner waits, as the page does, for a session that says a
 * fresh node replaced it to name that node's session; then it presses Start
 * lab (which gives it the successor if one exists). The end of the run checks
 * every such session names its successor.
 */
const SUCCESSOR_WAIT_MS = 90_000;
/** Sessions are re-read this often even when all looks well (the browser watches them). */
const REFRESH_MS = 15_000;
const COMMAND_TIMEOUT_MS = 90_000;
const SHELL_EXITED = CloseCode.Exited;

/** Thrown after the failure was tallied where it happened. */
class AlreadyRecorded extends Error {}

/** The learner's time is up while it waited for a node. */
class PastDeadline extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Learner {
  readonly email: string;
  private cookie = "";
  private api!: Api;
  session: SessionView | null = null;
  readonly chains: Chain[] = [];
  private term: SoakTerminal | null = null;
  private terminals = 0;
  /** Tasks whose solution was typed on the current node. */
  private typed = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private lastRead = 0;
  /** Sessions left since the terminal last answered (a recovery in progress). */
  private leaving: string[] = [];
  /** Whether the learner had to start the lab again on the way (no successor to follow). */
  private startedAgain = false;
  private successorWaitSince: number | null = null;
  /** When the learner pressed Start lab, until its node is ready (a figure of how the engine keeps up). */
  private startPressedAt: number | null = null;
  private stopped = false;

  constructor(
    readonly index: number,
    runId: string,
    private readonly baseUrl: string,
    readonly plan: LabPlan,
    private readonly record: SoakRecord,
  ) {
    this.email = `soak-${index}-${runId}@soak.example.com`;
  }

  private get chain(): Chain {
    return this.chains[this.chains.length - 1]!;
  }

  /** A loopback address of its own: see signUp. */
  private get address(): string {
    return `127.1.${Math.floor(this.index / 250)}.${(this.index % 250) + 1}`;
  }

  async signUpAndStart(): Promise<void> {
    this.cookie = await this.retrying("sign-up", () => signUp(this.baseUrl, this.email, this.address));
    this.api = apiClient(this.baseUrl, this.cookie);
    await this.retrying("api", () => this.startLab());
  }

  /** Runs `fn` until it succeeds, tallying failures; gives up after about a minute. */
  private async retrying<T>(where: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 10) throw err;
        this.record.error(where, errorKind(err));
        await sleep(1_000 * attempt);
      }
    }
  }

  private async startLab(): Promise<void> {
    this.startPressedAt ??= Date.now();
    const s = await this.api.sessions.start.mutate({ slug: this.plan.slug });
    this.record.labStarts++;
    this.chains.push({ sessions: [s.id], passed: new Set() });
    this.session = s;
    this.typed = new Set();
  }

  /** Ctrl-C: the learner stops at its next step. */
  stop(): void {
    this.stopped = true;
  }

  /** Works until `until` (epoch ms). Never throws: trouble is recorded and lived with. */
  async work(until: number): Promise<void> {
    while (Date.now() < until && !this.stopped) {
      try {
        await this.ensureNode(until);
        await this.ensureTerminal();
        await this.act();
      } catch (err) {
        if (err instanceof PastDeadline) return;
        await this.trouble(err);
      }
      await sleep(1_000 + Math.random() * 2_000);
    }
  }

  /**
   * At the end: a working terminal on a ready node. Returns false when none
   * came within `timeoutMs`.
   */
  async settle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.stopped) {
      try {
        this.lastRead = 0;
        await this.ensureNode(deadline);
        await this.ensureTerminal();
        await this.probeEcho();
        return true;
      } catch (err) {
        if (err instanceof PastDeadline) return false;
        await this.trouble(err);
        await sleep(1_000);
      }
    }
    return false;
  }

  /** The open terminals this learner holds on its current node (what the shell count is checked against). */
  get openTerminals(): number {
    return this.term && !this.term.closed ? 1 : 0;
  }

  /** The checklist of a session, as the learner's page shows it. */
  tasksOf(sessionId: string): Promise<TaskView[]> {
    return this.api.grading.tasks.query({ sessionId });
  }

  /** Ends the current session as the learner's "End lab" does; the server closes its terminals. */
  async endLab(): Promise<void> {
    const s = this.session;
    if (s && s.state !== "ended" && s.state !== "failed") await this.retrying("end", () => this.api.sessions.end.mutate({ id: s.id }));
    await this.term?.end();
    this.term = null;
  }

  /** Opens another terminal on one of the learner's sessions (the disk fault types in one). */
  openTerminal(sessionId: string, id: string): Promise<SoakTerminal> {
    return SoakTerminal.open(this.baseUrl, { session: sessionId, terminal: id, cookie: this.cookie });
  }

  /** Whether a session is still ready, read afresh (waiting out a server restart). */
  async stillOn(sessionId: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.api.sessions.get.query({ id: sessionId })).state === "ready";
      } catch (err) {
        if (attempt >= 15) throw err;
        await sleep(2_000);
      }
    }
  }

  // ---- staying on a working node -----------------------------------------

  /** The session is ready, following replacements and starting again after an end. */
  private async ensureNode(until: number): Promise<void> {
    if (this.session?.state === "ready" && Date.now() - this.lastRead < REFRESH_MS) return;
    for (;;) {
      if (Date.now() > until) throw new PastDeadline();
      const s = await this.api.sessions.get.query({ id: this.session!.id });
      this.session = s;
      this.lastRead = Date.now();
      if (s.replacedBy) {
        if (this.successorWaitSince !== null) this.record.successorWaitMs.push(Date.now() - this.successorWaitSince);
        this.successorWaitSince = null;
        this.follow(s.replacedBy);
        continue;
      }
      if (s.state === "ready") {
        this.successorWaitSince = null;
        if (this.startPressedAt !== null) this.record.startToReadyMs.push(Date.now() - this.startPressedAt);
        this.startPressedAt = null;
        return;
      }
      if (s.state !== "ended" && s.state !== "failed") {
        await sleep(500);
        continue;
      }
      if (PROMISES_SUCCESSOR.test(s.reason ?? "")) {
        // replace() ends the old session before it names the new one.
        this.successorWaitSince ??= Date.now();
        if (Date.now() - this.successorWaitSince < SUCCESSOR_WAIT_MS) {
          await sleep(500);
          continue;
        }
        this.record.note(`learner ${this.index}: session ${s.id} says a fresh node replaced it but named none in ${SUCCESSOR_WAIT_MS / 1000} s`);
      }
      // Over for good: the page offers "Start lab" again, and the learner takes it.
      this.record.note(`learner ${this.index}: session ${s.id} ${s.state} (${s.reason}); starting the lab again`);
      this.successorWaitSince = null;
      this.leaving.push(s.id);
      this.startedAgain = true;
      await this.dropTerminal();
      await this.startLab();
    }
  }

  private follow(next: string): void {
    this.record.note(`learner ${this.index}: session ${this.session!.id} was replaced by ${next}: ${this.session!.reason}`);
    this.leaving.push(this.session!.id);
    this.chain.sessions.push(next);
    this.session = { ...this.session!, id: next, state: "requested", replacedBy: null };
    this.typed = new Set();
    void this.dropTerminal();
  }

  private async ensureTerminal(): Promise<void> {
    if (this.term && !this.term.closed) return;
    // A final close seen while idle (4411 node stopped, 4410 session ended):
    // the browser does not reopen; it reads the session first (trouble()).
    if (this.term?.closed?.final) throw this.term.closed;
    // After a transient close the browser reconnects to the same terminal
    // with the output it has; otherwise it opens a new terminal.
    const resume = this.term?.closed ? this.term : null;
    // As the lab page does: a shell the server opened ahead (nobody attached yet) is taken over, not left beside a new one.
    const ahead = resume
      ? undefined
      : await this.api.sessions.terminals.query({ id: this.session!.id }).then(
          (list) => list.find((t) => t.clients === 0)?.terminalId,
          () => undefined,
        );
    const id = resume?.id ?? ahead ?? `t${++this.terminals}`;
    try {
      this.term = await SoakTerminal.open(this.baseUrl, { session: this.session!.id, terminal: id, cookie: this.cookie, offset: resume?.offset ?? 0 });
    } catch (err) {
      if (err instanceof UpgradeRefused || err instanceof TerminalClosed) throw err;
      this.record.error("terminal", `connect ${errorKind(err)}`);
      throw new AlreadyRecorded();
    }
  }

  private async dropTerminal(): Promise<void> {
    const t = this.term;
    this.term = null;
    await t?.end();
  }

  private async trouble(err: unknown): Promise<void> {
    if (err instanceof TerminalClosed) {
      this.record.error("terminal", `close ${err.code}`);
      this.record.note(`learner ${this.index}: terminal of session ${this.session?.id} closed ${err.code} ${err.reason}`);
      // Learners here never type `exit`: "shell exited" (4000, not reconnected)
      // is a shell that died under them, which the platform must call what it
      // was (4411 node stopped, 4410 session ended) so the browser can follow.
      if (err.code === SHELL_EXITED) this.record.problems.push(`learner ${this.index}: a terminal of session ${this.session?.id} closed as "shell exited" (${SHELL_EXITED}) though nobody typed exit`);
      // Final closes (session ended 4410, node stopped 4411, shell exited
      // 4000) mean the session may have changed: read it again.
      if (err.final) {
        this.lastRead = 0;
        this.term = null;
      }
      return;
    }
    if (err instanceof UpgradeRefused) {
      this.record.error("terminal", `refused ${err.status}`);
      this.record.note(`learner ${this.index}: terminal of session ${this.session?.id} refused: ${err.message}`);
      this.lastRead = 0;
      this.term = null;
      return;
    }
    if (err instanceof AlreadyRecorded) {
      // nothing more to say
    } else if (/timed out waiting/.test(String((err as Error)?.message))) {
      // A shell that does not answer: close the tab and open another.
      this.record.error("terminal", "command timed out");
      this.record.note(`learner ${this.index}: session ${this.session?.id}: ${(err as Error).message}`);
      await this.dropTerminal();
    } else {
      this.record.error("api", errorKind(err));
      this.record.note(`learner ${this.index}: ${errorKind(err)}: ${(err as Error)?.message}`);
    }
    this.lastRead = 0;
    await sleep(1_000);
  }

  // ---- what the learner does ------------------------------------------------

  private async act(): Promise<void> {
    // Now and then: close the terminal tab and open a new one.
    if (Math.random() < 0.03) {
      await this.dropTerminal();
      await this.ensureTerminal();
    }
    await this.probeEcho();
    const next = this.plan.tasks.find((t) => !this.chain.passed.has(t.id));
    if (next && Math.random() < 0.5) await this.solve(next.id);
  }

  private async probeEcho(): Promise<void> {
    const ms = await this.term!.echo(`soak${this.index}x${Math.floor(Math.random() * 1e9).toString(36)}`);
    this.record.echoMs.push(ms);
    if (this.leaving.length && this.session) {
      this.record.note(`learner ${this.index}: working again on session ${this.session.id} after ${this.leaving.join(", ")}`);
      this.record.recoveries.push({ learner: this.index, from: this.leaving, to: this.session.id, at: Date.now(), startedAgain: this.startedAgain });
      this.leaving = [];
      this.startedAgain = false;
    }
  }

  /** Types what the task builds on (if not yet on this node) and one way of solving it, then checks. */
  private async solve(taskId: string): Promise<void> {
    const version = this.session!.cgroupVersion;
    for (const pre of this.plan.prerequisites(taskId)) {
      if (this.typed.has(pre)) continue;
      await this.term!.run(this.plan.way(pre, 0, version), COMMAND_TIMEOUT_MS);
      this.typed.add(pre);
    }
    const attempt = this.attempts.get(taskId) ?? 0;
    this.attempts.set(taskId, attempt + 1);
    await this.term!.run(this.plan.way(taskId, attempt, version), COMMAND_TIMEOUT_MS);
    this.typed.add(taskId);
    const sessionId = this.session!.id;
    this.notePassed(await this.api.grading.checkNow.mutate({ sessionId }));
  }

  private notePassed(tasks: TaskView[]): void {
    for (const t of tasks) {
      if (t.status !== "passed" || this.chain.passed.has(t.taskId)) continue;
      this.chain.passed.add(t.taskId);
      this.record.tasksPassed++;
    }
  }
}
