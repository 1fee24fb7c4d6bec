import { describe, expect, it } from "vitest";
import { formatProblem, parseLab } from "./catalog";
import { decodeUtf8 } from "./decode";

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("decodeUtf8", () => {
  it("decodes valid UTF-8, dropping a byte order mark", () => {
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], "é ok\n"))).toEqual({ text: "é ok\n", invalid: [] });
  });

  it("locates each invalid sequence by byte offset, line and column instead of replacing it silently", () => {
    const { text, invalid } = decodeUtf8(bytes("ab\nCaf", [0xe9], " x\n€", [0xe2, 0x82], "!"));
    expect(text).toContain("\uFFFD"); // what the rest of validation reads
    expect(invalid).toEqual([
      { offset: 6, line: 2, column: 4, bytes: [0xe9] },
      { offset: 13, line: 3, column: 2, bytes: [0xe2, 0x82] },
    ]);
  });

  it("refuses overlong forms and surrogates, which lenient decoders let through", () => {
    expect(decodeUtf8(bytes([0xc0, 0xaf])).invalid.map((i) => i.offset)).toEqual([0, 1]);
    expect(decodeUtf8(bytes([0xed, 0xa0, 0x80])).invalid.map((i) => i.offset)).toEqual([0, 1, 2]);
  });
});

describe("parseLab on bytes", () => {
  it("reports invalid UTF-8 in the frontmatter with its byte offset and line, and rejects the lab", () => {
    const file = bytes("---\ntitle: Caf", [0xe9], " au lait\nsummary: Ten or more characters.\ndifficulty: beginner\nduration: 10m\nenvironment: node\n---\n\nSteps.\n");
    const { lab, problems } = parseLab("a-lab", "f.md", file);
    expect(lab).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual(["f.md:2:11: invalid UTF-8 at byte 14 (0xe9): save the file as UTF-8"]);
  });

  it("accepts the same lab saved as UTF-8", () => {
    const file = bytes("---\ntitle: Café au lait\nsummary: Ten or more characters.\ndifficulty: beginner\nduration: 10m\nenvironment: node\n---\n\nSteps.\n");
    expect(parseLab("a-lab", "f.md", file).problems).toEqual([]);
  });
});
