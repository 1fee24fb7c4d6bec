/**
 * Splits Docker's multiplexed (non-TTY) attach stream into stdout and
 * stderr. Each frame is an 8-byte header [stream, 0, 0, 0, size(uint32 BE)]
 * followed by `size` bytes; frames may arrive split across chunks.
 */

/** Receives demultiplexed payloads. */
export type FrameSink = (stream: "stdout" | "stderr", data: Buffer) => void;

/** Incremental demultiplexer: feed it chunks in order. */
export class StreamDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const type = this.pending[0];
      const payload = this.pending.subarray(8, 8 + size);
      // 0 = stdin (never sent to us), 1 = stdout, 2 = stderr
      if (type === 2) this.sink("stderr", payload);
      else this.sink("stdout", payload);
      this.pending = this.pending.subarray(8 + size);
    }
  }

  /** Bytes of an incomplete frame still buffered. */
  get buffered(): number {
    return this.pending.length;
  }
}
