import { describe, expect, it } from "vitest";
import { invalidLab, parseVersionNumber, readLimitedBody } from "./labs";

/** A request whose body is `chunks` chunks of `size` bytes, sent without a Content-Length; counts the chunks read. */
function streamed(chunks: number, size: number) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  const req = new Request("http://x.test/api/v1/labs/a-lab/versions", { method: "POST", body, duplex: "half" } as RequestInit);
  return { req, pulled: () => pulled };
}

describe("readLimitedBody", () => {
  it("refuses a declared length over the limit without reading", async () => {
    const { req, pulled } = streamed(100, 1024);
    req.headers.set("content-length", String(100 * 1024));
    expect(await readLimitedBody(req, 10 * 1024)).toBeNull();
    expect(pulled()).toBeLessThanOrEqual(1); // the stream's own first chunk, queued when it was made
  });

  it("stops reading a body without a length as soon as it passes the limit", async () => {
    const { req, pulled } = streamed(10_000, 64 * 1024); // 640 MiB if read whole
    expect(await readLimitedBody(req, 1024 * 1024)).toBeNull();
    expect(pulled()).toBeLessThanOrEqual(18);
  });

  it("returns a body within the limit whole", async () => {
    const { req } = streamed(3, 1000);
    expect((await readLimitedBody(req, 3000))?.byteLength).toBe(3000);
    expect((await readLimitedBody(new Request("http://x.test/", { method: "POST" }), 10))?.byteLength).toBe(0);
  });
});

describe("parseVersionNumber", () => {
  it("takes whole numbers from 1 and refuses the rest with a sentence", () => {
    expect(parseVersionNumber("3")).toBe(3);
    expect(parseVersionNumber("1000000")).toBe(1_000_000);
    for (const bad of ["0", "-1", "1.5", "1e3", "", "two", "10000000", " 3"]) expect(() => parseVersionNumber(bad)).toThrow(/must be a whole number from 1 to 1000000/);
    expect(() => parseVersionNumber("x", "baseVersion")).toThrow('baseVersion must be a whole number from 1 to 1000000, like 3 (got "x").');
  });
});

describe("invalidLab", () => {
  it("answers 422 INVALID_LAB with the count and every problem", async () => {
    const problems = [
      { file: "lab.md", line: 4, column: 13, message: "difficulty must be one of beginner, intermediate, advanced" },
      { file: "lab.md", line: 8, column: 1, message: "unknown field: colour" },
    ];
    const res = invalidLab(problems);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: { code: "INVALID_LAB", message: "2 problem(s) in lab.md", problems } });
  });
});
