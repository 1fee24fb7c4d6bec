/**
 * When each session's tasks are evaluated. Evaluations happen because
 * something happened (a command finished in the learner's terminal, "Check
 * now", a grade over the API), not on a clock; a slow safety poll catches
 * changes made outside any terminal.
 *
 * Per session, requests are
 *   - debounced: a run starts `debounceMs` after the last request, but no
 *     later than `maxDelayMs` after the first one it serves;
 *   - coalesced: one run at a time; requests during a run schedule exactly
 *     one more run after it (the running one may have looked too early);
 *   - rate-bounded: runs start at least `minIntervalMs` apart, so a loop
 *     that keeps triggering costs at most 1000/minIntervalMs runs a second.
 * Across sessions at most `concurrency` runs go at once; sessions someone
 * is waiting on (a command, Check now, a grade) go before safety polls, and
 * safety polls never take the last free slot.
 */

/**
 * What asked for an evaluation; stored with each change it causes (the
 * task history's `trigger`). "command": a command finished in the learner's
 * terminal; "check": the learner's Check now; "grade": anyone else (staff,
 * the API); "fast-forward": reference solutions applied at the learner's
 * request (fast-forward.ts); "node-event": containerd in the node reported a
 * task or container change (node-events.ts); "poll": the safety poll.
 */
export type EvaluationCause = "command" | "check" | "grade" | "fast-forward" | "node-event" | "poll";

/** When several causes share one run, the one recorded is the first of these it has. */
const CAUSE_ORDER: EvaluationCause[] = ["fast-forward", "check", "grade", "command", "node-event", "poll"];

export interface SchedulerConfig {
  /** A run starts this long after the last request... */
  debounceMs: number;
  /** ...but no later than this after the first request it serves. */
  maxDelayMs: number;
  /** Runs of one session start at least this far apart. */
  minIntervalMs: number;
  /** Sessions evaluated at once, to bound load on the host. */
  concurrency: number;
  /** Safety poll: a ready session with unfinished tasks is evaluated when its last run is this old... */
  safetyPollMs: number;
  /** ...or this old once its learner has been idle (no activity for the service's idleAfterMs). */
  idleSafetyPollMs: number;
}

/** A ready session as the safety poll sees it. */
export interface PolledSession {
  id: string;
  /** No learner activity for a while: polled at idleSafetyPollMs. */
  idle: boolean;
}

export interface SchedulerDeps {
  /** Evaluates one session; resolves with whether every task has passed (nothing left to poll for). */
  run(sessionId: string, cause: EvaluationCause): Promise<{ complete: boolean }>;
  /** Sessions the safety poll covers (ready ones). */
  readySessions(): Promise<PolledSession[]>;
  log?: (msg: string) => void;
}

/** Counters for tests, metrics and benchmarks. */
export interface SchedulerStats {
  /** Requests received, by cause. */
  requests: Record<EvaluationCause, number>;
  /** Runs started, by the cause recorded for them. */
  runs: Record<EvaluationCause, number>;
  /** Runs that failed (sandbox gone, database error). */
  failures: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** One session's scheduling state. */
interface Slot {
  /** Requests not yet served by a run that started after them. */
  waiters: Waiter[];
  causes: Set<EvaluationCause>;
  /** A request asked to skip the debounce (someone is waiting on the answer). */
  immediate: boolean;
  /** When the oldest unserved request came. */
  firstAt: number;
  timer: ReturnType<typeof setTimeout> | null;
  queued: boolean;
  running: boolean;
  lastStart: number;
  /** When the last run ended (successfully or not); -Infinity before any. */
  lastEnd: number;
  /** Every task had passed at the last run: the safety poll leaves it alone. */
  complete: boolean;
}

const zero = (): Record<EvaluationCause, number> => ({ command: 0, check: 0, grade: 0, "fast-forward": 0, "node-event": 0, poll: 0 });

export class EvaluationScheduler {
  private readonly slots = new Map<string, Slot>();
  /** Sessions waiting for a free run, someone waiting on them first. */
  private readonly urgent: string[] = [];
  private readonly background: string[] = [];
  private active = 0;
  /** Runs in progress for the safety poll alone; one slot always stays free for the others. */
  private activeBackground = 0;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private polling = false;
  private stopped = false;
  /** Runs in progress, so stop() can wait for them. */
  private readonly runs = new Set<Promise<void>>();
  private readonly counters: SchedulerStats = { requests: zero(), runs: zero(), failures: 0 };

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly config: SchedulerConfig,
  ) {}

  /**
   * Asks for an evaluation of the session. Resolves once a run that started
   * after this request has finished (rejects with that run's error).
   * `immediate` skips the debounce (not the rate bound): for callers that
   * wait on the answer.
   */
  request(sessionId: string, cause: EvaluationCause, options: { immediate?: boolean } = {}): Promise<void> {
    if (this.stopped) return Promise.reject(new Error("The server is shutting down."));
    this.counters.requests[cause]++;
    const slot = this.slot(sessionId);
    const done = new Promise<void>((resolve, reject) => slot.waiters.push({ resolve, reject }));
    if (!slot.causes.size) slot.firstAt = Date.now();
    slot.causes.add(cause);
    if (options.immediate) slot.immediate = true;
    // Queued: the run has not started, so it will see this change too.
    // Running: it may have looked already; one more run follows it.
    if (!slot.queued && !slot.running) this.arm(sessionId, slot);
    else if (slot.queued && cause !== "poll") this.promote(sessionId);
    return done;
  }

