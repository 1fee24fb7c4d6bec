import { describe, expect, it } from "vitest";
import type { CheckResult } from "../checks/evaluate";
import type { Check } from "../checks/schema";
import { evaluateTasks, type GradableTask } from "./runner";

// The runner's own logic (ordering, locking, parallel rounds) with a scripted
// evaluator; real checks against real sandboxes live in the integration tests.
const check = (run: string): Check => ({ type: "script", run, timeoutMs: 1000, retries: 0 });
const task = (id: string, needs: string[], ...runs: string[]): GradableTask => ({ id, title: `Task ${id.toUpperCase()}`, needs, checks: runs.map(check) });

function evaluator(passing: Set<string>, log: string[] = []) {
  return async (c: Check): Promise<CheckResult> => {
    const run = (c as { run: string }).run;
    log.push(run);
    await new Promise((r) => setTimeout(r, 5));
    return { passed: passing.has(run), message: passing.has(run) ? `${run} ok` : `${run} not yet`, evidence: {}, durationMs: 5, tamperResistant: false };
  };
}

describe("evaluateTasks", () => {
  const tasks = [task("a", [], "a1", "a2"), task("b", [], "b1"), task("c", ["a", "b"], "c1")];

  it("locks a task until everything it needs has passed, naming what is missing", async () => {
    const out = await evaluateTasks(tasks, evaluator(new Set(["a1", "a2"])), { passed: new Set() });
    expect(out.map((o) => [o.taskId, o.status, o.message])).toEqual([
      ["a", "passed", "a1 ok"],
      ["b", "failed", "b1 not yet"],
      ["c", "locked", 'Finish "Task B" first.'],
    ]);
  });

  it("fails a task when any of its checks fails, with that check's message", async () => {
    const out = await evaluateTasks(tasks, evaluator(new Set(["a1"])), { passed: new Set() });
    expect(out[0]).toMatchObject({ taskId: "a", status: "failed", message: "a2 not yet" });
    expect(out[0]!.checks).toHaveLength(2);
  });

  it("unlocks and evaluates a dependent task in the same call once its needs pass", async () => {
    const log: string[] = [];
    const out = await evaluateTasks(tasks, evaluator(new Set(["a1", "a2", "b1", "c1"]), log), { passed: new Set() });
    expect(out.map((o) => o.status)).toEqual(["passed", "passed", "passed"]);
    // a and b ran in the first round, c after them.
    expect(log.indexOf("c1")).toBeGreaterThan(Math.max(log.indexOf("a2"), log.indexOf("b1")));
  });

  it("never re-evaluates a task that already passed", async () => {
    const log: string[] = [];
    const out = await evaluateTasks(tasks, evaluator(new Set(["c1"]), log), { passed: new Set(["a", "b"]) });
    expect(log).toEqual(["c1"]);
    expect(out).toEqual([expect.objectContaining({ taskId: "c", status: "passed" })]);
  });

  it("evaluates only the requested tasks", async () => {
    const log: string[] = [];
    await evaluateTasks(tasks, evaluator(new Set(), log), { passed: new Set(), only: new Set(["b"]) });
    expect(log).toEqual(["b1"]);
  });
});
