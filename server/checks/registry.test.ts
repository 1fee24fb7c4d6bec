import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHECK_TYPE_DEFINITIONS } from "./registry";
import { CHECK_TYPES } from "./schema";

describe("the check type registry", () => {
  it.each(CHECK_TYPES)("has exactly one definition of %s, with a docs line", (type) => {
    const found = CHECK_TYPE_DEFINITIONS.filter((d) => d.type === type);
    expect(found).toHaveLength(1);
    expect(found[0]!.docs.trim()).not.toBe("");
  });

  it("has no definition beyond CHECK_TYPES, and keeps their order", () => {
    expect(CHECK_TYPE_DEFINITIONS.map((d) => d.type)).toEqual([...CHECK_TYPES]);
  });

  it("has every type in docs/checks.md", () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, "../../docs/checks.md"), "utf8");
    const missing = CHECK_TYPES.filter((type) => !doc.includes(`\`${type}\``));
    expect(missing).toEqual([]);
  });
});
