/**
 * Coalesces the shell's many small writes into fewer, larger frames: a batch
 * is flushed after `delayMs` or once it holds `maxBytes`, whichever comes
 * first. A write after a quiet period goes out at once (leading edge), so
 * keystroke echo pays no batching delay; only bursts are coalesced. Bytes
 * are concatenated untouched (never decoded).
 */
export class OutputBatcher {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = -Infinity;

  constructor(
    private readonly onFlush: (data: Uint8Array) => void,
    private readonly delayMs: number,
    private readonly maxBytes: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(data: Uint8Array): void {
    let rest = data;
    // Split so no batch exceeds maxBytes (one frame's payload limit).
    while (this.bytes + rest.length >= this.maxBytes) {
      const take = this.maxBytes - this.bytes;
      this.parts.push(rest.subarray(0, take));
      this.bytes += take;
      rest = rest.subarray(take);
      this.flush();
    }
    if (rest.length === 0) return;
    this.parts.push(rest);
    this.bytes += rest.length;
    if (!this.timer && this.now() - this.lastFlush >= this.delayMs) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends whatever is pending now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.bytes === 0) return;
    this.lastFlush = this.now();
    const parts = this.parts;
    const out = parts.length === 1 ? parts[0]! : concat(parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    this.onFlush(out);
  }

  /** Drops pending bytes and the timer. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.parts = [];
    this.bytes = 0;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
