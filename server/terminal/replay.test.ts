import { describe, expect, it } from "vitest";
import { ReplayBuffer } from "./replay";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join("");

describe("ReplayBuffer", () => {
  it("returns exactly the bytes after an offset", () => {
    const r = new ReplayBuffer(100);
    expect(r.append(bytes("hello "))).toBe(0);
    expect(r.append(bytes("world"))).toBe(6);
    expect(r.end).toBe(11);
    expect(text(r.since(0).chunks)).toBe("hello world");
    expect(r.since(3)).toMatchObject({ from: 3 });
    expect(text(r.since(3).chunks)).toBe("lo world");
    expect(r.since(11).chunks).toEqual([]);
  });

  it("drops whole chunks from the front beyond its capacity", () => {
    const r = new ReplayBuffer(10);
    r.append(bytes("aaaaaa"));
    r.append(bytes("bbbbbb"));
    expect(r.start).toBe(6);
    expect(r.size).toBe(6);
    // An offset older than what is held is clamped: the caller must reset.
    expect(r.since(2).from).toBe(6);
    expect(text(r.since(2).chunks)).toBe("bbbbbb");
  });

  it("clamps an offset from the future (another shell) to the end", () => {
    const r = new ReplayBuffer(10);
    r.append(bytes("abc"));
    expect(r.since(999)).toEqual({ from: 3, chunks: [] });
  });
});
