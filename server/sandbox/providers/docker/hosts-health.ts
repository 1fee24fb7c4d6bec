/**
 * Health of one Docker host, as seen by periodic pings.
 *
 * Three states, because the two mistakes cost differently: placing a new
 * sandbox on a host that just failed is cheap to avoid (so one miss makes it
 * "suspect" and it gets nothing new), while declaring it "down" ends every
 * learner session on it (so that takes several consecutive missed pings).
 * Errors seen by ordinary operations (a list or an exec that could not
 * connect) only make a host suspect; only pings take it down, so a burst of
 * failing calls cannot end sessions faster than the configured rhythm.
 */
import type { HostStatus } from "../../provider";

export type HostState = HostStatus["state"];

export class HostHealth {
  private current: HostState = "up";
  private misses = 0;
  private error: string | undefined;

  constructor(
    /** Consecutive failed pings after which the host is down. */
    readonly downAfter: number,
  ) {
    if (!Number.isInteger(downAfter) || downAfter < 1) throw new Error(`downAfter must be a whole number of at least 1, got ${downAfter}`);
  }

  get state(): HostState {
    return this.current;
  }

  get failures(): number {
    return this.misses;
  }

  get lastError(): string | undefined {
    return this.error;
  }

  /**
   * Records a ping. Returns "down" when this ping took the host down, "up"
   * when it brought a down host back, null otherwise.
   */
  recordPing(ok: boolean, error?: string): "up" | "down" | null {
    if (ok) {
      const wasDown = this.current === "down";
      this.current = "up";
      this.misses = 0;
      this.error = undefined;
      return wasDown ? "up" : null;
    }
    this.misses++;
    this.error = error;
    if (this.current === "down") return null;
    if (this.misses >= this.downAfter) {
      this.current = "down";
      return "down";
    }
    this.current = "suspect";
    return null;
  }

  /** An operation could not reach the host: no new sandboxes until a ping succeeds. */
  markSuspect(error: string): void {
    if (this.current !== "up") return;
    this.current = "suspect";
    this.error = error;
  }
}
