/**
 * Grading cost.
 *  1. Evaluating every check of a lab on a node where all tasks are done
 *     (the worst case: nothing short-circuits), p50 over several rounds.
 *  2. Server CPU while the grading service polls N ready sessions at 0.5 Hz
 *     (each with pending tasks, so every poll really evaluates).
 *
 *   npx tsx bench/checks.ts [sessions=50] [seconds=30]
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { evaluateCheck } from "../server/checks/evaluate";
import { openHostView } from "../server/checks/host-view";
import { probeCgroupVersion } from "../server/grading/lab-test";
import { evaluateTasks } from "../server/grading/runner";
import { forCgroup } from "../server/labs/cgroup-variants";
import { DockerProvider } from "../server/sandbox/providers/docker/provider";
import { startTestPlatformOutsideVitest } from "./platform";
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
    console.log(`all ${checks} checks of ${lab.slug} (${lab.tasks.length} tasks): p50 ${ms(median(times))}, p90 ${ms(percentile(times, 90))}  [target p50 < 300 ms]`);
  } finally {
    await provider.destroy(sb.id);
  }
}

/** CPU seconds used so far by the Docker engine's daemons (host-side cost of exec-based checks). */
function engineCpuSeconds(): number {
  const hz = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  let ticks = 0;
  for (const name of ["dockerd", "containerd"]) {
    let pids: string[] = [];
    try {
      pids = execFileSync("pidof", [name]).toString().trim().split(/\s+/);
    } catch {
      continue;
    }
    for (const pid of pids) {
      const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(f[11]) + Number(f[12]); // utime + stime
    }
  }
  return ticks / hz;
}

async function pollingCpu(platform: Awaited<ReturnType<typeof startTestPlatformOutsideVitest>>, sessions: number, seconds: number) {
  const s = platform.services;
  await s.sessions.boot();
  const started = performance.now();
  const users = await Promise.all(Array.from({ length: sessions }, (_, i) => platform.user(`poll-${i}@example.com`)));
  const views = [];
  // Start in batches of 5: 2 cores, and provisioning is not what is measured.
  for (let i = 0; i < users.length; i += 5) views.push(...(await Promise.all(users.slice(i, i + 5).map((u) => s.sessions.start(u, "first-container")))));
  for (const v of views) for await (const x of s.sessions.watch(users[views.indexOf(v)]!, v.id)) if (x.state === "ready") break;
  console.log(`${sessions} sessions ready in ${((performance.now() - started) / 1000).toFixed(1)} s; polling each every 2 s for ${seconds} s ...`);
  s.grading.boot();
  await new Promise((r) => setTimeout(r, 3000)); // first round
  const cpu0 = process.cpuUsage();
  const engine0 = engineCpuSeconds();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const engineShare = ((engineCpuSeconds() - engine0) * 1000 / wall) * 100;
  const evaluations = await s.db.prisma.taskResult.aggregate({ _sum: { attempts: true } });
  const share = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  console.log(`server CPU while polling ${sessions} sessions at 0.5 Hz: ${share.toFixed(1)}% of one core (${os.cpus().length} cores), ${evaluations._sum.attempts ?? 0} task evaluations stored  [target < 25%]`);
  console.log(`  dockerd + containerd meanwhile: ${engineShare.toFixed(1)}% of one core (exec-based checks cost the engine too)`);
  s.grading.shutdown();
}

async function main() {
  const sessions = Number(process.argv[2] ?? 50);
  const seconds = Number(process.argv[3] ?? 30);
  const instance = `bench-checks-${process.pid}`;
  const platform = await startTestPlatformOutsideVitest(instance, { poolSize: 0, maxSandboxes: sessions + 2, maxActivePerUser: 1, tickMs: 3_600_000, reconcileMs: 3_600_000 });
  const provider = new DockerProvider({ instance, maxSandboxes: sessions + 2 });
  try {
    await allChecksOfALab(platform, provider);
    await pollingCpu(platform, sessions, seconds);
  } finally {
    await platform.services.sessions.shutdown();
    const all = await provider.list();
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((sb) => provider.destroy(sb.id)));
    await platform.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
