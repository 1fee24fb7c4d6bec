/**
 * Unit tier: the session logic (queue, capacity, warm pool, expiry,
 * reconcile, dead nodes) on FakeSandboxProvider and an in-process PGlite
 * database. Fast and deterministic; the same behaviours run on real Docker
 * in service.integration.test.ts and liveness.integration.test.ts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db/database";
import { resolveDatabaseTarget } from "../db/adapters";
import { LabCatalogService } from "../labs/service";
import { FakeSandboxProvider } from "../sandbox/providers/fake/provider";
import type { SessionUser } from "../auth/principal";
import { DEFAULT_SESSION_CONFIG, type SessionConfig } from "./config";
import { SessionService, type SessionView } from "./service";

const LABS = path.resolve(__dirname, "../../labs");

interface Harness {
  service: SessionService;
  provider: FakeSandboxProvider;
  db: Database;
  users: SessionUser[];
}

// One database for the file (opening PGlite and migrating takes seconds);
// every test starts from empty session and user tables.
let db: Database;
let dir: string;
const services: SessionService[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-sessions-unit-"));
  db = await openDatabase(resolveDatabaseTarget(undefined, dir));
});

afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const service of services.splice(0)) await service.shutdown();
  await db.prisma.taskEvent.deleteMany();
  await db.prisma.taskResult.deleteMany();
  await db.prisma.labSession.deleteMany();
  await db.prisma.user.deleteMany();
});

async function harness(config: Partial<SessionConfig> = {}, provider = new FakeSandboxProvider()): Promise<Harness> {
  // Its own catalog object: a test may break its lookups.
  const catalog = new LabCatalogService(db.prisma, LABS);
  await catalog.reload();
  const service = new SessionService({
    prisma: db.prisma,
    labs: catalog,
    providers: { node: provider },
    // Timers far away: each test drives expiry and reconcile itself.
    config: { ...DEFAULT_SESSION_CONFIG, poolSize: 0, orphanGraceMs: 0, tickMs: 3_600_000, reconcileMs: 3_600_000, deadNodeConfirmMs: 0, ...config },
  });
  const users: SessionUser[] = [];
  for (const name of ["ada", "bo", "cy", "di"]) {
    const u = await db.prisma.user.create({ data: { id: `u-${name}`, name, email: `${name}@example.com` } });
    users.push({ id: u.id, email: u.email, name: u.name, role: u.role });
  }
  services.push(service);
  return { service, provider, db, users };
}

/** Polls until `fn` returns something truthy (microtask-driven work settles in a few ms). */
async function eventually<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 3_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const stateOf = (h: Harness, user: SessionUser, id: string) => h.service.get(user, id);
const untilState = (h: Harness, user: SessionUser, id: string, state: SessionView["state"]) =>
  eventually(`session ${id} ${state}`, async () => {
    const v = await stateOf(h, user, id);
    return v.state === state ? v : undefined;
  });

