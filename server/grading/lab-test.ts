import { evaluateCheck, type CheckResult } from "../checks/evaluate";
import { openHostView } from "../checks/host-view";
import type { LabDefinition } from "../labs/catalog";
import { orderByNeeds } from "../labs/tasks";
import type { SandboxProvider } from "../sandbox/provider";

/** One line of a lab test's progress. */
export type LabTestEvent =
  | { kind: "sandbox"; id: string; readyMs: number }
  | { kind: "task"; taskId: string; phase: "before" | "solution" | "after"; ok: boolean; detail: string; durationMs: number };

export interface LabTestResult {
  lab: string;
  sandboxId: string;
  passed: boolean;
  tasks: { taskId: string; ok: boolean; failure?: string }[];
  durationMs: number;
}

/**
 * The author's loop: on a fresh sandbox, for each task in `needs` order, its
 * checks must FAIL first (a check that passes on a fresh node proves
 * nothing), then its reference solution runs in the node, then its checks
 * must PASS. Later tasks build on the state earlier solutions left.
 */
export async function testLab(
  lab: LabDefinition,
  provider: SandboxProvider,
  options: { keep?: boolean; onEvent?: (e: LabTestEvent) => void } = {},
): Promise<LabTestResult> {
  const emit = options.onEvent ?? (() => {});
  const started = performance.now();
  const sandbox = await provider.provision({ labSlug: lab.slug });
  emit({ kind: "sandbox", id: sandbox.id, readyMs: Math.round(performance.now() - started) });
  const results: LabTestResult["tasks"] = [];
  try {
    const { view } = await openHostView(provider, sandbox.id);
    const evaluateAll = async (checks: LabDefinition["tasks"][number]["checks"]) => {
      const out: CheckResult[] = [];
      for (const c of checks) out.push(await evaluateCheck(c, { provider, sandboxId: sandbox.id, view }));
      return out;
    };
    for (const task of orderByNeeds(lab.tasks)) {
      const t0 = performance.now();
      const before = await evaluateAll(task.checks);
      const passedEarly = before.filter((r) => r.passed);
      const beforeOk = passedEarly.length < before.length || before.length === 0;
      emit({
        kind: "task",
        taskId: task.id,
        phase: "before",
        ok: beforeOk,
        detail: beforeOk ? "checks fail before the solution, as they should" : `every check already passes before the solution: ${passedEarly.map((r) => r.message).join(" / ")}`,
        durationMs: Math.round(performance.now() - t0),
      });
      const t1 = performance.now();
      const sol = await provider.exec(sandbox.id, ["/bin/bash", "-c", task.solution], { timeoutMs: 120_000 });
      const solOk = sol.exitCode === 0;
      emit({
        kind: "task",
        taskId: task.id,
        phase: "solution",
        ok: solOk,
        detail: solOk ? "solution ran" : `solution exited ${sol.exitCode}${sol.timedOut ? " (timed out)" : ""}: ${(sol.stderr || sol.stdout).trim().slice(0, 500)}`,
        durationMs: Math.round(performance.now() - t1),
      });
      const t2 = performance.now();
      const after = solOk ? await evaluateAll(task.checks) : [];
      const failing = after.filter((r) => !r.passed);
      const afterOk = solOk && failing.length === 0;
      emit({
        kind: "task",
        taskId: task.id,
        phase: "after",
        ok: afterOk,
        detail: afterOk ? "checks pass after the solution" : solOk ? failing.map((r) => r.message).join(" / ") : "skipped: the solution failed",
        durationMs: Math.round(performance.now() - t2),
      });
      const ok = beforeOk && afterOk;
      results.push({ taskId: task.id, ok, failure: ok ? undefined : !beforeOk ? "checks passed before the solution" : !solOk ? "solution failed" : "checks failed after the solution" });
    }
  } finally {
    if (!options.keep) await provider.destroy(sandbox.id);
  }
  return {
    lab: lab.slug,
    sandboxId: sandbox.id,
    passed: results.every((r) => r.ok),
    tasks: results,
    durationMs: Math.round(performance.now() - started),
  };
}
