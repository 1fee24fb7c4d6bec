import { evaluateCheck, type CheckResult } from "../checks/evaluate";
import { openHostView, type HostView } from "../checks/host-view";
import type { CgroupVersion } from "../checks/cgroup";
import type { LabDefinition } from "../labs/catalog";
import { CGROUP_VERSION_PROBE, differsByCgroup, forCgroup, parseCgroupVersionProbe, type CgroupVariants } from "../labs/cgroup-variants";
import { orderByNeeds } from "../labs/tasks";
import type { SandboxProvider, SandboxSpec } from "../sandbox/provider";
import { LAB_TEST_SESSION_PREFIX } from "../sandbox/labels";
import crypto from "node:crypto";

/** One line of a lab test's progress. */
export type LabTestEvent =
  | { kind: "sandbox"; id: string; readyMs: number; purpose?: string; cgroupVersion: CgroupVersion }
  | { kind: "task"; taskId: string; phase: "before" | "solution" | "after"; ok: boolean; detail: string; durationMs: number };

export interface LabTestResult {
  lab: string;
  sandboxId: string;
  /** The cgroup version of the nodes it ran on: the solutions replayed were that version's. */
  cgroupVersion: CgroupVersion | null;
  passed: boolean;
  /** One entry per task and per other way of solving it ("<id> (way 2)"). */
  tasks: { taskId: string; ok: boolean; failure?: string }[];
  durationMs: number;
}

type Task = LabDefinition["tasks"][number];

/**
 * Which of a task's other ways (`solutions:`) to replay: all of them, only
 * those written per cgroup version (`cgroup`: what a second host of the other
 * version has left to prove; the reference solutions always run), or none.
 */
export const WAYS = ["all", "cgroup", "none"] as const;
export type Ways = (typeof WAYS)[number];

/**
 * The author's loop: on a fresh sandbox, for each task in `needs` order, its
 * checks must FAIL first (a check that passes on a fresh node proves
 * nothing), then its reference solution runs in the node, then its checks
 * must PASS. Later tasks build on the state earlier solutions left.
 *
 * Every other way a task lists (`solutions:`) is replayed the same way on a
 * fresh sandbox of its own, after the reference solutions of the tasks before
 * it: a lab proves it accepts more than one way, not just its author's.
 *
 * Solutions written per cgroup version run as the node's version: a lab
 * tested on a v1 host and on a v2 host has proved both.
 */
export async function testLab(
  lab: LabDefinition,
  provider: SandboxProvider,
  options: { keep?: boolean; ways?: Ways; onEvent?: (e: LabTestEvent) => void; runId?: string } = {},
): Promise<LabTestResult> {
  const emit = options.onEvent ?? (() => {});
  // Labelled as a test's, so a server's reconciler beside it leaves the nodes alone.
  const spec = { labSlug: lab.slug, sessionId: `${LAB_TEST_SESSION_PREFIX}${options.runId ?? crypto.randomUUID().slice(0, 8)}` };
  const started = performance.now();
  const ordered = orderByNeeds(lab.tasks);
  const results: LabTestResult["tasks"] = [];
  let cgroupVersion: CgroupVersion | null = null;
  const main = await onFreshSandbox(spec, provider, emit, "reference solutions", options.keep, async (run, _exec, version) => {
    cgroupVersion = version;
    for (const task of ordered) results.push({ taskId: task.id, ...(await run(task, task.solution, task.id)) });
  });
  for (const [i, task] of ordered.entries()) {
    for (const [j, other] of task.solutions.entries()) {
      if (options.ways === "none" || (options.ways === "cgroup" && !differsByCgroup(other))) continue;
      const label = `${task.id} (way ${j + 2})`;
      const fail = (failure: string) => {
        results.push({ taskId: label, ok: false, failure });
        emit({ kind: "task", taskId: label, phase: "solution", ok: false, detail: failure, durationMs: 0 });
      };
      // One way's failure (even to get a sandbox) is that way's result, not the end of the test.
      await onFreshSandbox(spec, provider, emit, label, options.keep, async (run, exec, version) => {
        // The state the task starts from: every earlier task done the reference way.
        for (const earlier of ordered.slice(0, i)) {
          const r = await exec(forCgroup(earlier.solution, version));
          if (r.exitCode !== 0) return fail(`setting up: the solution of ${earlier.id} failed`);
        }
        results.push({ taskId: label, ...(await run(task, other, label)) });
      }).catch((err: unknown) => fail(`no sandbox for it: ${(err as Error).message}`));
    }
  }
  return {
    lab: lab.slug,
    sandboxId: main,
    cgroupVersion,
    passed: results.every((r) => r.ok),
    tasks: results,
    durationMs: Math.round(performance.now() - started),
  };
}

