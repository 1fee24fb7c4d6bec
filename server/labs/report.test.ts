import { describe, expect, it } from "vitest";
import { createLogger, logCallback } from "../observability/logger";
import type { Catalog } from "./catalog";
import { catalogStatus, problemLogLines, readinessMessage } from "./report";

const problem = (file: string, line: number, message: string) => ({ file, line, column: 1, message });

const catalog = {
  labs: [{ slug: "good-one" }, { slug: "good-two" }],
  broken: [
    { slug: "alias-bomb", file: "labs/alias-bomb/lab.md", problems: [problem("labs/alias-bomb/lab.md", 9, "too many YAML aliases")] },
    {
      slug: "tangled",
      file: "labs/tangled/lab.md",
      problems: [problem("labs/tangled/lab.md", 4, "difficulty must be one of beginner, intermediate, advanced"), problem("labs/tangled/lab.md", 10, "tasks need each other in a circle")],
    },
  ],
  problems: [],
} as unknown as Catalog;
catalog.problems = catalog.broken.flatMap((b) => b.problems);

describe("catalog status", () => {
  it("counts served and broken labs, each broken lab with its located problems", () => {
    expect(catalogStatus(catalog)).toEqual({
      served: 2,
      broken: [
        { slug: "alias-bomb", file: "labs/alias-bomb/lab.md", problems: [{ line: 9, column: 1, message: "too many YAML aliases" }] },
        {
          slug: "tangled",
          file: "labs/tangled/lab.md",
          problems: [
            { line: 4, column: 1, message: "difficulty must be one of beginner, intermediate, advanced" },
            { line: 10, column: 1, message: "tasks need each other in a circle" },
          ],
        },
      ],
      other: [],
    });
  });

  it("says in the readiness message how many labs are served and how many have problems, and where to look", () => {
    expect(readinessMessage(catalogStatus(catalog))).toBe("2 labs served; 2 labs have problems (see /instructor/labs).");
    expect(readinessMessage({ served: 1, broken: [catalogStatus(catalog).broken[0]!], other: [] })).toBe("1 lab served; 1 lab has problems (see /instructor/labs).");
    expect(readinessMessage({ served: 9, broken: [], other: [] })).toBe("9 labs served; no lab has problems.");
    expect(readinessMessage({ served: 0, broken: [], other: [problem("labs", 1, "labs directory does not exist")] })).toBe(
      "0 labs served; no lab has problems; 1 problem outside any lab (see /instructor/labs).",
    );
  });

  it("logs every problem as a warning through the services' log callback", () => {
    const raw: string[] = [];
    const log = logCallback("server", () => createLogger({ destination: { write: (s: string) => void raw.push(s) } }));
    for (const line of problemLogLines(catalog)) log(line);
    expect(raw.map((s) => JSON.parse(s) as Record<string, unknown>).map((l) => [l.level, l.component, l.msg])).toEqual([
      ["warn", "labs", "cannot serve alias-bomb: labs/alias-bomb/lab.md:9:1: too many YAML aliases"],
      ["warn", "labs", "cannot serve tangled: labs/tangled/lab.md:4:1: difficulty must be one of beginner, intermediate, advanced"],
      ["warn", "labs", "cannot serve tangled: labs/tangled/lab.md:10:1: tasks need each other in a circle"],
    ]);
  });
});
