import type { CheckResult } from "../checks/evaluate";
import type { Check } from "../checks/schema";

/** What the runner needs of a task. */
export interface GradableTask {
  id: string;
  title: string;
  needs: string[];
  checks: Check[];
}

/** Outcome of one task in one evaluation round. */
export interface TaskEvaluation {
  taskId: string;
  /** locked: a task it needs has not passed, so it was not evaluated. */
  status: "passed" | "failed" | "locked";
  /** One sentence for the learner. */
  message: string;
  checks: CheckResult[];
  durationMs: number;
}

export interface EvaluateTasksOptions {
  /** Tasks that passed before: never evaluated again (a passed task stays passed). */
  passed: ReadonlySet<string>;
  /** Evaluate only these tasks (and report the rest as they are). */
  only?: ReadonlySet<string>;
}

/**
 * Evaluates tasks in `needs` order. Each round evaluates, in parallel, every
 * task whose needs have all passed; a task unlocked by this round is tried in
 * the next one, so finishing A and B at once ticks both. A task passes when
 * all its checks pass (checks of one task also run in parallel).
 */
export async function evaluateTasks(tasks: GradableTask[], evaluate: (check: Check) => Promise<CheckResult>, options: EvaluateTasksOptions): Promise<TaskEvaluation[]> {
  const passed = new Set(options.passed);
  const results = new Map<string, TaskEvaluation>();
  const wanted = (t: GradableTask) => !options.only || options.only.has(t.id);
  for (;;) {
    const round = tasks.filter((t) => !passed.has(t.id) && !results.has(t.id) && wanted(t) && t.needs.every((n) => passed.has(n)));
    if (!round.length) break;
    const outcomes = await Promise.all(
      round.map(async (task): Promise<TaskEvaluation> => {
        const started = performance.now();
        const checks = await Promise.all(task.checks.map((c) => evaluate(c)));
        const failing = checks.find((c) => !c.passed);
        return {
          taskId: task.id,
          status: failing ? "failed" : "passed",
          message: failing ? failing.message : (checks.map((c) => c.message).find((m) => m) ?? "Done."),
          checks,
          durationMs: Math.round(performance.now() - started),
        };
      }),
    );
    for (const o of outcomes) {
      results.set(o.taskId, o);
      if (o.status === "passed") passed.add(o.taskId);
    }
  }
  const title = new Map(tasks.map((t) => [t.id, t.title]));
  for (const t of tasks) {
    if (results.has(t.id) || options.passed.has(t.id) || !wanted(t)) continue;
    const missing = t.needs.filter((n) => !passed.has(n)).map((n) => `"${title.get(n) ?? n}"`);
    results.set(t.id, { taskId: t.id, status: "locked", message: `Finish ${missing.join(" and ")} first.`, checks: [], durationMs: 0 });
  }
  return tasks.map((t) => results.get(t.id)).filter((r): r is TaskEvaluation => !!r);
}
