import { randomBytes } from "node:crypto";
import { timeProvisioning } from "../observability/metrics";
import type { Sandbox, SandboxProvider } from "../sandbox/provider";

export interface WarmPoolOptions {
  /** How many ready sandboxes to keep. */
  size: number;
  /** Asked before each new warm sandbox: false while learners queue or the host is full. */
  mayGrow: () => boolean;
  log?: (msg: string) => void;
  /** Called after the pool's membership changes (for capacity accounting). */
  onChange?: () => void;
}

/**
 * Ready sandboxes waiting for learners (Instruqt's "hot start"). A claim takes
 * one at once; the pool refills in the background. A claimed sandbox belongs
 * to its session from then on and is destroyed with it, never recycled.
 */
export class WarmPool {
  private ready: Sandbox[] = [];
  /** Ids of sandboxes being made for the pool right now. */
  readonly warming = new Set<string>();
  /** Ids of sandboxes being claimed right now (their node is being checked). */
  private readonly checking = new Set<string>();
  private refilling = false;
  private filling: Promise<void> | null = null;
  private failures = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly provider: SandboxProvider,
    private readonly options: WarmPoolOptions,
  ) {}

  /** Ready plus warming: what the pool occupies on the host. */
  get occupied(): number {
    return this.ready.length + this.warming.size;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  /** True if the sandbox is one of the pool's, ready or warming. */
  has(id: string): boolean {
    return this.warming.has(id) || this.checking.has(id) || this.ready.some((s) => s.id === id);
  }

  /**
   * Takes a ready sandbox out of the pool, or returns undefined. Each one is
   * asked first whether its node still runs: a node that died while it
   * waited (killed, host trouble, an event we missed) is removed, with a log
   * line, and the next one is tried; a dead node is never handed out. Two
   * claims never get the same sandbox: it leaves the list before the check.
   * `reserve` is called with the sandbox before the claim resolves, so the
   * caller records it as theirs with no gap in which it belongs to nobody
   * (a reconcile pass would take it for an orphan).
   */
  async claim(reserve?: (sandbox: Sandbox) => void): Promise<Sandbox | undefined> {
    for (;;) {
      const sandbox = this.ready.shift();
      if (!sandbox) return undefined;
      this.options.onChange?.();
      this.refill();
      this.checking.add(sandbox.id);
      const now = await this.provider.get(sandbox.id).catch((err: unknown) => err as Error);
      this.checking.delete(sandbox.id);
      if (now instanceof Error) {
        // The engine did not answer: keep the sandbox for later and let the
        // caller take the cold path, which reports the engine's trouble.
        this.ready.unshift(sandbox);
        return undefined;
      }
      if (now?.state === "running") {
        reserve?.(now);
        return now;
      }
      this.options.log?.(`pool: ${sandbox.id} is ${now ? now.state : "gone"}; removing it instead of handing it out`);
      void this.provider.destroy(sandbox.id).catch((err: unknown) => this.options.log?.(`pool: could not remove ${sandbox.id}: ${String(err)}`));
    }
  }

  /** Drops the ready sandboxes that match (e.g. their Docker host was lost) and refills. */
  discard(match: (sandbox: Sandbox) => boolean): Sandbox[] {
    const gone = this.ready.filter(match);
    if (gone.length === 0) return gone;
    this.ready = this.ready.filter((s) => !match(s));
    this.options.onChange?.();
    this.refill();
    return gone;
  }

  /** Takes over warm sandboxes left by a previous run of the server. */
  adopt(sandbox: Sandbox): void {
    if (!this.has(sandbox.id)) this.ready.push(sandbox);
  }

  /** Tops the pool up to its size, one sandbox at a time, in the background. */
  refill(): void {
    if (this.refilling || this.stopped) return;
    this.refilling = true;
    this.filling = this.fill()
      .catch((err: unknown) => this.options.log?.(`pool: refilling failed: ${String(err)}`))
      .finally(() => {
        this.refilling = false;
        this.filling = null;
      });
  }

  private async fill(): Promise<void> {
    while (!this.stopped && this.occupied < this.options.size && this.options.mayGrow()) {
      const id = `warm-${randomBytes(5).toString("hex")}`;
      this.warming.add(id);
      this.options.onChange?.();
      try {
        const sandbox = await timeProvisioning({ provider: this.provider.name, purpose: "pool" }, () => this.provider.provision({ id, pool: true }));
        this.warming.delete(id);
        if (this.stopped) {
          await this.provider.destroy(sandbox.id).catch(() => {});
          return;
        }
        this.ready.push(sandbox);
        this.failures = 0;
        this.options.log?.(`pool: ${sandbox.id} ready (${this.ready.length}/${this.options.size})`);
      } catch (err) {
        this.warming.delete(id);
        this.failures++;
        // Back off (5 s, 10 s, ... 2 min) so a broken image or engine does
        // not turn into a tight loop of failing creations.
        const delay = Math.min(120_000, 5_000 * 2 ** (this.failures - 1));
        this.options.log?.(`pool: could not warm a sandbox (${(err as Error).message}); retrying in ${delay / 1000} s`);
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.refill(), delay);
        this.retryTimer.unref();
        return;
      } finally {
        this.options.onChange?.();
      }
    }
  }

  /** Stops refilling; with `destroy`, removes the ready sandboxes too. */
  async stop(destroy = false): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    // A sandbox being warmed now is removed when it is done (fill sees
    // stopped); waiting for that means none outlives the pool unlisted.
    await this.filling;
    if (destroy) {
      const all = this.ready.splice(0);
      await Promise.all(all.map((s) => this.provider.destroy(s.id).catch(() => {})));
    }
  }
}
