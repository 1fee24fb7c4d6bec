/**
 * Collects a command's output up to a byte limit. Bytes past the limit are
 * counted and dropped (the stream keeps draining, so the command never
 * blocks on a full pipe), and `truncated` says so.
 */

/** Default cap per stream: enough for any check, small enough for the API. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** A byte-capped sink for one output stream. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Total bytes seen, kept or not. */
  seen = 0;

  constructor(readonly maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be >= 0, got ${maxBytes}`);
  }

  /** Adds a chunk, keeping only what fits under the cap. */
  push(chunk: Buffer | string): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.seen += buf.length;
    const room = this.maxBytes - this.kept;
    if (room <= 0) return;
    const part = buf.length <= room ? buf : buf.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** True if any byte was dropped. */
  get truncated(): boolean {
    return this.seen > this.kept;
  }

  /** The kept bytes. */
  buffer(): Buffer {
    return Buffer.concat(this.chunks, this.kept);
  }

  /** The kept bytes as UTF-8 (a character cut at the cap becomes U+FFFD). */
  text(): string {
    return this.buffer().toString("utf8");
  }
}
