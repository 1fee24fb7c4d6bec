/**
 * What grading costs a class now that evaluations follow events (a command
 * finishing in a learner's terminal) with a slow safety poll behind them.
 * Evaluations are counted as performed (runs the scheduler started) against
 * what the design expects, so a starved machine cannot pass for a cheap one.
 *
 *  1. Live idle sessions (each with a terminal open, nobody typing) at each
 *     size: learners active a moment ago (safety poll every 30 s), then idle
 *     for over 2 minutes (every 120 s).
 *  2. 50 sessions where one command a second (round robin) completes a
 *     task: evaluations per command, Enter → task passed (server side).
 * Server CPU is this process (the platform's services, gateway included);
 * engine CPU is the Docker engines (dockerd, their containerd and shims; bench/cpu.ts).
 *
 *   npx tsx bench/events.ts [sizes=50,200] [idle window s=60] [commands=60]
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_GRADING_CONFIG } from "../server/grading/service";
import type { EvaluationCause } from "../server/grading/scheduler";
import { gradeAfterCommands } from "../server/grading/terminal-trigger";
import { DockerProvider } from "../server/sandbox/providers/docker/provider";
import { createTerminalGateway } from "../server/terminal/gateway";
import { NodeTerminalClient } from "../server/terminal/node-client";
import type { SessionUser } from "../server/auth/principal";
import { CGROUPS_LAB, cgroupsLabCommands } from "./cgroups-lab";
import { cpuMeter, loadLine } from "./cpu";
import { startTestPlatformOutsideVitest } from "./platform";
import { ms, percentile } from "./stats";

type Platform = Awaited<ReturnType<typeof startTestPlatformOutsideVitest>>;

interface Learner {
  user: SessionUser;
  sessionId: string;
  terminal: NodeTerminalClient;
  /** Commands that complete this learner's tasks, in `needs` order. */
  commands: { task: string; line: string }[];
}

const PROMPT = /[#$] $/;

const total = (r: Record<EvaluationCause, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** A ready session of the lab for `user`; a node that failed to start (a busy machine) is tried once more. */
async function readySession(platform: Platform, user: SessionUser): Promise<{ id: string }> {
  const s = platform.services;
  for (let attempt = 1; ; attempt++) {
    const v = await s.sessions.start(user, CGROUPS_LAB);
    for await (const x of s.sessions.watch(user, v.id)) {
      if (x.state === "ready") return v;
      if (x.state !== "failed") continue;
      if (attempt === 2) throw new Error(`session failed twice: ${x.reason}`);
      break;
    }
  }
}

/** Starts `count` more learners on the lab, 5 at a time, each with a terminal at its prompt. */
async function addLearners(platform: Platform, base: string, learners: Learner[], count: number): Promise<void> {
  const s = platform.services;
  const t0 = performance.now();
  const from = learners.length;
  for (let i = from; i < from + count; i += 5) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(5, from + count - i) }, async (_, j) => {
        const { user, cookie } = await platform.signUp(`events-${i + j}@example.com`);
        const v = await readySession(platform, user);
        const terminal = await NodeTerminalClient.connect(base, { session: v.id, terminal: "t1", cookie, origin: s.env.publicUrl });
        await terminal.until("the prompt", () => PROMPT.test(terminal.text()), 30_000);
        const version = (await s.sessions.get(user, v.id)).cgroupVersion;
        return { user, sessionId: v.id, terminal, commands: cgroupsLabCommands(version) };
      }),
    );
    learners.push(...batch);
  }
  console.log(`${count} more sessions ready, each with a terminal at its prompt, in ${((performance.now() - t0) / 1000).toFixed(1)} s (${learners.length} live)`);
}

