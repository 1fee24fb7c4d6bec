import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fencedBlocks } from "./body";
import { formatProblem, loadCatalog, loadLab, MAX_LAB_FILE_BYTES, parseLab } from "./catalog";

const valid = `---
title: A valid lab
summary: Ten or more characters of summary.
difficulty: beginner
duration: 1h30m
environment: node
tags: [cgroups]
---

# Steps

Do things.
`;

describe("parseLab", () => {
  it("parses frontmatter and body, converting the duration to minutes", () => {
    const { lab, problems } = parseLab("a-lab", "labs/a-lab/lab.md", valid);
    expect(problems).toEqual([]);
    expect(lab).toMatchObject({ slug: "a-lab", title: "A valid lab", durationMinutes: 90, environment: "node", tags: ["cgroups"] });
    expect(lab!.body.startsWith("\n# Steps")).toBe(true);
    expect(lab!.sourceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["20m", 20],
    ["1h", 60],
    ["45 min", 45],
    [15, 15],
  ])("reads duration %s as %i minutes", (duration, minutes) => {
    const text = valid.replace("duration: 1h30m", `duration: ${duration}`);
    expect(parseLab("a-lab", "f.md", text).lab?.durationMinutes).toBe(minutes);
  });

  it("reports every problem at once with file:line:column", () => {
    const text = `---
title: X
summary: short
difficulty: expert
duration: soon
environment: vm
extra: 1
---
`;
    const { lab, problems } = parseLab("Bad_Slug", "labs/Bad_Slug/lab.md", text);
    expect(lab).toBeUndefined();
    const lines = problems.map(formatProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        'labs/Bad_Slug/lab.md:1:1: directory name "Bad_Slug" is not a valid slug: use 2-63 lowercase letters, digits and dashes',
        "labs/Bad_Slug/lab.md:2:8: title must be at least 3 characters",
        "labs/Bad_Slug/lab.md:3:10: summary must be at least 10 characters",
        "labs/Bad_Slug/lab.md:4:13: difficulty must be one of beginner, intermediate, advanced",
        'labs/Bad_Slug/lab.md:5:11: duration "soon" is not understood: write minutes like 20m, 1h or 1h30m',
        "labs/Bad_Slug/lab.md:6:14: environment must be node (a node container) or cluster (a kind cluster)",
        "labs/Bad_Slug/lab.md:7:1: unknown field: extra",
        "labs/Bad_Slug/lab.md:9:1: the lab has no steps: write markdown after the frontmatter",
      ]),
    );
    expect(lines).toHaveLength(8);
  });

  it("points at the YAML syntax error's line", () => {
    const { problems } = parseLab("x-lab", "f.md", "---\ntitle: ok\nsummary: [unclosed\n---\nbody\n");
    expect(problems[0]).toMatchObject({ file: "f.md", line: 3 });
    expect(problems[0]!.message).toMatch(/^YAML: /);
  });

  it("asks for frontmatter when there is none", () => {
    const { problems } = parseLab("x-lab", "f.md", "# Just markdown\n");
    expect(problems.map(formatProblem)).toEqual([expect.stringMatching(/^f\.md:1:1: missing frontmatter/)]);
  });

  it("tells a missing closing --- from missing frontmatter, at the opening ---", () => {
    const text = valid.replace("tags: [cgroups]\n---\n", "tags: [cgroups]\n");
    expect(parseLab("a-lab", "f.md", text).problems.map(formatProblem)).toEqual([
      "f.md:1:1: missing closing ---: the frontmatter opened here never ends; put a line with only --- after the YAML, before the steps",
    ]);
  });

  it("says where the opening --- is when lines come before it", () => {
    expect(parseLab("a-lab", "f.md", `\n\n${valid}`).problems.map(formatProblem)).toEqual([
      "f.md:3:1: the frontmatter's opening --- must be the first line of the file; remove the 2 line(s) above it",
    ]);
  });

  it("reports schema, task graph, duplicate id and fence problems in one pass", () => {
    const text = `---
title: Everything wrong
summary: Ten or more characters of summary.
difficulty: expert
duration: 10m
environment: node
tasks:
  - id: a
    title: Task A
    needs: [b]
    checks: [{ type: script, run: "true" }]
    solution: "true"
  - id: b
    title: Task B
    needs: [a, ghost]
    checks: [{ type: script, run: "true" }]
    solution: "true"
  - id: a
    title: Task A again
    checks: [{ type: script, run: "true" }]
---

\`\`\`task
a
\`\`\`

\`\`\`task
nope
\`\`\`

\`\`\`widget
spinning-cube
\`\`\`
`;
    expect(parseLab("a-lab", "f.md", text).problems.map(formatProblem)).toEqual([
      "f.md:4:13: difficulty must be one of beginner, intermediate, advanced",
      "f.md:18:5: each task needs a reference solution (shell run in the node) so `labs test` can prove it",
      'f.md:18:9: task id "a" is used twice; ids must be unique',
      'f.md:15:16: task "b" needs "ghost", which is not a task of this lab',
      "f.md:10:12: tasks need each other in a circle (a -> b -> a); none of them could ever start",
      'f.md:27:1: the ```task block names "nope", which is not a task of this lab',
      'f.md:31:1: unknown widget "spinning-cube": use one of pod-stepper, runtime-comparison, cgroup-tree',
    ]);
  });

  it("still checks the steps when the frontmatter cannot be read", () => {
    const text = "---\ntitle: [unclosed\n---\n\n```widget\nspinning-cube\n```\n";
    const lines = parseLab("a-lab", "f.md", text).problems.map(formatProblem);
    expect(lines[0]).toMatch(/^f\.md:2:\d+: YAML: /);
    expect(lines.at(-1)).toBe('f.md:5:1: unknown widget "spinning-cube": use one of pod-stepper, runtime-comparison, cgroup-tree');
  });

  it("caps the problems of one lab, saying how many more there are", () => {
    const text = valid.replace("tags: [cgroups]\n", Array.from({ length: 150 }, (_, i) => `extra${i}: 1\n`).join(""));
    const lines = parseLab("a-lab", "f.md", text).problems.map(formatProblem);
    expect(lines).toHaveLength(101);
    expect(lines.at(-1)).toBe("f.md:107:1: 50 more problem(s) in this file; fix these first");
  });

  it("names a missing required field at the frontmatter", () => {
    const text = valid.replace("environment: node\n", "");
    expect(parseLab("a-lab", "f.md", text).problems.map(formatProblem)).toEqual([
      "f.md:2:1: environment must be node (a node container) or cluster (a kind cluster)",
    ]);
  });
});