  /** Like request, for callers that do not wait: a failure is logged. */
  trigger(sessionId: string, cause: EvaluationCause): void {
    this.request(sessionId, cause).catch((err: unknown) => this.deps.log?.(`grading: ${sessionId}: ${(err as Error).message}`));
  }

  /** Starts the safety poll: every `tickMs`, sessions whose last run is old enough are requested. */
  startSafetyPoll(tickMs = Math.max(250, Math.min(5_000, this.config.safetyPollMs / 6))): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => void this.safetyPass(), tickMs);
    this.pollTimer.unref?.();
  }

  /**
   * One pass of the safety poll. Sessions seen for the first time are
   * evaluated at once (their learner sees each task's state early); the
   * state of sessions no longer ready is forgotten.
   */
  async safetyPass(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const ready = await this.deps.readySessions();
      const ids = new Set(ready.map((s) => s.id));
      for (const [id, slot] of this.slots) if (!ids.has(id) && this.idle(slot)) this.slots.delete(id);
      const now = Date.now();
      for (const s of ready) {
        const slot = this.slot(s.id);
        if (slot.complete || !this.idle(slot)) continue;
        const every = s.idle ? this.config.idleSafetyPollMs : this.config.safetyPollMs;
        if (now - slot.lastEnd >= every) this.trigger(s.id, "poll");
      }
    } catch (err) {
      this.deps.log?.(`grading: safety poll failed: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  /** True when the session's last run found every task passed. */
  isComplete(sessionId: string): boolean {
    return this.slots.get(sessionId)?.complete ?? false;
  }

  /** Counters since start (copies). */
  stats(): SchedulerStats {
    return { requests: { ...this.counters.requests }, runs: { ...this.counters.runs }, failures: this.counters.failures };
  }

  /** Stops the safety poll and every pending run; resolves when the runs in progress have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    const gone = new Error("The server is shutting down.");
    for (const slot of this.slots.values()) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      if (!slot.running) for (const w of slot.waiters.splice(0)) w.reject(gone);
    }
    this.urgent.length = this.background.length = 0;
    await Promise.allSettled([...this.runs]);
  }

  private slot(sessionId: string): Slot {
    let slot = this.slots.get(sessionId);
    if (!slot) {
      slot = { waiters: [], causes: new Set(), immediate: false, firstAt: 0, timer: null, queued: false, running: false, lastStart: -Infinity, lastEnd: -Infinity, complete: false };
      this.slots.set(sessionId, slot);
    }
    return slot;
  }

  /** Nothing pending, queued or running. */
  private idle(slot: Slot): boolean {
    return !slot.running && !slot.queued && !slot.timer && !slot.waiters.length;
  }

  /** (Re)sets the session's timer: debounce, capped by maxDelay, no sooner than the rate bound allows. */
  private arm(sessionId: string, slot: Slot): void {
    const now = Date.now();
    const { debounceMs, maxDelayMs, minIntervalMs } = this.config;
    let at = slot.immediate ? now : Math.min(now + debounceMs, slot.firstAt + maxDelayMs);
    at = Math.max(at, slot.lastStart + minIntervalMs);
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.enqueue(sessionId, slot), Math.max(0, at - now));
  }

  private enqueue(sessionId: string, slot: Slot): void {
    slot.timer = null;
    if (this.stopped) return;
    slot.queued = true;
    (this.isUrgent(slot) ? this.urgent : this.background).push(sessionId);
    this.pump();
  }

  private isUrgent(slot: Slot): boolean {
    return [...slot.causes].some((c) => c !== "poll");
  }

  /** A queued safety poll that someone now waits on moves to the front queue. */
  private promote(sessionId: string): void {
    const i = this.background.indexOf(sessionId);
    if (i < 0) return;
    this.background.splice(i, 1);
    this.urgent.push(sessionId);
  }

  private pump(): void {
    while (this.active < this.config.concurrency) {
      // Safety polls leave one slot free, so a learner's command never waits behind a full round of them.
      const pollsMayStart = this.activeBackground < Math.max(1, this.config.concurrency - 1);
      const id = this.urgent.shift() ?? (pollsMayStart ? this.background.shift() : undefined);
      if (id === undefined) return;
      const slot = this.slots.get(id);
      if (!slot?.queued) continue;
      const run = this.start(id, slot).finally(() => this.runs.delete(run));
      this.runs.add(run);
    }
  }

  private async start(sessionId: string, slot: Slot): Promise<void> {
    slot.queued = false;
    slot.running = true;
    slot.lastStart = Date.now();
    this.active++;
    const waiters = slot.waiters.splice(0);
    const cause = CAUSE_ORDER.find((c) => slot.causes.has(c)) ?? "poll";
    const background = cause === "poll";
    if (background) this.activeBackground++;
    slot.causes.clear();
    slot.immediate = false;
    this.counters.runs[cause]++;
    try {
      slot.complete = (await this.deps.run(sessionId, cause)).complete;
      for (const w of waiters) w.resolve();
    } catch (err) {
      this.counters.failures++;
      for (const w of waiters) w.reject(err);
    } finally {
      slot.running = false;
      slot.lastEnd = Date.now();
      this.active--;
      if (background) this.activeBackground--;
      if (this.stopped) for (const w of slot.waiters.splice(0)) w.reject(new Error("The server is shutting down."));
      else if (slot.waiters.length) this.arm(sessionId, slot);
      this.pump();
    }
  }
}