/** Evaluations and CPU over `seconds` while nobody types. */
async function idleWindow(platform: Platform, learners: Learner[], seconds: number, label: string, pollMs: number): Promise<void> {
  const grading = platform.services.grading;
  const runs0 = total(grading.evaluationStats().runs);
  const meter = cpuMeter();
  await sleep(seconds * 1000);
  const cpu = meter.stop();
  const performed = total(grading.evaluationStats().runs) - runs0;
  const expected = (learners.length * seconds * 1000) / pollMs;
  const perEval = performed ? ` (${ms(cpu.serverCpuMs / performed)} of server CPU per evaluation, the baseline below included)` : "";
  console.log(
    `${learners.length} live idle sessions, ${label}: ${performed} evaluations performed in ${seconds} s, about ${expected.toFixed(0)} expected from the safety poll; ` +
      `server ${cpu.serverPct.toFixed(1)}% of one core${perEval}, engine ${cpu.enginePct.toFixed(1)}%  [target < 5% of one core at 200]; ${loadLine()}`,
  );
}

/** One command a second, round robin, each completing the next task of its learner. */
async function busyWindow(platform: Platform, learners: Learner[], commands: number): Promise<void> {
  const grading = platform.services.grading;
  const passedAt = new Map<string, number>();
  const stop = grading.onEvent((e) => {
    if (e.type === "task.passed") passedAt.set(`${e.sessionId}/${e.taskId}`, performance.now());
  });
  const sent: { key: string; at: number; prompt?: number }[] = [];
  const before = grading.evaluationStats().runs;
  const meter = cpuMeter();
  for (let i = 0; i < commands; i++) {
    const l = learners[i % learners.length]!;
    const c = l.commands[Math.floor(i / learners.length)];
    if (!c) break;
    const entry: (typeof sent)[number] = { key: `${l.sessionId}/${c.task}`, at: performance.now() };
    sent.push(entry);
    // When the command's prompt comes back: what the command itself took.
    const from = l.terminal.text().length + c.line.length + 1;
    void l.terminal
      .until("the prompt", () => PROMPT.test(l.terminal.text().slice(from)), 10_000)
      .then(
        () => (entry.prompt = performance.now()),
        () => undefined,
      );
    l.terminal.type(`${c.line}\r`);
    await sleep(1000);
  }
  await sleep(3000); // the last commands' evaluations
  const cpu = meter.stop();
  stop();
  const after = grading.evaluationStats().runs;
  const byCause = Object.fromEntries((Object.keys(after) as EvaluationCause[]).map((k) => [k, after[k] - before[k]]));
  const performed = total(after) - total(before);
  const seconds = cpu.wallMs / 1000;
  const polls = (learners.length * seconds * 1000) / DEFAULT_GRADING_CONFIG.safetyPollMs;
  const latency = sent.map((s) => (passedAt.get(s.key) ?? NaN) - s.at);
  const missed = latency.filter((l) => Number.isNaN(l)).length;
  const ok = latency.filter((l) => !Number.isNaN(l));
  const afterPrompt = sent.map((s) => (passedAt.get(s.key) ?? NaN) - (s.prompt ?? NaN)).filter((l) => !Number.isNaN(l));
  const command = sent.map((s) => (s.prompt ?? NaN) - s.at).filter((l) => !Number.isNaN(l));
  console.log(
    `${learners.length} sessions, one command a second completing a task (${sent.length} commands, ${seconds.toFixed(0)} s): ${performed} evaluations performed ` +
      `(after commands ${byCause.command}, containerd events ${byCause["node-event"]}, safety poll ${byCause.poll}); expected about ${sent.length} after commands (one per command) + ${polls.toFixed(0)} from the poll at most; ` +
      `server ${cpu.serverPct.toFixed(1)}% of one core, engine ${cpu.enginePct.toFixed(1)}%; ${loadLine()}`,
  );
  console.log(
    `  Enter → task passed (server side, the command's own run time included): p50 ${ms(percentile(ok, 50))}, p90 ${ms(percentile(ok, 90))}, max ${ms(Math.max(...ok))}` +
      `${missed ? `, ${missed} not passed within 3 s of the last command` : ""}  [target p50 ≤ 300 ms, max ≤ 1 s]`,
  );
  const followed = grading.nodeEventStats();
  if (followed)
    console.log(
      `  containerd event streams: ${followed.following} nodes followed now, ${followed.started} started, ${followed.events} relevant events, ${followed.requests} evaluation requests from them`,
    );
  console.log(
    `  of which the command until its prompt came back: p50 ${ms(percentile(command, 50))}, max ${ms(Math.max(...command))}; prompt → task passed: p50 ${ms(percentile(afterPrompt, 50))}, p90 ${ms(percentile(afterPrompt, 90))}, max ${ms(Math.max(...afterPrompt))}`,
  );
}

