/**
 * Work a service starts and does not wait for (provisioning a queued
 * session, handling a node that stopped, a timer's pass). Each piece is
 * logged if it fails, never an unhandled rejection, and shutdown can wait
 * for what is still running: the database must not close under a pass that
 * is about to write to it (that showed up as "PGlite is closed" after tests).
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly log: (msg: string) => void) {}

  /** True once `drain` has been called: callers should start nothing new. */
  get stopping(): boolean {
    return this.closed;
  }

  /** Runs `work` now without waiting for it; a failure is logged as "`what` failed". */
  run(what: string, work: () => Promise<unknown>): void {
    const p: Promise<void> = Promise.resolve()
      .then(work)
      .then(
        () => {},
        (err: unknown) => this.log(`${what} failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** How many pieces are still running. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Marks the owner as stopping and waits until nothing runs (work may start
   * more work while it finishes), or `timeoutMs` passes. Resolves to the
   * number still running at the end (0 when everything finished).
   */
  async drain(timeoutMs = 30_000): Promise<number> {
    this.closed = true;
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        timer.unref();
      });
      await Promise.race([Promise.allSettled([...this.running]), late]);
      clearTimeout(timer);
    }
    return this.running.size;
  }
}