describe("loadCatalog", () => {
  it("keeps valid labs when a sibling is broken or missing its file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalog-"));
    fs.mkdirSync(path.join(dir, "good-lab"));
    fs.writeFileSync(path.join(dir, "good-lab", "lab.md"), valid);
    fs.mkdirSync(path.join(dir, "empty-dir"));
    fs.mkdirSync(path.join(dir, "_drafts"));
    const catalog = loadCatalog(dir);
    expect(catalog.labs.map((l) => l.slug)).toEqual(["good-lab"]);
    expect(catalog.problems.map((p) => p.message)).toEqual(['lab directory "empty-dir" has no lab.md']);
    fs.rmSync(dir, { recursive: true });
  });

  it("keeps serving good labs beside an alias bomb and an unreadable lab.md, reporting each broken lab", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalog-"));
    fs.mkdirSync(path.join(dir, "good-lab"));
    fs.writeFileSync(path.join(dir, "good-lab", "lab.md"), valid);
    fs.cpSync(path.resolve(__dirname, "../../test/fixtures/broken-labs/alias-bomb"), path.join(dir, "alias-bomb"), { recursive: true });
    fs.mkdirSync(path.join(dir, "not-a-file", "lab.md"), { recursive: true });
    const catalog = loadCatalog(dir);
    expect(catalog.labs.map((l) => l.slug)).toEqual(["good-lab"]);
    expect(catalog.broken.map((b) => [b.slug, b.problems.length])).toEqual([
      ["alias-bomb", 1],
      ["not-a-file", 1],
    ]);
    expect(catalog.broken[0]!.problems[0]!.message).toMatch(/^too many YAML aliases/);
    expect(catalog.broken[1]!.problems[0]!.message).toMatch(/^lab\.md is not a file/);
    expect(catalog.problems).toEqual(catalog.broken.flatMap((b) => b.problems));
    fs.rmSync(dir, { recursive: true });
  });

  it("turns anything a lab's parsing throws into a problem of that lab only", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalog-"));
    fs.mkdirSync(path.join(dir, "good-lab"));
    fs.writeFileSync(path.join(dir, "good-lab", "lab.md"), valid);
    const thrower = (slug: string, file: string, source: string | Uint8Array) => {
      if (slug === "good-lab") throw new RangeError("Maximum call stack size exceeded");
      return parseLab(slug, file, source);
    };
    expect(loadLab(path.join(dir, "good-lab"), thrower).problems).toEqual([
      expect.objectContaining({ line: 1, column: 1, message: "the lab could not be checked (RangeError: Maximum call stack size exceeded); this is a bug in the lab loader, please report it" }),
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  it("refuses a lab.md over the file size limit without reading it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalog-"));
    fs.mkdirSync(path.join(dir, "huge-lab"));
    fs.writeFileSync(path.join(dir, "huge-lab", "lab.md"), valid + "x".repeat(MAX_LAB_FILE_BYTES));
    expect(loadLab(path.join(dir, "huge-lab")).problems.map((p) => p.message)).toEqual(["lab.md is 1025 KiB; a lab file may be at most 1024 KiB"]);
    fs.rmSync(dir, { recursive: true });
  });

  it("loads the repository's own labs without problems", () => {
    const catalog = loadCatalog(path.resolve(__dirname, "../../labs"));
    expect(catalog.problems.map(formatProblem)).toEqual([]);
    expect(catalog.labs.length).toBeGreaterThanOrEqual(2);
  });
});