async function main() {
  const sizes = (process.argv[2] ?? "50,200")
    .split(",")
    .map(Number)
    .sort((a, b) => a - b);
  const idleSeconds = Number(process.argv[3] ?? 60);
  const commands = Number(process.argv[4] ?? 60);
  const largest = Math.max(...sizes);
  const instance = `bench-events-${process.pid}`;
  // The host's own limit (LABS_MAX_SANDBOXES, from memory at 1 GiB a node) would stop at 18: idle nodes use far less.
  const platform = await startTestPlatformOutsideVitest(
    instance,
    { poolSize: 0, maxSandboxes: largest + 2, maxActivePerUser: 1, tickMs: 3_600_000, reconcileMs: 3_600_000 },
    { env: { LABS_MAX_SANDBOXES: String(largest + 2) } },
  );
  const provider = new DockerProvider({ instance, maxSandboxes: largest + 2 });
  const s = platform.services;
  const gateway = createTerminalGateway(s, { ...gradeAfterCommands(s.grading), touchEveryMs: 60_000 });
  const server = http.createServer((_q, r) => r.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    if (!gateway.handleUpgrade(req, socket, head)) socket.destroy();
  });
  const learners: Learner[] = [];
  try {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await s.sessions.boot();
    s.grading.boot();
    const { safetyPollMs, idleSafetyPollMs, idleAfterMs } = DEFAULT_GRADING_CONFIG;
    console.log(
      `nodes on ${process.env.DOCKER_HOST ?? "the default engine"} (isolation ${s.env.SANDBOX_ISOLATION}); safety poll every ${safetyPollMs / 1000} s, ` +
        `every ${idleSafetyPollMs / 1000} s once a learner is idle for ${idleAfterMs / 60_000} min; ${loadLine()}`,
    );
    for (const size of sizes) {
      try {
        await addLearners(platform, base, learners, size - learners.length);
      } catch (err) {
        console.log(`could not bring ${size} sessions up on this machine (${learners.length} live): ${(err as Error).message}`);
        break;
      }
      await sleep(5_000); // first evaluations (shells' first prompts) settle
      // Learners who did something a moment ago (bringing 200 up takes longer than idleAfterMs)...
      const mine = { id: { in: learners.map((l) => l.sessionId) } };
      await s.db.prisma.labSession.updateMany({ where: mine, data: { lastActivityAt: new Date() } });
      await idleWindow(platform, learners, idleSeconds, `learners active a moment ago (poll every ${safetyPollMs / 1000} s)`, safetyPollMs);
      // ...then as if every learner had stopped typing more than idleAfterMs ago.
      await s.db.prisma.labSession.updateMany({ where: mine, data: { lastActivityAt: new Date(Date.now() - idleAfterMs - 60_000) } });
      await idleWindow(platform, learners, idleSeconds * 2, `learners idle for over ${idleAfterMs / 60_000} min (poll every ${idleSafetyPollMs / 1000} s)`, idleSafetyPollMs);
    }
    if (learners.length) await busyWindow(platform, learners.slice(0, Math.min(50, learners.length)), commands);
    // What the same process costs with grading stopped: the rest of the idle
    // figures above (open terminals, their sockets, the sessions service).
    await s.grading.shutdown();
    await sleep(2_000);
    const baseline = cpuMeter();
    await sleep(idleSeconds * 500);
    const b = baseline.stop();
    console.log(
      `${learners.length} live sessions with grading stopped: server ${b.serverPct.toFixed(1)}% of one core, engine ${b.enginePct.toFixed(1)}% (subtract from the idle figures for grading's own share); ${loadLine()}`,
    );
  } finally {
    for (const l of learners) l.terminal.ws.terminate();
    await gateway.close();
    server.close();
    await s.grading.shutdown();
    await s.sessions.shutdown();
    const all = await provider.list();
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((sb) => provider.destroy(sb.id)));
    await platform.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
