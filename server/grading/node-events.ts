/**
 * Evaluations on what happens inside a node, not only on what is typed:
 * a container started with `ctr run -d` that is OOM-killed seconds later, a
 * pod the kubelet starts, a task that exits on its own. containerd in the
 * node announces each of these on its event stream (`ctr events`), so while
 * a learner is working, their node's stream is followed and every task or
 * container event asks for an evaluation.
 *
 * Cost is bounded by the learners at work, not the class: a node is followed
 * only after a command finished in one of its terminals, until nothing has
 * been typed for `activeWindowMs`, its tasks have all passed, or its node
 * stops. Idle sessions keep only the slow safety poll.
 */
import type { SandboxProvider } from "../sandbox/provider";

export interface NodeEventDeps {
  /** Where a ready session's node is; null (or a throw) when it has none now. */
  locate(sessionId: string): Promise<{ provider: Pick<SandboxProvider, "exec">; sandboxId: string } | null>;
  /** Asks for an evaluation (the scheduler debounces and rate-bounds). */
  request(sessionId: string): void;
  /** True once every task of the session has passed: nothing left to notice. */
  isComplete(sessionId: string): boolean;
  log?: (msg: string) => void;
}

export interface NodeEventConfig {
  /** Follow a node this long after the last command in its terminals. */
  activeWindowMs: number;
  /** Most nodes followed at once (each is one exec stream). */
  maxFollowed: number;
  /** At most one request per session this often, however fast events come (a loop starting containers). */
  minRequestIntervalMs: number;
}

export const DEFAULT_NODE_EVENT_CONFIG: NodeEventConfig = { activeWindowMs: 10 * 60_000, maxFollowed: 200, minRequestIntervalMs: 1_000 };

/** containerd topics that can change what a check sees (tasks, containers, images); not e.g. snapshot churn. */
const RELEVANT_TOPIC = /\s\/(?:tasks\/(?:create|start|exit|oom|delete|paused|resumed)|containers\/(?:create|update|delete)|images\/(?:create|update|delete))\b/;

/** True for a line of `ctr events` whose topic can change a check's answer. */
export function isRelevantEvent(line: string): boolean {
  return RELEVANT_TOPIC.test(line);
}

interface Followed {
  abort: AbortController;
  lastActivity: number;
  lastRequest: number;
  pending: NodeJS.Timeout | null;
  done: Promise<void>;
}

export class NodeEventTriggers {
  private readonly followed = new Map<string, Followed>();
  private readonly sweeper: NodeJS.Timeout;
  private stopped = false;
  private readonly counters = { started: 0, events: 0, requests: 0 };

  constructor(
    private readonly deps: NodeEventDeps,
    private readonly config: NodeEventConfig = DEFAULT_NODE_EVENT_CONFIG,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(30_000, config.activeWindowMs));
    this.sweeper.unref();
  }

  /** A command finished in one of the session's terminals: follow its node (again) for a while. */
  activity(sessionId: string): void {
    const now = Date.now();
    const f = this.followed.get(sessionId);
    if (f) {
      f.lastActivity = now;
      return;
    }
    if (this.stopped || this.followed.size >= this.config.maxFollowed || this.deps.isComplete(sessionId)) return;
    this.follow(sessionId, now);
  }

  /** Sessions whose node is followed now (benchmarks, tests). */
  following(): string[] {
    return [...this.followed.keys()];
  }

  stats(): { following: number; started: number; events: number; requests: number } {
    return { following: this.followed.size, ...this.counters };
  }

  /** Stops following every node; resolves when their streams have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    const all = [...this.followed.values()];
    for (const f of all) this.end(f);
    await Promise.allSettled(all.map((f) => f.done));
  }

  private follow(sessionId: string, now: number): void {
    const abort = new AbortController();
    const entry: Followed = { abort, lastActivity: now, lastRequest: 0, pending: null, done: Promise.resolve() };
    this.followed.set(sessionId, entry);
    this.counters.started++;
    entry.done = this.stream(sessionId, entry)
      .catch((err: unknown) => {
        if (!abort.signal.aborted) this.deps.log?.(`grading: stopped following the node of ${sessionId}: ${(err as Error).message}`);
      })
      .finally(() => {
        if (entry.pending) clearTimeout(entry.pending);
        if (this.followed.get(sessionId) === entry) this.followed.delete(sessionId);
      });
  }

  private async stream(sessionId: string, entry: Followed): Promise<void> {
    const node = await this.deps.locate(sessionId).catch(() => null);
    if (!node || entry.abort.signal.aborted) return;
    let partial = "";
    await node.provider.exec(node.sandboxId, ["ctr", "events"], {
      signal: entry.abort.signal,
      // Lines are handled as they come; the returned copy is only a tail.
      maxOutputBytes: 4096,
      onStdout: (chunk) => {
        const lines = (partial + chunk.toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        if (partial.length > 64 * 1024) partial = ""; // one endless line is not an event
        if (lines.some(isRelevantEvent)) this.onEvent(sessionId, entry);
      },
    });
  }

  private onEvent(sessionId: string, entry: Followed): void {
    this.counters.events++;
    if (this.deps.isComplete(sessionId)) return this.end(entry);
    if (entry.pending) return; // a request is already due; it covers this event too
    const wait = entry.lastRequest + this.config.minRequestIntervalMs - Date.now();
    const fire = () => {
      entry.pending = null;
      entry.lastRequest = Date.now();
      this.counters.requests++;
      this.deps.request(sessionId);
    };
    if (wait <= 0) fire();
    else entry.pending = setTimeout(fire, wait);
  }

  /** Drops nodes nobody has typed in for a while, and those with nothing left to pass. */
  private sweep(): void {
    const idleBefore = Date.now() - this.config.activeWindowMs;
    for (const [id, f] of this.followed) if (f.lastActivity < idleBefore || this.deps.isComplete(id)) this.end(f);
  }

  private end(f: Followed): void {
    if (f.pending) clearTimeout(f.pending);
    f.pending = null;
    f.abort.abort();
  }
}
