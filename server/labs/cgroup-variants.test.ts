import { describe, expect, it } from "vitest";
import { bodyProblems, bodySections } from "./body";
import { cgroupVariantsSchema, forCgroup, parseCgroupVersionProbe } from "./cgroup-variants";
import { taskSchema } from "./tasks";

describe("text by cgroup version", () => {
  const schema = cgroupVariantsSchema("a hint");

  it("reads a plain string as the same text on both versions", () => {
    expect(schema.parse("  cat memory.max ")).toEqual({ v1: "cat memory.max", v2: "cat memory.max" });
  });

  it("reads cgroup-v1/cgroup-v2 into one text per version", () => {
    expect(schema.parse({ "cgroup-v1": "memory.limit_in_bytes", "cgroup-v2": "memory.max" })).toEqual({ v1: "memory.limit_in_bytes", v2: "memory.max" });
  });

  it("refuses a map missing a version, with other keys, or empty text, saying which", () => {
    const msg = (v: unknown) => schema.safeParse(v).error?.issues.map((i) => i.message).join("; ");
    expect(msg({ "cgroup-v1": "x" })).toMatch(/cgroup v2|cgroup-v1: and cgroup-v2:/);
    expect(msg({ "cgroup-v1": "x", "cgroup-v2": "y", v3: "z" })).toMatch(/takes only cgroup-v1 and cgroup-v2 \(found v3\)/);
    expect(msg({ "cgroup-v1": "", "cgroup-v2": "y" })).toMatch(/cannot be empty/);
  });

  it("gives each node its version's text, and both, labelled, when the version is unknown", () => {
    const v = { v1: "A", v2: "B" };
    expect(forCgroup(v, 1)).toBe("A");
    expect(forCgroup(v, 2)).toBe("B");
    expect(forCgroup(v, null)).toBe("On cgroup v1: A\nOn cgroup v2: B");
    expect(forCgroup({ v1: "same", v2: "same" }, null)).toBe("same");
  });

  it("reads the node's probe output strictly", () => {
    expect(parseCgroupVersionProbe("2\n")).toBe(2);
    expect(parseCgroupVersionProbe("1")).toBe(1);
    expect(parseCgroupVersionProbe("")).toBeNull();
    expect(parseCgroupVersionProbe("cgroup2fs")).toBeNull();
  });

  it("lets a task's solution, solutions and hints differ by version, and keeps the missing-solution message", () => {
    const base = { id: "t", title: "A task", checks: [{ type: "file", path: "/root/x", exists: true }] };
    const task = taskSchema.parse({
      ...base,
      hints: ["plain", { "cgroup-v1": "h1", "cgroup-v2": "h2" }],
      solution: { "cgroup-v1": "s1", "cgroup-v2": "s2" },
      solutions: ["same on both"],
    });
    expect(task.solution).toEqual({ v1: "s1", v2: "s2" });
    expect(task.hints).toEqual([{ v1: "plain", v2: "plain" }, { v1: "h1", v2: "h2" }]);
    expect(task.solutions).toEqual([{ v1: "same on both", v2: "same on both" }]);
    expect(taskSchema.safeParse(base).error?.issues[0]?.message).toMatch(/each task needs a reference solution/);
  });
});

describe("body sections by cgroup version", () => {
  it("splits the steps at ::: cgroup-v1 / ::: cgroup-v2 ... ::: and keeps the rest for everyone", () => {
    const body = ["# Title", "", "::: cgroup-v1", "v1 text", ":::", "::: cgroup-v2", "v2 text", ":::", "after"].join("\n");
    const { sections, problems } = bodySections(body);
    expect(problems).toEqual([]);
    expect(sections).toEqual([
      { cgroup: null, markdown: "# Title\n", line: 0 },
      { cgroup: 1, markdown: "v1 text", line: 3 },
      { cgroup: 2, markdown: "v2 text", line: 6 },
      { cgroup: null, markdown: "after", line: 8 },
    ]);
  });

  it("leaves ::: lines inside code fences alone", () => {
    const body = ["```bash", "::: cgroup-v1", "```", "text"].join("\n");
    const { sections, problems } = bodySections(body);
    expect(problems).toEqual([]);
    expect(sections).toHaveLength(1);
    expect(sections[0]!.markdown).toContain("::: cgroup-v1");
  });

  it("reports unknown, nested, unclosed and stray markers at their file lines", () => {
    const body = ["::: cgroup-v3", "x", ":::", "::: cgroup-v1", "::: cgroup-v2", "y", ":::", ":::", "::: cgroup-v2", "never closed"].join("\n");
    const problems = bodyProblems(body, 10, new Set());
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '10: unknown section "::: cgroup-v3": use ::: cgroup-v1 or ::: cgroup-v2, closed by :::',
      '12: a closing ::: with no ::: cgroup-v1 or ::: cgroup-v2 above it',
      '14: sections cannot be nested: close the section above with ::: before "::: cgroup-v2"',
      "17: a closing ::: with no ::: cgroup-v1 or ::: cgroup-v2 above it",
      "18: this ::: section is never closed: end it with a line holding only :::",
    ]);
  });
});
