/**
 * A limit on clusters being created at once. Creating a kind cluster is
 * heavy (image unpack, kubeadm init, etcd fsyncs); several at once on one
 * host make all of them slow and can tip it over, so creations beyond the
 * limit wait their turn (in order) while pooled and running clusters are
 * unaffected.
 */
export class CreationSlots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the creation limit must be a whole number >= 1, got ${limit}`);
  }

  /** Creations running now. */
  get active(): number {
    return this.busy;
  }

  /** Creations waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Waits for a slot; resolves with the function that gives it back (idempotent). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.busy >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(wake);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new Error("aborted while waiting for a creation slot"));
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.waiting.push(wake);
      });
    } else this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter: `busy` stays the same.
      if (next) next();
      else this.busy--;
    };
  }
}
