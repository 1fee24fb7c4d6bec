import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import type { SessionUser } from "../auth/principal";
import type { SessionView } from "./service";
import { until } from "../../test/support/wait";

// Real Docker, real node containers. Each file has its own instance label so
// its reconciler never touches sandboxes of other tests.
const INSTANCE = `t-sessions-${process.pid}`;

describe("lab sessions on real Docker", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let alice: SessionUser;
  let bob: SessionUser;
  let carol: SessionUser;

  beforeAll(async () => {
    platform = await startTestPlatform(
      "pglite",
      { LABS_INSTANCE: INSTANCE },
      {
        poolSize: 1,
        maxSandboxes: 2,
        maxActivePerUser: 1,
        orphanGraceMs: 0,
        tickMs: 3_600_000,
        reconcileMs: 3_600_000,
        extendMs: 10 * 60_000,
        maxLifetimeMs: 90 * 60_000,
      },
    );
    provider = new DockerProvider({ instance: INSTANCE });
    const me = async (email: string) => (await (await platform.signUp(email)).caller.system.me())!;
    alice = await me("alice@example.com");
    bob = await me("bob@example.com");
    carol = await me("carol@example.com");
    await platform.services.sessions.boot();
  });

  afterAll(async () => {
    await platform?.services.sessions.shutdown({ destroyPool: true });
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  const sessions = () => platform.services.sessions;
  const warmReady = () => until("a warm sandbox", async () => (sessions().pools.get("node")!.readyCount >= 1 ? true : undefined), 90_000);

  it("hands a learner a warm node at once and refills the pool", async () => {
    await warmReady();
    const started = performance.now();
    const s = await sessions().start(alice, "meet-your-node");
    const claimMs = performance.now() - started;
    expect(s).toMatchObject({ state: "ready", warmStart: true, labSlug: "meet-your-node" });
    expect(s.sandboxId).toMatch(/^warm-/);
    expect(claimMs).toBeLessThan(5_000); // sanity bound only; the benchmark measures it
    const out = await provider.exec(s.sandboxId!, ["ctr", "version"]);
    expect(out.exitCode).toBe(0);
    // Same lab again: the open session is returned, not a second node.
    expect((await sessions().start(alice, "meet-your-node")).id).toBe(s.id);
  });

  it("refuses a second lab beyond the per-learner limit with a sentence", async () => {
    await expect(sessions().start(alice, "first-container")).rejects.toThrow("You already have 1 labs open. End one of them before starting another.");
  });

  it("treats a double click as one start: starts at the same instant give one session, and the limit holds", async () => {
    const carolStarts = await Promise.all([sessions().start(carol, "namespaces-by-hand"), sessions().start(carol, "namespaces-by-hand")]);
    expect(carolStarts[0].id).toBe(carolStarts[1].id);
    const other = await Promise.allSettled([sessions().start(carol, "first-container"), sessions().start(carol, "cgroups-and-oom")]);
    expect(other.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    const live = await platform.services.db.prisma.labSession.count({ where: { userId: carol.id, state: { notIn: ["ended", "failed"] } } });
    expect(live).toBe(1);
    await sessions().end(carol, carolStarts[0].id);
  });

  it("gives a second learner the next warm node (waiting for it if still warming)", async () => {
    // alice holds 1 and the pool holds the other: max 2 reached, so bob
    // either gets the refilled warm node or queues for it.
    const bobSession = await sessions().start(bob, "first-container");
    if (bobSession.state === "requested") expect(bobSession.queuePosition).toBe(1);
    else expect(bobSession).toMatchObject({ state: "ready", warmStart: true });
    let last: SessionView | undefined;
    for await (const v of sessions().watch(bob, bobSession.id)) {
      last = v;
      if (v.state === "ready") break;
    }
    expect(last).toMatchObject({ state: "ready", queuePosition: null, warmStart: true });
  });

  it("keeps one learner out of another's session, without saying it exists or whose it is", async () => {
    const s = (await sessions().current(alice, "meet-your-node"))!;
    await expect(sessions().get(carol, s.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Ending or extending someone else's session reads exactly like a session that does not exist.
    const missing = await sessions()
      .end(carol, "no-such-session")
      .catch((e: unknown) => e);
    for (const attempt of [sessions().end(carol, s.id), sessions().extend(carol, s.id)]) {
      const err = await attempt.catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "NOT_FOUND", message: (missing as Error).message });
      expect(JSON.stringify(err)).not.toContain(alice.id);
    }
    await expect(sessions().sandboxOf(carol, s.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("extends up to the maximum lifetime and no further", async () => {
    const s = (await sessions().current(alice, "meet-your-node"))!;
    const once = await sessions().extend(alice, s.id);
    expect(once.expiresAt!.getTime() - s.expiresAt!.getTime()).toBe(10 * 60_000);
    // TTL 60 + 10 + 10 + 10 = 90 min cap; the fourth extend is refused.
    await sessions().extend(alice, s.id);
    await sessions().extend(alice, s.id);
    await expect(sessions().extend(alice, s.id)).rejects.toThrow(/maximum length of 2 hours|cannot be extended further/);
  });

  it("ending a session destroys its node", async () => {
    const s = (await sessions().current(alice, "meet-your-node"))!;
    const ended = await sessions().end(alice, s.id);
    expect(ended).toMatchObject({ state: "ended", reason: "You ended this lab." });
    expect(await provider.get(s.sandboxId!)).toBeNull();
  });

  it("expires a session past its time and removes the node", async () => {
    const s = (await sessions().current(bob, "first-container"))!;
    await platform.services.db.prisma.labSession.update({ where: { id: s.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await sessions().expire()).toBe(1);
    const after = await sessions().get(bob, s.id);
    expect(after.state).toBe("ended");
    expect(after.reason).toMatch(/time ran out/);
    expect(await provider.get(s.sandboxId!)).toBeNull();
  });

  it("ends an idle session", async () => {
    await warmReady();
    const s = await sessions().start(carol, "meet-your-node");
    await platform.services.db.prisma.labSession.update({ where: { id: s.id }, data: { lastActivityAt: new Date(Date.now() - 31 * 60_000) } });
    expect(await sessions().expire()).toBe(1);
    expect((await sessions().get(carol, s.id)).reason).toMatch(/idle for 30 minutes/);
  });

  it("reconciles: removes orphans; a session whose node vanished gets a fresh one, saying why", async () => {
    const orphan = await provider.provision({ id: `orphan-${process.pid}` });
    await warmReady();
    const s = await sessions().start(alice, "first-container");
    await provider.destroy(s.sandboxId!); // removed behind the platform's back
    const result = await sessions().reconcile({ adopt: false });
    expect(result.removed).toContain(orphan.id);
    expect(await provider.get(orphan.id)).toBeNull();
    // The engine's event or this pass, whichever came first, replaced it.
    const after = await until("the session to be replaced", async () => {
      const v = await sessions().get(alice, s.id);
      return v.state === "ended" && v.replacedBy ? v : undefined;
    });
    expect(after.reason).toMatch(/Your node stopped \((its container was removed|killed, exit code 137)\)\. A fresh node replaced it/);
    expect(after.replacedBy).toBeTruthy();
    await sessions().end(alice, after.replacedBy!);
    // The warm pool's own sandboxes are not orphans.
    await warmReady();
    expect((await provider.list({ pool: true })).length).toBeGreaterThanOrEqual(1);
  });
});

describe("lab sessions without a pool, on a full host", () => {
  const COLD = `t-cold-${process.pid}`;
  let platform: TestPlatform;
  let provider: DockerProvider;

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: COLD }, { poolSize: 0, maxSandboxes: 1, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: COLD });
    await platform.services.sessions.boot();
  });
  afterAll(async () => {
    await platform?.services.sessions.shutdown();
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  it("reports named provisioning steps, queues the next learner with their place, and starts them when the first ends", async () => {
    const a = (await (await platform.signUp("a@example.com")).caller.system.me())!;
    const b = (await (await platform.signUp("b@example.com")).caller.system.me())!;
    const sessions = platform.services.sessions;

    const first = await sessions.start(a, "meet-your-node");
    expect(["provisioning", "requested"]).toContain(first.state);
    const second = await sessions.start(b, "meet-your-node");
    expect(second).toMatchObject({ state: "requested", queuePosition: 1 });

    let ready: SessionView | undefined;
    for await (const v of sessions.watch(a, first.id))
      if (v.state === "ready") {
        ready = v;
        break;
      }
    expect(ready!.warmStart).toBe(false);
    expect(ready!.progress.length).toBeGreaterThanOrEqual(3);
    expect(ready!.progress.every((p) => p.status === "done")).toBe(true);
    expect(ready!.progress.map((p) => p.step)).toContain("wait for containerd");
    // Still full: b waits.
    expect((await sessions.get(b, second.id)).queuePosition).toBe(1);

    await sessions.end(a, first.id);
    let bReady: SessionView | undefined;
    for await (const v of sessions.watch(b, second.id))
      if (v.state === "ready") {
        bReady = v;
        break;
      }
    expect(bReady).toMatchObject({ state: "ready", queuePosition: null });
    expect(sessions.capacity().filter((c) => c.environment === "node")).toEqual([{ environment: "node", max: 1, used: 1, queued: 0, warm: 0 }]);
  });
});

describe("shutting down while a node is being made", () => {
  const DRAIN = `t-drain-${process.pid}`;
  let platform: TestPlatform;
  let provider: DockerProvider;

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: DRAIN }, { poolSize: 0, maxSandboxes: 2, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: DRAIN });
    await platform.services.sessions.boot();
  });
  afterAll(async () => {
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  it("waits for the provisioning to finish and bind the node, so nothing writes after the database closes", async () => {
    const learner = (await (await platform.signUp("d@example.com")).caller.system.me())!;
    const started = await platform.services.sessions.start(learner, "meet-your-node");
    expect(["requested", "provisioning"]).toContain(started.state);
    await platform.services.sessions.shutdown();
    // Read straight from the database: the service is stopped.
    const row = await platform.services.db.prisma.labSession.findUniqueOrThrow({ where: { id: started.id } });
    expect(row.state).toBe("ready");
    expect(row.sandboxId).toBeTruthy();
    expect((await provider.get(row.sandboxId!))?.state).toBe("running");
  });
});
