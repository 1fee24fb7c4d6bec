import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, loadCatalog, parseLab, fencedBlocks } from "./catalog";

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
      { id: "first", title: "Do the first thing", checks: [{ type: "script", run: "test -f /tmp/done", timeoutMs: 15_000, retries: 0 }], hints: [], needs: [], points: 10, solution: "touch /tmp/done" },
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
    const lines = parseLab("a-lab", "f.md", text).problems.map(formatProblem);
    expect(lines).toEqual([
      "f.md:16:13: a task needs at least one check",
      "f.md:14:5: each task needs a reference solution (shell run in the node) so `labs test` can prove it",
      "f.md:23:5: unknown task field: reward",
    ]);
    // Graph problems are reported once the schema passes.
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
