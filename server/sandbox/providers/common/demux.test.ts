import { describe, expect, it } from "vitest";
import { StreamDemuxer } from "./demux";

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("StreamDemuxer", () => {
  it("splits stdout and stderr frames, even when split across chunks", () => {
    const out: string[] = [];
    const d = new StreamDemuxer((s, b) => out.push(`${s}:${b.toString()}`));
    const all = Buffer.concat([frame(1, "hello"), frame(2, "oops"), frame(1, "!")]);
    for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3));
    expect(out).toEqual(["stdout:hello", "stderr:oops", "stdout:!"]);
    expect(d.buffered).toBe(0);
  });

  it("waits for a complete frame", () => {
    const out: string[] = [];
    const d = new StreamDemuxer((s, b) => out.push(`${s}:${b.toString()}`));
    const f = frame(2, "abc");
    d.push(f.subarray(0, 9));
    expect(out).toEqual([]);
    d.push(f.subarray(9));
    expect(out).toEqual(["stderr:abc"]);
  });
});
