import { describe, expect, it } from "vitest";
import { formatProblem, parseLab } from "./catalog";
import { MAX_FRONTMATTER_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH } from "./yaml-limits";

// Frontmatter is untrusted input (any author, any pull request): YAML that
// would exhaust memory, stack or time is refused with a located problem,
// never thrown past the one lab.
const lab = (yaml: string) => `---
title: A limited lab
summary: Ten or more characters of summary.
difficulty: beginner
duration: 20m
environment: node
${yaml}
---

# Steps
`;

const lines = (text: string) => parseLab("a-lab", "f.md", text).problems.map(formatProblem);

describe("YAML limits", () => {
  it("refuses a billion-laughs alias bomb at the alias that crosses the limit, without throwing", () => {
    const levels = "abcdefghi".split("");
    const bomb = levels
      .map((name, i) => `${name}: &${name} [${Array.from({ length: 9 }, () => (i === 0 ? '"lol"' : `*${levels[i - 1]}`)).join(", ")}]`)
      .join("\n");
    const result = lines(lab(`${bomb}\ntags: *i`));
    // 9 aliases of a on line 8, then each *b on line 9 adds itself and its
    // 9 *a: the 5th *b (column 24) takes the count past 50.
    expect(MAX_YAML_ALIASES).toBe(50);
    expect(result).toEqual([`f.md:9:24: too many YAML aliases: expanding them here would make more than ${MAX_YAML_ALIASES}; write the values out instead`]);
  });

  it("allows a few aliases, as authors use them to share checks", () => {
    const text = lab(`tasks:
  - id: one
    title: First task
    checks: &same [{ type: script, run: "true" }]
    solution: "true"
  - id: two
    title: Second task
    checks: *same
    solution: "true"`);
    expect(lines(text)).toEqual([]);
  });

  it("names an alias whose anchor is not defined before it (the parser would throw)", () => {
    expect(lines(lab("tags: [*nowhere]"))).toEqual(['f.md:7:8: YAML alias *nowhere names no anchor defined before it']);
  });

  it("refuses an alias inside the value it names (a loop)", () => {
    expect(lines(lab("tags: &loop [a, *loop]"))).toEqual(["f.md:7:17: YAML alias *loop is inside the value it names, which would never end"]);
  });

  it("refuses nesting deeper than the limit, at the first node too deep", () => {
    const depth = MAX_YAML_DEPTH + 5;
    const text = lab(`tags: ${"[".repeat(depth)}${"]".repeat(depth)}`);
    // The root mapping is level 1, so tags' first [ is level 2.
    expect(lines(text)).toEqual([`f.md:7:${7 + MAX_YAML_DEPTH - 1}: YAML nests deeper than ${MAX_YAML_DEPTH} levels; labs need far fewer`]);
  });

  it("refuses nesting that only becomes deep through an alias", () => {
    const half = MAX_YAML_DEPTH - 2;
    const text = lab(`deep: &deep ${"[".repeat(half)}${"]".repeat(half)}\ntags: ${"[".repeat(half)}*deep${"]".repeat(half)}`);
    // Reported at the alias: `deep` alone is within the limit.
    expect(lines(text)).toEqual([`f.md:8:${7 + half}: YAML nests deeper than ${MAX_YAML_DEPTH} levels; labs need far fewer`]);
  });

  it("refuses frontmatter over the size limit before parsing it, at the opening ---", () => {
    const big = `summary: "${"x".repeat(MAX_FRONTMATTER_BYTES)}"`;
    expect(MAX_FRONTMATTER_BYTES).toBe(64 * 1024);
    expect(lines(lab(big))).toEqual(["f.md:1:1: the frontmatter is 65 KiB; at most 64 KiB is read (move long text into the steps)"]);
  });

  it("survives nesting far past what the parser's stack allows", () => {
    const text = lab(`tags: ${"[".repeat(20_000)}${"]".repeat(20_000)}`);
    expect(() => parseLab("a-lab", "f.md", text)).not.toThrow();
    expect(lines(text).length).toBeGreaterThan(0);
  });
});
