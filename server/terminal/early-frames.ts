import type { WebSocket } from "ws";

/** Most bytes of client frames kept while the shell starts (a Run paste fits many times over). */
export const EARLY_FRAME_BYTES = 64 * 1024;

/**
 * Holds a client's frames from the moment its socket opens until the
 * terminal is attached: the browser sends keystrokes (and Run pastes) as
 * soon as the socket is open, while the shell may still be starting, and
 * frames with no listener are lost. Bounded; what does not fit is counted,
 * and the caller tells the client.
 */
export class EarlyFrames {
  private frames: { data: Buffer; isBinary: boolean }[] = [];
  private bytes = 0;
  /** Bytes that arrived beyond the bound and were not kept. */
  dropped = 0;
  private readonly listener = (data: Buffer, isBinary: boolean) => {
    if (this.bytes + data.length > this.maxBytes) {
      this.dropped += data.length;
      return;
    }
    this.bytes += data.length;
    this.frames.push({ data, isBinary });
  };

  constructor(
    private readonly ws: WebSocket,
    private readonly maxBytes = EARLY_FRAME_BYTES,
  ) {
    ws.on("message", this.listener);
  }

  /** Stops holding and hands over what was held, in arrival order. */
  release(): { data: Buffer; isBinary: boolean }[] {
    this.ws.off("message", this.listener);
    const out = this.frames;
    this.frames = [];
    this.bytes = 0;
    return out;
  }
}
