import { describe, expect, it } from "vitest";
import type { TestLine, TestReport } from "@/server/labs/test-runs";
import { formatDuration, taskRows } from "./test-rows";

const tasks = [
  { id: "a", title: "Task A" },
  { id: "b", title: "Task B" },
];

function report(lines: TestLine[], extra: Partial<TestReport> = {}): TestReport {
  return { startedAt: "2026-01-01T00:00:00Z", beatAt: "2026-01-01T00:00:01Z", by: "Ada", lines, ...extra };
}

const line = (taskId: string, phase: TestLine["phase"], ok = true): TestLine => ({ at: 1, kind: "task", taskId, phase, ok, text: `${phase} ${ok}` });

describe("taskRows", () => {
  it("lists every task as pending before any line, the first as running while the run goes", () => {
    expect(taskRows(tasks, null, "untested").map((r) => r.status)).toEqual(["pending", "pending"]);
    expect(taskRows(tasks, report([{ at: 1, kind: "sandbox", ok: true, text: "node ready" }]), "running").map((r) => r.status)).toEqual(["running", "pending"]);
  });

  it("follows the phases of a task as they come", () => {
    const rows = taskRows(tasks, report([line("a", "before"), line("a", "solution")]), "running");
    expect(rows[0]).toMatchObject({ taskId: "a", title: "Task A", status: "running" });
    expect(Object.keys(rows[0]!.phases)).toEqual(["before", "solution"]);
    expect(rows[1]!.status).toBe("pending");
    const next = taskRows(tasks, report([line("a", "before"), line("a", "solution"), line("a", "after")]), "running");
    expect(next.map((r) => r.status)).toEqual(["passed", "running"]);
  });

  it("marks a task failed at its first failing phase", () => {
    const rows = taskRows(tasks, report([line("a", "before", false)]), "running");
    expect(rows[0]!.status).toBe("failed");
    expect(rows[1]!.status).toBe("running");
  });

  it("a task cut short by the end of the run failed; tasks never reached stay pending", () => {
    const rows = taskRows(tasks, report([line("a", "before")]), "interrupted");
    expect(rows.map((r) => r.status)).toEqual(["failed", "pending"]);
  });

  it("takes the run's final verdicts, and adds rows for other ways", () => {
    const r = report([line("a", "before"), line("a", "solution"), line("a", "after"), line("b", "before"), line("b", "solution"), line("b", "after"), line("a (way 2)", "solution", false)], {
      passed: false,
      tasks: [
        { taskId: "a", ok: true },
        { taskId: "b", ok: true },
        { taskId: "a (way 2)", ok: false, failure: "solution failed" },
      ],
    });
    const rows = taskRows(tasks, r, "failed");
    expect(rows.map((x) => [x.taskId, x.status, x.title])).toEqual([
      ["a", "passed", "Task A"],
      ["b", "passed", "Task B"],
      ["a (way 2)", "failed", null],
    ]);
  });
});

describe("formatDuration", () => {
  it("reads as people say it", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });
});