describe("tasks in the frontmatter", () => {
  const withTasks = (tasks: string) => valid.replace("tags: [cgroups]\n", `tags: [cgroups]\ntasks:\n${tasks}`);

  it("parses tasks with defaults for hints, needs and points", () => {
    const { lab, problems } = parseLab(
      "a-lab",
      "f.md",
      withTasks(`  - id: first
    title: Do the first thing
    checks:
      - type: script
        run: test -f /tmp/done
    solution: touch /tmp/done
`),
    );
    expect(problems).toEqual([]);
    expect(lab!.tasks).toEqual([
      { id: "first", title: "Do the first thing", checks: [{ type: "script", run: "test -f /tmp/done", timeoutMs: 15_000, retries: 0 }], hints: [], needs: [], points: 10, solution: { v1: "touch /tmp/done", v2: "touch /tmp/done" }, solutions: [] },
    ]);
  });

  it("locates missing fields, unknown needs, duplicates and cycles", () => {
    const text = withTasks(`  - id: a
    title: Task A
    checks: [{ type: script, run: "true" }]
    needs: [c]
    solution: "true"
  - id: b
    title: Task B
    checks: []
    needs: [missing]
  - id: c
    title: Task C
    checks: [{ type: script, run: "true" }]
    needs: [a]
    solution: "true"
    reward: 5
`);
    // Graph problems are reported in the same pass as the schema's, on what
    // the schema could read: an author fixes everything in one round.
    const lines = parseLab("a-lab", "f.md", text).problems.map(formatProblem);
    expect(lines).toEqual([
      "f.md:16:13: a task needs at least one check",
      "f.md:14:5: each task needs a reference solution (shell run in the node) so `labs test` can prove it",
      "f.md:23:5: unknown task field: reward",
      'f.md:17:13: task "b" needs "missing", which is not a task of this lab',
      "f.md:12:12: tasks need each other in a circle (a -> c -> a); none of them could ever start",
    ]);
    const graph = parseLab("a-lab", "f.md", text.replace("checks: []", 'checks: [{ type: script, run: "true" }]\n    solution: "true"').replace("    reward: 5\n", "")).problems.map(formatProblem);
    expect(graph).toEqual([
      'f.md:18:13: task "b" needs "missing", which is not a task of this lab',
      "f.md:12:12: tasks need each other in a circle (a -> c -> a); none of them could ever start",
    ]);
  });
});

describe("task widgets in the text", () => {
  const lab = `---
title: A valid lab
summary: Ten or more characters of summary.
difficulty: beginner
duration: 20m
environment: node
tasks:
  - id: first
    title: Do the first thing
    checks: [{ type: script, run: "true" }]
    solution: "true"
---

# Steps

\`\`\`task
first
\`\`\`

\`\`\`bash
echo not a task
\`\`\`

\`\`\`task
nope
\`\`\`
`;

  it("finds ```task fences with their lines, ignoring other fences", () => {
    expect(fencedBlocks("a\n```task\nfirst\n```\n```bash\nx\n```\n", "task")).toEqual([{ id: "first", line: 1 }]);
  });

  it("reports a task fence naming an unknown task at its line", () => {
    expect(parseLab("a-lab", "f.md", lab).problems.map(formatProblem)).toEqual(['f.md:24:1: the ```task block names "nope", which is not a task of this lab']);
  });
});

describe("widgets in the text", () => {
  it("accepts the known widgets and names an unknown one at its line", () => {
    const text = valid.replace("Do things.", "```widget\ncgroup-tree\n```\n\n```widget\nspinning-cube\n```");
    expect(parseLab("a-lab", "f.md", text).problems.map(formatProblem)).toEqual([
      'f.md:16:1: unknown widget "spinning-cube": use one of pod-stepper, runtime-comparison, cgroup-tree',
    ]);
  });
});
