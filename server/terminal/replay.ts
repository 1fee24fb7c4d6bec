/**
 * Recent terminal output, addressed by byte offset since the shell started,
 * so a reconnecting client gets exactly the bytes it has not seen.
 *
 * Bounded: whole chunks are dropped from the front once more than
 * `capacity` bytes are held (dropping whole chunks, rather than cutting one,
 * keeps the surviving data starting where the shell's own writes started).
 */
export class ReplayBuffer {
  private readonly chunks: { offset: number; data: Uint8Array }[] = [];
  private held = 0;
  private endOffset = 0;

  constructor(private readonly capacity: number) {}

  /** Offset one past the last byte ever appended. */
  get end(): number {
    return this.endOffset;
  }

  /** Offset of the oldest byte still held. */
  get start(): number {
    return this.chunks[0]?.offset ?? this.endOffset;
  }

  /** Bytes currently held (never much above the capacity). */
  get size(): number {
    return this.held;
  }

  /** Appends output; returns the offset of its first byte. */
  append(data: Uint8Array): number {
    const offset = this.endOffset;
    if (data.length === 0) return offset;
    this.chunks.push({ offset, data });
    this.held += data.length;
    this.endOffset += data.length;
    // Keep the newest chunk even if it alone exceeds the capacity.
    while (this.held > this.capacity && this.chunks.length > 1) {
      this.held -= this.chunks.shift()!.data.length;
    }
    return offset;
  }

  /**
   * Bytes from `offset` (clamped to what is held) to the end, as slices of
   * the held chunks. `from` is where the returned bytes start.
   */
  since(offset: number): { from: number; chunks: Uint8Array[] } {
    const from = Math.min(Math.max(offset, this.start), this.endOffset);
    const out: Uint8Array[] = [];
    for (const c of this.chunks) {
      const cEnd = c.offset + c.data.length;
      if (cEnd <= from) continue;
      out.push(from > c.offset ? c.data.subarray(from - c.offset) : c.data);
    }
    return { from, chunks: out };
  }
}
