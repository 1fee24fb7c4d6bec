import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { until } from "../../test/support/wait";
import type { SessionUser } from "../auth/principal";
import { createTerminalGateway, type TerminalGateway } from "../terminal/gateway";
import { NodeTerminalClient } from "../terminal/node-client";
import type { TaskView } from "./service";
import { gradeAfterCommands } from "./terminal-trigger";

// Real Docker, a real node, the real terminal gateway wired as server/main.ts
// wires it. The safety poll is an hour: only a finished command can explain
// a task ticking here.
const INSTANCE = `t-grading-events-${process.pid}`;
const PROMPT = /[#$] $/;

describe("tasks tick when a command finishes in the terminal (real Docker)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let gateway: TerminalGateway;
  let server: http.Server;
  let learner: { cookie: string; user: SessionUser };
  let sessionId = "";
  let client: NodeTerminalClient | undefined;

  beforeAll(async () => {
    platform = await startTestPlatform(
      "pglite",
      { LABS_INSTANCE: INSTANCE, GRADING_SAFETY_POLL_SECONDS: "3600", GRADING_IDLE_POLL_SECONDS: "3600" },
      { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 },
    );
    provider = new DockerProvider({ instance: INSTANCE });
    const services = platform.services;
    const signed = await platform.signUp("ticks@example.com");
    learner = { cookie: signed.cookie, user: (await signed.caller.system.me())! };
    await services.sessions.boot();
    services.grading.boot(); // as the server runs it: the (hour-long) safety poll included
    gateway = createTerminalGateway(services, { ...gradeAfterCommands(services.grading), touchEveryMs: 0 });
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on("upgrade", (req, socket, head) => {
      if (!gateway.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const s = await services.sessions.start(learner.user, "cgroups-and-oom");
    await until(
      "the session to be ready",
      async () => {
        const v = await services.sessions.get(learner.user, s.id);
        if (v.state === "failed") throw new Error(`session failed: ${v.reason}`);
        return v.state === "ready";
      },
      120_000,
    );
    sessionId = s.id;
  });

  afterAll(async () => {
    client?.ws.terminate();
    await gateway?.close();
    server?.close();
    await platform?.services.grading.shutdown();
    await platform?.services.sessions.shutdown({ destroyPool: true });
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  const status = (tasks: TaskView[], id: string) => tasks.find((t) => t.taskId === id)?.status;

  it("ticks each task moments after the command that completes it, without Check now or a poll, in `needs` order", async () => {
    const grading = platform.services.grading;
    const port = (server.address() as AddressInfo).port;
    client = await NodeTerminalClient.connect(`http://127.0.0.1:${port}`, { session: sessionId, terminal: "t1", cookie: learner.cookie, origin: platform.services.env.publicUrl });
    await client.until("the prompt", () => PROMPT.test(client!.text()), 20_000);

    // The checklist as the browser gets it: pushed on every change.
    const seen: { at: number; tasks: TaskView[] }[] = [];
    const controller = new AbortController();
    const watching = (async () => {
      for await (const tasks of grading.watch(learner.user, sessionId, controller.signal)) seen.push({ at: performance.now(), tasks });
    })();
    const passedAt = async (taskId: string, since: number) => {
      const hit = await until(`${taskId} to pass`, async () => seen.find((s) => s.at >= since && status(s.tasks, taskId) === "passed"), 10_000);
      return hit.at - since;
    };
    // The shell's first prompt already asked for an evaluation: nothing done yet.
    await until("the first evaluation", async () => seen.some((s) => status(s.tasks, "limit-memory") === "failed"), 10_000);
    expect(status(seen.at(-1)!.tasks, "read-the-limit")).toBe("locked");

    const version = (await platform.services.sessions.get(learner.user, sessionId)).cgroupVersion;
    const memoryDir = version === 2 ? "/sys/fs/cgroup/k8s.io/capped" : "/sys/fs/cgroup/memory/k8s.io/capped";
    const limitFile = version === 2 ? "memory.max" : "memory.limit_in_bytes";
    const commands = [
      { task: "limit-memory", line: "ctr -n k8s.io run -d --memory-limit 67108864 localhost/labs/shell:1 capped sleep 3600" },
      // Unlocked by the first: evaluated only once limit-memory has passed.
      { task: "read-the-limit", line: `cat ${memoryDir}/${limitFile} > /root/capped-limit` },
    ];
    const latencies: number[] = [];
    for (const c of commands) {
      const sent = performance.now();
      client.type(`${c.line}\r`);
      latencies.push(await passedAt(c.task, sent));
    }
    controller.abort();
    await watching;
    console.log(`Enter → task passed (server side, includes the command's own run time): ${latencies.map((l) => `${Math.round(l)} ms`).join(", ")}`);
    // Far below any poll interval (there is none within this test's hour).
    for (const l of latencies) expect(l).toBeLessThan(5_000);

    // The history says why each task ticked: the command, or containerd in
    // the node reporting the container it started (whichever ran first),
    // never a poll or Check now.
    const events = await platform.services.db.prisma.taskEvent.findMany({ where: { sessionId, status: "passed" } });
    expect(events.map((e) => e.taskId).sort()).toEqual(["limit-memory", "read-the-limit"]);
    for (const e of events) expect(["command", "node-event"]).toContain(e.trigger);
    const stats = grading.evaluationStats();
    expect(stats.runs.check).toBe(0);
    expect(stats.runs.command).toBeGreaterThanOrEqual(2);
  });

  it("bounds the evaluations a loop that prints without end can cause", async () => {
    const grading = platform.services.grading;
    const before = grading.evaluationStats().runs.command;
    client!.type("while true; do echo tick; done\r");
    await new Promise((r) => setTimeout(r, 8_000));
    client!.type("\x03");
    await client!.until("the prompt after Ctrl-C", () => PROMPT.test(client!.text().slice(-200)), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const runs = grading.evaluationStats().runs.command - before;
    console.log(`a loop printing for 8 s caused ${runs} evaluation(s)`);
    // Reported after 1, 3 and 7 s of output, then once for the prompt after Ctrl-C.
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(5);
  });

  it("ticks a task when containerd in the node reports what a command set going, seconds after its prompt came back", async () => {
    const grading = platform.services.grading;
    const since = new Date();
    // Detached: the prompt is back at once, and the OOM kill comes 4 s later,
    // with nothing typed in between (and no poll within the hour).
    client!.type(`ctr -n k8s.io run -d --memory-limit 33554432 localhost/labs/shell:1 hog sh -c 'sleep 4; x=a; while true; do x="$x$x"; done'\r`);
    const typed = performance.now();
    await until(
      "oom-kill to pass",
      async () => {
        const tasks = await grading.results(learner.user, sessionId);
        return status(tasks, "oom-kill") === "passed" ? true : undefined;
      },
      30_000,
    );
    const ms = performance.now() - typed;
    console.log(`OOM kill 4 s after the command → task passed ${Math.round(ms)} ms after Enter; node events: ${JSON.stringify(grading.nodeEventStats())}`);
    expect(ms).toBeGreaterThan(4_000); // it did wait for the kill
    const events = await platform.services.db.prisma.taskEvent.findMany({ where: { sessionId, taskId: "oom-kill", createdAt: { gte: since } }, orderBy: { createdAt: "asc" } });
    // Evaluations while it still ran saw it fail; containerd's report of the kill made it pass.
    expect(events.at(-1)).toMatchObject({ status: "passed", trigger: "node-event" });
    expect(events.slice(0, -1).map((e) => e.status)).toEqual(["failed"]);
  });
});
