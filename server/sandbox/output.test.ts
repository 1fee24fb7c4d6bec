import { describe, expect, it } from "vitest";
import { CappedOutput } from "./output";

describe("CappedOutput", () => {
  it("keeps everything under the cap", () => {
    const o = new CappedOutput(10);
    o.push("hello");
    o.push(Buffer.from(" you"));
    expect(o.text()).toBe("hello you");
    expect(o.truncated).toBe(false);
  });

  it("cuts at the cap across chunks and keeps counting", () => {
    const o = new CappedOutput(6);
    o.push("abcd");
    o.push("efgh");
    o.push("ijkl");
    expect(o.text()).toBe("abcdef");
    expect(o.truncated).toBe(true);
    expect(o.seen).toBe(12);
  });

  it("exactly at the cap is not truncated", () => {
    const o = new CappedOutput(4);
    o.push("abcd");
    expect(o.truncated).toBe(false);
  });

  it("a zero cap keeps nothing", () => {
    const o = new CappedOutput(0);
    o.push("x");
    expect(o.text()).toBe("");
    expect(o.truncated).toBe(true);
  });

  it("rejects a negative cap", () => {
    expect(() => new CappedOutput(-1)).toThrow(RangeError);
  });
});
