import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import type { SessionUser } from "../auth/principal";
import type { SessionView } from "./service";
import { until } from "../../test/support/wait";

// Issue 16's liveness findings, on real Docker: a killed node is noticed
// from the engine's events, dead warm nodes are never handed out, and two
// learners starting at once both get warm nodes with none destroyed.
const INSTANCE = `t-liveness-${process.pid}`;

describe("sessions follow their nodes' lives (engine events)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  const docker = new Docker();
  const users: SessionUser[] = [];
  const destroyed: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform(
      "pglite",
      { LABS_INSTANCE: INSTANCE },
      {
        poolSize: 2,
        maxSandboxes: 4,
        maxActivePerUser: 1,
        orphanGraceMs: 0,
        tickMs: 3_600_000,
        reconcileMs: 3_600_000,
      },
    );
    provider = new DockerProvider({ instance: INSTANCE });
    for (const name of ["dora", "emil", "fay", "gus"]) {
      users.push((await (await platform.signUp(`${name}@example.com`)).caller.system.me())!);
    }
    // Every removal the service asks for, to prove none happens by accident.
    const services = platform.services.sessions as unknown as { deps: { providers: { node: DockerProvider } } };
    const real = services.deps.providers.node;
    const destroy = real.destroy.bind(real);
    real.destroy = (id: string) => {
      destroyed.push(id);
      return destroy(id);
    };
    await platform.services.sessions.boot();
  });

  afterAll(async () => {
    await platform?.services.sessions.shutdown({ destroyPool: true });
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  const sessions = () => platform.services.sessions;
  const poolFull = () => until("two warm nodes", async () => (sessions().pools.get("node")!.readyCount >= 2 ? true : undefined), 120_000);
  const endAll = async () => {
    for (const u of users) {
      for (const slug of ["meet-your-node", "first-container"]) {
        const s = await sessions().current(u, slug);
        if (s) await sessions().end(u, s.id);
      }
    }
  };
  const waitReady = async (user: SessionUser, id: string): Promise<SessionView> => {
    for await (const v of sessions().watch(user, id)) if (v.state !== "requested" && v.state !== "provisioning") return v;
    throw new Error("watch ended");
  };

  it("gives two learners who start at the same moment a warm node each, destroying none", async () => {
    await poolFull();
    const warmIds = (await provider.list({ pool: true })).filter((s) => s.state === "running").map((s) => s.id);
    destroyed.length = 0;
    // A reconcile pass racing the claims must not take a just-claimed warm node for an orphan.
    const [a, b] = await Promise.all([sessions().start(users[0]!, "meet-your-node"), sessions().start(users[1]!, "meet-your-node"), sessions().reconcile({ adopt: false })]);
    expect(a).toMatchObject({ state: "ready", warmStart: true });
    expect(b).toMatchObject({ state: "ready", warmStart: true });
    expect(new Set([a.sandboxId, b.sandboxId]).size).toBe(2);
    for (const s of [a, b]) expect(warmIds).toContain(s.sandboxId);
    await sessions().reconcile({ adopt: false });
    expect(destroyed).toEqual([]);
    for (const s of [a, b]) expect((await provider.get(s.sandboxId!))?.state).toBe("running");
    await endAll();
  }, 300_000);

  it("never hands out a warm node that died: it is dropped from the pool and the learner gets a live one", async () => {
    await poolFull();
    const warm = (await provider.list({ pool: true })).filter((s) => s.state === "running");
    for (const s of warm) await docker.getContainer(s.nodes[0]!.containerId).kill();
    const s = await sessions().start(users[2]!, "meet-your-node");
    const ready = await waitReady(users[2]!, s.id);
    expect(ready.state).toBe("ready");
    expect(warm.map((w) => w.id)).not.toContain(ready.sandboxId);
    expect((await provider.get(ready.sandboxId!))?.state).toBe("running");
    const out = await provider.exec(ready.sandboxId!, ["true"]);
    expect(out.exitCode).toBe(0);
    // The dead ones are removed, not left as stopped containers.
    await until("dead warm nodes removed", async () => {
      const left = await Promise.all(warm.map((w) => provider.get(w.id)));
      return left.every((x) => x === null) ? true : undefined;
    });
    await endAll();
  }, 300_000);

  it("notices a killed learner node at once and gives the learner a fresh node with their progress, saying why", async () => {
    await poolFull();
    const user = users[3]!;
    const s = await sessions().start(user, "meet-your-node");
    expect(s.state).toBe("ready");
    const prisma = platform.services.db.prisma;
    await prisma.taskResult.create({ data: { sessionId: s.id, taskId: "look-around", status: "passed", passedAt: new Date(), message: "ok" } });
    const node = (await provider.get(s.sandboxId!))!;
    await docker.getContainer(node.nodes[0]!.containerId).kill();

    // No reconcile pass runs in this test (3,600 s period): only events can tell.
    // Ended, and its successor recorded (a moment after "ended").
    const ended = await until(
      "the session to be replaced",
      async () => {
        const v = await sessions().get(user, s.id);
        return v.state === "ended" && v.replacedBy ? v : undefined;
      },
      60_000,
    );
    // How soon is the soak's to report (npm run soak); here only that it happens with no reconcile pass.
    expect(ended.reason).toMatch(/node stopped/i);
    expect(ended.reason).toMatch(/exit code 137|killed/i);
    expect(ended.reason).toMatch(/progress/i);
    expect(ended.replacedBy).toBeTruthy();

    const next = await waitReady(user, ended.replacedBy!);
    expect(next).toMatchObject({ state: "ready", labSlug: "meet-your-node", userId: user.id });
    expect(next.sandboxId).not.toBe(s.sandboxId);
    const kept = await prisma.taskResult.findFirst({ where: { sessionId: next.id, taskId: "look-around" } });
    expect(kept).toMatchObject({ status: "passed" });
    // The dead node itself is removed.
    await until("the dead node removed", async () => ((await provider.get(s.sandboxId!)) === null ? true : undefined));
    await endAll();
  }, 300_000);
});

