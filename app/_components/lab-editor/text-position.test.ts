import { describe, expect, it } from "vitest";
import { lineCount, messagesByLine, offsetAt } from "./text-position";

describe("offsetAt", () => {
  const text = "---\ntitle: x\n  - type: runtimee\n";

  it("finds a line and column (1-based)", () => {
    expect(offsetAt(text, 1, 1)).toBe(0);
    expect(offsetAt(text, 2, 1)).toBe(4);
    expect(text.slice(offsetAt(text, 3, 11))).toBe("runtimee\n");
  });

  it("clamps a stale position to the text", () => {
    expect(offsetAt(text, 2, 99)).toBe(text.indexOf("\n", 4));
    expect(offsetAt(text, 99, 1)).toBe(text.length);
    expect(offsetAt(text, 0, 0)).toBe(0);
    expect(offsetAt("", 5, 5)).toBe(0);
  });
});

describe("lineCount", () => {
  it("counts lines as the gutter numbers them", () => {
    expect(lineCount("")).toBe(1);
    expect(lineCount("a")).toBe(1);
    expect(lineCount("a\n")).toBe(2);
    expect(lineCount("a\nb\nc")).toBe(3);
  });
});

describe("messagesByLine", () => {
  it("groups messages by line", () => {
    const byLine = messagesByLine([
      { line: 3, column: 11, message: "unknown check type" },
      { line: 1, column: 1, message: "title is required" },
      { line: 3, column: 1, message: "another" },
    ]);
    expect(byLine.get(3)).toEqual(["3:11 unknown check type", "3:1 another"]);
    expect(byLine.get(1)).toEqual(["1:1 title is required"]);
    expect(byLine.has(2)).toBe(false);
  });
});