describe("sessions on the fake provider: queue and capacity", () => {
  it("queues beyond the maximum with a place, and serves the queue when a node is freed", async () => {
    const h = await harness({ maxSandboxes: 1 });
    const [a, b] = h.users as [SessionUser, SessionUser];
    await h.service.boot();
    h.provider.hold();
    const first = await h.service.start(a, "meet-your-node");
    expect(["requested", "provisioning"]).toContain(first.state);
    const second = await h.service.start(b, "meet-your-node");
    expect(second).toMatchObject({ state: "requested", queuePosition: 1 });
    h.provider.releaseAll();
    const ready = await untilState(h, a, first.id, "ready");
    expect(ready).toMatchObject({ warmStart: false, cgroupVersion: 2 });
    expect(ready.progress.map((p) => p.status)).toEqual(["done", "done", "done"]);
    expect((await stateOf(h, b, second.id)).queuePosition).toBe(1);
    await h.service.end(a, first.id);
    await untilState(h, b, second.id, "ready");
    expect(h.service.capacity()).toEqual([{ environment: "node", max: 1, used: 1, queued: 0, warm: 0 }]);
  });

  it("a learner who leaves while their node is being made gets no node, and the node is removed", async () => {
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    h.provider.hold();
    const s = await h.service.start(a, "first-container");
    await eventually("provisioning to start", async () => h.provider.waiting === 1);
    await h.service.end(a, s.id);
    h.provider.releaseAll();
    await untilState(h, a, s.id, "ended");
    await eventually("the node removed", async () => h.provider.ids().length === 0);
  });

  it("a failed provisioning fails the session with the provider's sentence and frees the place", async () => {
    const h = await harness({ maxSandboxes: 1 });
    const [a, b] = h.users as [SessionUser, SessionUser];
    await h.service.boot();
    h.provider.failNext();
    const s = await h.service.start(a, "meet-your-node");
    const failed = await untilState(h, a, s.id, "failed");
    expect(failed.reason).toBe("The fake node could not be made. Start the lab again to retry.");
    const next = await h.service.start(b, "meet-your-node");
    await untilState(h, b, next.id, "ready");
  });

  it("expires sessions past their time or idle too long, with the reason", async () => {
    const h = await harness();
    const [a, b] = h.users as [SessionUser, SessionUser];
    await h.service.boot();
    const late = await h.service.start(a, "meet-your-node");
    const idle = await h.service.start(b, "meet-your-node");
    await untilState(h, a, late.id, "ready");
    await untilState(h, b, idle.id, "ready");
    await h.db.prisma.labSession.update({ where: { id: late.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    await h.db.prisma.labSession.update({ where: { id: idle.id }, data: { lastActivityAt: new Date(Date.now() - 31 * 60_000) } });
    expect(await h.service.expire()).toBe(2);
    expect((await stateOf(h, a, late.id)).reason).toMatch(/time ran out/);
    expect((await stateOf(h, b, idle.id)).reason).toMatch(/idle for 30 minutes/);
    expect(h.provider.ids()).toEqual([]);
  });
});

describe("sessions on the fake provider: an engine that never answers", () => {
  it("fails a provisioning past its deadline with a sentence, and removes the node if the engine hands it back later", async () => {
    // Soak finding: under overload some provision calls never returned, and
    // their learners looked at "provisioning" until the end of the run.
    const h = await harness({ provisionDeadlineMs: { node: 100, cluster: 100 } });
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    h.provider.hold(); // the fake ignores the abort, like a wedged engine
    const s = await h.service.start(a, "meet-your-node");
    const failed = await untilState(h, a, s.id, "failed");
    expect(failed.reason).toMatch(/took more than \d+ seconds to start.*Start the lab again/);
    h.provider.releaseAll();
    await eventually("the late node removed", async () => (await h.provider.list()).length === 0);
    expect(h.provider.calls.filter((c) => c.startsWith("destroy:"))).toHaveLength(1);
  });
});

describe("sessions on the fake provider: the warm pool", () => {
  const warmed = (h: Harness, n: number) => eventually(`${n} warm nodes`, async () => h.service.pools.get("node")!.readyCount >= n);

  it("two learners starting at the same moment, with a reconcile pass racing them, both get warm nodes and none is removed", async () => {
    const h = await harness({ poolSize: 2, maxSandboxes: 4 });
    const [a, b] = h.users as [SessionUser, SessionUser];
    await h.service.boot();
    await warmed(h, 2);
    const warmIds = h.provider.ids();
    const before = h.provider.calls.length;
    const [x, y] = await Promise.all([h.service.start(a, "meet-your-node"), h.service.start(b, "meet-your-node"), h.service.reconcile({ adopt: false })]);
    expect([x!.warmStart, y!.warmStart]).toEqual([true, true]);
    expect(new Set([x!.sandboxId, y!.sandboxId])).toEqual(new Set(warmIds));
    await h.service.reconcile({ adopt: false });
    expect(h.provider.calls.slice(before).filter((c) => c.startsWith("destroy:"))).toEqual([]);
  });

  it("never hands out a warm node that died unnoticed: it is removed and the learner gets a live one", async () => {
    const h = await harness({ poolSize: 1, maxSandboxes: 2 });
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    await warmed(h, 1);
    const [dead] = h.provider.ids();
    h.provider.kill(dead!, { silently: true });
    const s = await h.service.start(a, "meet-your-node");
    const ready = await untilState(h, a, s.id, "ready");
    expect(ready.sandboxId).not.toBe(dead);
    expect(h.provider.calls).toContain(`destroy:${dead}`);
  });

  it("a warm node whose stop is reported leaves the pool at once, and the pool refills", async () => {
    const h = await harness({ poolSize: 1, maxSandboxes: 2 });
    await h.service.boot();
    await warmed(h, 1);
    const [dead] = h.provider.ids();
    h.provider.kill(dead!);
    await eventually("the dead warm node removed", async () => h.provider.calls.includes(`destroy:${dead}`));
    await eventually("a new warm node", async () => h.service.pools.get("node")!.readyCount === 1 && !h.provider.ids().includes(dead!));
  });

  it("at start, adopts the warm nodes a previous run left and removes other orphans", async () => {
    const provider = new FakeSandboxProvider();
    const leftWarm = await provider.provision({ id: "warm-left", pool: true });
    const orphan = await provider.provision({ id: "orphan-1", sessionId: "no-such-session" });
    const h = await harness({ poolSize: 1, maxSandboxes: 3 }, provider);
    await h.service.boot();
    expect(h.service.pools.get("node")!.has(leftWarm.id)).toBe(true);
    expect(provider.ids()).not.toContain(orphan.id);
  });
});

describe("sessions on the fake provider: nodes that die", () => {
  async function readySession(h: Harness, user: SessionUser) {
    const s = await h.service.start(user, "meet-your-node");
    const ready = await untilState(h, user, s.id, "ready");
    await h.db.prisma.taskResult.create({ data: { sessionId: s.id, taskId: "look-around", status: "passed", passedAt: new Date(), message: "ok" } });
    return ready;
  }

  async function expectReplaced(h: Harness, user: SessionUser, old: SessionView, reason: RegExp) {
    const ended = await eventually("the session replaced", async () => {
      const v = await stateOf(h, user, old.id);
      return v.state === "ended" && v.replacedBy ? v : undefined;
    });
    expect(ended.reason).toMatch(reason);
    const next = await untilState(h, user, ended.replacedBy!, "ready");
    expect(next.sandboxId).not.toBe(old.sandboxId);
    const kept = await h.db.prisma.taskResult.findFirst({ where: { sessionId: next.id, taskId: "look-around" } });
    expect(kept?.status).toBe("passed");
  }

  it("a killed node (engine event) is replaced with the progress, and the old session says why", async () => {
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    const s = await readySession(h, a);
    h.provider.kill(s.sandboxId!);
    await expectReplaced(h, a, s, /^Your node stopped \(killed, exit code 137\)\. A fresh node replaced it, and your progress was kept\.$/);
  });

  it("starting again after the fresh node could not be made carries the progress; after the learner's own end it does not", async () => {
    // Soak finding: a replaced node's successor got no place, and each
    // "start again" began from nothing: two passed tasks were lost.
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    const s = await readySession(h, a);
    h.provider.failNext();
    h.provider.kill(s.sandboxId!);
    const ended = await eventually("the session replaced", async () => {
      const v = await stateOf(h, a, s.id);
      return v.state === "ended" && v.replacedBy ? v : undefined;
    });
    await untilState(h, a, ended.replacedBy!, "failed");

    const again = await h.service.start(a, "meet-your-node");
    await untilState(h, a, again.id, "ready");
    expect(await h.db.prisma.taskResult.findFirst({ where: { sessionId: again.id, taskId: "look-around" } })).toMatchObject({ status: "passed" });

    await h.service.end(a, again.id);
    const over = await h.service.start(a, "meet-your-node");
    expect(await h.db.prisma.taskResult.count({ where: { sessionId: over.id } })).toBe(0);
  });

  it("a watcher of the old session sees the successor before its watch ends", async () => {
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    const s = await readySession(h, a);
    const seen: SessionView[] = [];
    const watching = (async () => {
      for await (const v of h.service.watch(a, s.id)) seen.push(v);
    })();
    h.provider.kill(s.sandboxId!, { exitCode: 1 });
    await watching;
    expect(seen.at(-1)).toMatchObject({ state: "ended", reason: expect.stringMatching(/^Your node stopped \(exit code 1\)/) });
    expect(seen.at(-1)!.replacedBy).toBeTruthy();
  });

  it("a node that stopped with no event is found by a reconcile pass and replaced the same way", async () => {
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    const s = await readySession(h, a);
    h.provider.kill(s.sandboxId!, { silently: true });
    expect((await stateOf(h, a, s.id)).state).toBe("ready");
    const result = await h.service.reconcile({ adopt: false });
    expect(result.ended).toEqual([s.id]);
    await expectReplaced(h, a, s, /^Your node stopped \(it is no longer running\)/);
  });

  it("a node removed behind the platform's back is replaced at the next reconcile", async () => {
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    const s = await readySession(h, a);
    h.provider.vanish(s.sandboxId!);
    await h.service.reconcile({ adopt: false });
    await expectReplaced(h, a, s, /^Your node stopped \(its container was removed\)/);
  });

  it("a node stopped by its engine shutting down is not replaced on that engine: the session stays for host health to decide", async () => {
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    const s = await readySession(h, a);
    h.provider.kill(s.sandboxId!);
    h.provider.setUnreachable(true); // the engine is gone by the time it is asked again
    await new Promise((r) => setTimeout(r, 100));
    const v = await stateOf(h, a, s.id);
    expect(v).toMatchObject({ state: "ready", replacedBy: null });
    expect(h.provider.calls.filter((c) => c.startsWith("provision:"))).toHaveLength(1);
    h.provider.setUnreachable(false);
  });

  it("a replacement cut short by a server crash is finished by the next server's start, with the progress", async () => {
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    const s = await readySession(h, a);
    // The successor's start never comes back: the server "dies" here, after
    // the old session has ended and before its successor is named.
    (h.service as unknown as { deps: { labs: { get: () => Promise<never> } } }).deps.labs.get = () => new Promise<never>(() => {});
    h.provider.kill(s.sandboxId!);
    const cut = await eventually("the old session ended", async () => {
      const v = await stateOf(h, a, s.id);
      return v.state === "ended" ? v : undefined;
    });
    // What a learner sees meanwhile promises nothing that is not named.
    expect(cut.reason).not.toMatch(/replaced it/);
    expect(cut.replacedBy).toBeNull();
    await h.service.shutdown({ drainMs: 50 });
    services.splice(services.indexOf(h.service), 1);

    const catalog = new LabCatalogService(db.prisma, LABS);
    await catalog.reload();
    const restarted = new SessionService({
      prisma: db.prisma,
      labs: catalog,
      providers: { node: h.provider },
      config: { ...DEFAULT_SESSION_CONFIG, poolSize: 0, orphanGraceMs: 0, tickMs: 3_600_000, reconcileMs: 3_600_000, deadNodeConfirmMs: 0 },
    });
    services.push(restarted);
    await restarted.boot();
    await expectReplaced({ ...h, service: restarted }, a, s, /^Your node stopped \(killed, exit code 137\)\. A fresh node replaced it, and your progress was kept\.$/);
  });

  it("when no fresh node can be had, the old session says so instead", async () => {
    const h = await harness();
    const [a] = h.users as [SessionUser];
    await h.service.boot();
    const s = await readySession(h, a);
    // The lab is gone from the catalog by the time the node dies.
    (h.service as unknown as { deps: { labs: { get: () => Promise<never> } } }).deps.labs.get = () => Promise.reject(new Error("no lab"));
    h.provider.kill(s.sandboxId!);
    const ended = await eventually("the reason", async () => {
      const v = await stateOf(h, a, s.id);
      return v.state === "ended" && /No fresh node could be started/.test(v.reason ?? "") ? v : undefined;
    });
    expect(ended.replacedBy).toBeNull();
    expect(ended.reason).toMatch(/^Your node stopped \(killed, exit code 137\)\. No fresh node could be started for you/);
  });
});