describe("with the engine's event stream down, reconciliation still notices", () => {
  const QUIET = `t-liveness-quiet-${process.pid}`;
  let platform: TestPlatform;
  let provider: DockerProvider;
  const docker = new Docker();

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: QUIET }, { poolSize: 0, maxSandboxes: 2, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: QUIET });
    // No events reach this service: only a reconcile pass can find the dead node.
    const services = platform.services.sessions as unknown as { deps: { providers: { node: { onSandboxStop?: unknown } } } };
    services.deps.providers.node.onSandboxStop = undefined;
    await platform.services.sessions.boot();
  });
  afterAll(async () => {
    await platform?.services.sessions.shutdown();
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  it("a node found stopped by a reconcile pass is replaced the same way, with the reason", async () => {
    const user = (await (await platform.signUp("hal@example.com")).caller.system.me())!;
    const sessions = platform.services.sessions;
    const started = await sessions.start(user, "first-container");
    let s = started;
    for await (const v of sessions.watch(user, started.id)) if ((s = v).state === "ready") break;
    const node = (await provider.get(s.sandboxId!))!;
    await docker.getContainer(node.nodes[0]!.containerId).kill();
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await sessions.get(user, s.id)).state).toBe("ready"); // nobody told the service yet
    const result = await sessions.reconcile({ adopt: false });
    expect(result.ended).toContain(s.id);
    const after = await until("the successor recorded", async () => {
      const v = await sessions.get(user, s.id);
      return v.state === "ended" && v.replacedBy ? v : undefined;
    });
    expect(after.reason).toMatch(/node stopped \(it is no longer running\)/i);
    expect(after.replacedBy).toBeTruthy();
    await until("the dead node removed", async () => ((await provider.get(s.sandboxId!)) === null ? true : undefined));
    await sessions.end(user, after.replacedBy!);
  });
});