type Replay = (task: Task, solution: CgroupVariants, label: string) => Promise<{ ok: boolean; failure?: string }>;
type Exec = (script: string) => Promise<{ exitCode: number | null }>;

/** The cgroup version a sandbox's node sees, asked of the node itself. */
export async function probeCgroupVersion(provider: SandboxProvider, sandboxId: string): Promise<CgroupVersion> {
  const probe = await provider.exec(sandboxId, ["/bin/sh", "-c", CGROUP_VERSION_PROBE], { timeoutMs: 30_000 });
  const version = parseCgroupVersionProbe(probe.stdout);
  if (!version) throw new Error(`cannot tell the node's cgroup version (probe printed ${JSON.stringify(probe.stdout.slice(0, 80))}, exit ${probe.exitCode})`);
  return version;
}

/** Provisions a sandbox, hands `body` a replay and an exec on it, removes it after (unless kept). */
async function onFreshSandbox(
  spec: SandboxSpec,
  provider: SandboxProvider,
  emit: (e: LabTestEvent) => void,
  purpose: string,
  keep: boolean | undefined,
  body: (replay: Replay, exec: Exec, version: CgroupVersion) => Promise<void>,
): Promise<string> {
  const t0 = performance.now();
  const sandbox = await provider.provision(spec);
  try {
    // Asked of the node itself: the solutions to replay are its version's.
    const version = await probeCgroupVersion(provider, sandbox.id);
    emit({ kind: "sandbox", id: sandbox.id, readyMs: Math.round(performance.now() - t0), purpose, cgroupVersion: version });
    const { view } = await openHostView(provider, sandbox.id);
    const exec: Exec = (script) => provider.exec(sandbox.id, ["/bin/bash", "-c", script], { timeoutMs: 120_000 });
    await body((task, solution, label) => replayTask(provider, sandbox.id, view, task, forCgroup(solution, version), label, emit), exec, version);
  } finally {
    if (!keep) await provider.destroy(sandbox.id);
  }
  return sandbox.id;
}

/** Fail before, run the solution, pass after: one task, one way. */
async function replayTask(
  provider: SandboxProvider,
  sandboxId: string,
  view: HostView,
  task: Task,
  solution: string,
  label: string,
  emit: (e: LabTestEvent) => void,
): Promise<{ ok: boolean; failure?: string }> {
  const evaluateAll = async () => {
    const out: CheckResult[] = [];
    for (const c of task.checks) out.push(await evaluateCheck(c, { provider, sandboxId, view }));
    return out;
  };
  const t0 = performance.now();
  const before = await evaluateAll();
  const passedEarly = before.filter((r) => r.passed);
  const beforeOk = passedEarly.length < before.length || before.length === 0;
  emit({
    kind: "task",
    taskId: label,
    phase: "before",
    ok: beforeOk,
    detail: beforeOk ? "checks fail before the solution, as they should" : `every check already passes before the solution: ${passedEarly.map((r) => r.message).join(" / ")}`,
    durationMs: Math.round(performance.now() - t0),
  });
  const t1 = performance.now();
  const sol = await provider.exec(sandboxId, ["/bin/bash", "-c", solution], { timeoutMs: 120_000 });
  const solOk = sol.exitCode === 0;
  emit({
    kind: "task",
    taskId: label,
    phase: "solution",
    ok: solOk,
    detail: solOk ? "solution ran" : `solution exited ${sol.exitCode}${sol.timedOut ? " (timed out)" : ""}: ${(sol.stderr || sol.stdout).trim().slice(0, 500)}`,
    durationMs: Math.round(performance.now() - t1),
  });
  const t2 = performance.now();
  const after = solOk ? await evaluateAll() : [];
  const failing = after.filter((r) => !r.passed);
  const afterOk = solOk && failing.length === 0;
  emit({
    kind: "task",
    taskId: label,
    phase: "after",
    ok: afterOk,
    detail: afterOk ? "checks pass after the solution" : solOk ? failing.map((r) => r.message).join(" / ") : "skipped: the solution failed",
    durationMs: Math.round(performance.now() - t2),
  });
  const ok = beforeOk && afterOk;
  return ok ? { ok } : { ok, failure: !beforeOk ? "checks passed before the solution" : !solOk ? "solution failed" : "checks failed after the solution" };
}
