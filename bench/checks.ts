/**
 * Grading cost: evaluating every check of a lab on a node where all tasks
 * are done (the worst case: nothing short-circuits), p50 over several
 * rounds. What grading costs a class (evaluations that follow the learners'
 * commands, and the safety poll) is bench/events.ts.
 *
 *   npx tsx bench/checks.ts
 */
import { evaluateCheck } from "../server/checks/evaluate";
import { openHostView } from "../server/checks/host-view";
import { probeCgroupVersion } from "../server/grading/lab-test";
import { evaluateTasks } from "../server/grading/runner";
import { forCgroup } from "../server/labs/cgroup-variants";
import { DockerProvider } from "../server/sandbox/providers/docker/provider";
import { startTestPlatformOutsideVitest } from "./platform";
import { loadLine } from "./cpu";
import { median, ms, percentile } from "./stats";

async function allChecksOfALab(platform: Awaited<ReturnType<typeof startTestPlatformOutsideVitest>>, provider: DockerProvider) {
  const lab = await platform.services.labs.get("first-container");
  const sb = await provider.provision({});
  try {
    for (const t of lab.tasks) await provider.exec(sb.id, ["bash", "-c", forCgroup(t.solution, await probeCgroupVersion(provider, sb.id))]);
    const { view } = await openHostView(provider, sb.id);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      const out = await evaluateTasks(lab.tasks, (c) => evaluateCheck(c, { provider, sandboxId: sb.id, view }), { passed: new Set() });
      times.push(performance.now() - t);
      if (!out.every((o) => o.status === "passed")) throw new Error("expected every task to pass after its solution");
    }
    const checks = lab.tasks.reduce((n, t) => n + t.checks.length, 0);
    console.log(`all ${checks} checks of ${lab.slug} (${lab.tasks.length} tasks): p50 ${ms(median(times))}, p90 ${ms(percentile(times, 90))}  [target p50 < 300 ms]; ${loadLine()}`);
  } finally {
    await provider.destroy(sb.id);
  }
}

async function main() {
  const instance = `bench-checks-${process.pid}`;
  const platform = await startTestPlatformOutsideVitest(instance, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
  const provider = new DockerProvider({ instance });
  try {
    await allChecksOfALab(platform, provider);
  } finally {
    await platform.services.sessions.shutdown();
    for (const sb of await provider.list()) await provider.destroy(sb.id);
    await platform.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
