import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/support/databases";
import { LoopbackReceiver } from "../../test/support/loopback-receiver";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import type { GradeEventPayload, PingPayload } from "./events";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from "./signing";
import { WebhookWorker } from "./worker";

type Caller = Awaited<ReturnType<TestPlatform["signUp"]>>["caller"];

// Webhooks end to end on both databases, without sandboxes: grading events go
// to the dispatcher as grading emits them, deliveries go over real HTTP to a
// receiver on 127.0.0.1 (tests only talk to loopback; see docs/api.md). The
// background worker is stopped so each test steps through attempts with
// runOnce(now) and a clock of its own, instead of waiting out the backoff.
describe.each(DATABASE_KINDS)("webhooks on %s", (kind) => {
  let platform: TestPlatform;
  let receiver: LoopbackReceiver;
  let instructor: Caller;
  let otherInstructor: Caller;
  let learnerCaller: Caller;
  let learnerId = "";
  let cohortId = "";
  let sessionId = "";
  let secret = "";
  let webhookId = "";

  const prisma = () => platform.services.db.prisma;
  const worker = () => platform.services.webhooks.worker;
  const later = (ms: number) => new Date(Date.now() + ms);
  const taskPassed = () => ({ type: "task.passed" as const, sessionId, userId: learnerId, labSlug: "first-container", taskId: "run-first", at: new Date() });

  beforeAll(async () => {
    platform = await startTestPlatform(kind);
    await worker().stop();
    receiver = await LoopbackReceiver.start();
    await platform.signUp(`admin-${kind}@example.com`); // first account: admin
    await platform.signUp(`teacher-${kind}@example.com`);
    await platform.signUp(`other-teacher-${kind}@example.com`);
    learnerCaller = (await platform.signUp(`ada-${kind}@example.com`)).caller;
    await prisma().user.updateMany({ where: { email: { in: [`teacher-${kind}@example.com`, `other-teacher-${kind}@example.com`] } }, data: { role: "instructor" } });
    // Callers carry the role read at sign-in: sign in again as instructors.
    instructor = (await platform.signIn(`teacher-${kind}@example.com`)).caller;
    otherInstructor = (await platform.signIn(`other-teacher-${kind}@example.com`)).caller;
    const teacher = await prisma().user.findUniqueOrThrow({ where: { email: `teacher-${kind}@example.com` } });
    learnerId = (await prisma().user.findUniqueOrThrow({ where: { email: `ada-${kind}@example.com` } })).id;
    const lab = await prisma().lab.findUniqueOrThrow({ where: { slug: "first-container" } });
    const cohort = await prisma().cohort.create({
      data: { name: "Runtime week", joinCode: `hook-${kind}`, ownerId: teacher.id, labs: { create: [{ labId: lab.id, position: 0 }] }, members: { create: [{ userId: learnerId }] } },
    });
    cohortId = cohort.id;
    // A cohort without the learner: its webhook must stay silent.
    const elsewhere = await prisma().cohort.create({ data: { name: "Elsewhere", joinCode: `else-${kind}`, ownerId: teacher.id, labs: { create: [{ labId: lab.id, position: 0 }] } } });
    await prisma().webhook.create({ data: { cohortId: elsewhere.id, url: `${receiver.url}/elsewhere`, secret: "s", events: ["task.passed", "lab.completed"] } });
    // The learner's progress, as grading stores it before it emits the event.
    const session = await prisma().labSession.create({
      data: { userId: learnerId, labId: lab.id, environment: "node", state: "ready", taskResults: { create: [{ taskId: "run-first", status: "passed", passedAt: new Date(), attempts: 2 }] } },
    });
    sessionId = session.id;
  });
  afterAll(async () => {
    await receiver?.close();
    await platform?.close(true);
  });

  it("lets the cohort's instructor add a webhook and shows its secret once", async () => {
    const created = await instructor.webhooks.create({ cohortId, url: `${receiver.url}/hooks` });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ url: `${receiver.url}/hooks`, events: ["task.passed", "lab.completed"], active: true });
    secret = created.secret;
    webhookId = created.webhook.id;
    const list = await instructor.webhooks.list({ cohortId });
    expect(list.map((w) => w.id)).toEqual([webhookId]);
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it("keeps other people out and refuses URLs that are not http(s)", async () => {
    await expect(otherInstructor.webhooks.list({ cohortId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherInstructor.webhooks.delete({ webhookId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(learnerCaller.webhooks.list({ cohortId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(instructor.webhooks.create({ cohortId, url: "file:///etc/passwd" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Webhook URLs must start with https:// (or http://), not file://." });
  });

  it("queues one delivery per subscribed, active webhook of the learner's cohorts", async () => {
    // Subscribed to lab.completed only, and one turned off: neither gets task.passed.
    const completedOnly = await instructor.webhooks.create({ cohortId, url: `${receiver.url}/completed-only`, events: ["lab.completed"] });
    const off = await instructor.webhooks.create({ cohortId, url: `${receiver.url}/off` });
    await prisma().webhook.update({ where: { id: off.webhook.id }, data: { active: false } });
    expect(await platform.services.webhooks.dispatcher.handle(taskPassed())).toBe(1);
    expect(await platform.services.webhooks.dispatcher.handle({ ...taskPassed(), type: "task.changed", status: "passed" })).toBe(0);
    const rows = await prisma().webhookDelivery.findMany();
    expect(rows.map((r) => [r.webhookId, r.event, r.status, r.attempts])).toEqual([[webhookId, "task.passed", "pending", 0]]);
    await instructor.webhooks.delete({ webhookId: completedOnly.webhook.id });
    await instructor.webhooks.delete({ webhookId: off.webhook.id });
  });

  it("retries a 500 with backoff, then records the 200: two attempts, signed both times", async () => {
    receiver.requests.length = 0;
    receiver.reply({ status: 500, body: "database is down" }, { status: 200 });
    const t0 = later(1_000);
    expect(await worker().runOnce(t0)).toBe(1);
    let row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId } });
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, lastError: "The receiver answered HTTP 500; only 2xx counts as delivered. It said: database is down" });
    // First retry 10 s later, ±20 % jitter.
    const wait = row.nextAttemptAt.getTime() - t0.getTime();
    expect(wait).toBeGreaterThanOrEqual(8_000);
    expect(wait).toBeLessThanOrEqual(12_000);
    expect(await worker().runOnce(new Date(t0.getTime() + 5_000))).toBe(0); // not due yet
    expect(await worker().runOnce(new Date(t0.getTime() + 12_001))).toBe(1);
    row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId } });
    expect(row).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200, lastError: null });
    expect(row.deliveredAt).toBeInstanceOf(Date);

    expect(receiver.requests).toHaveLength(2);
    for (const req of receiver.requests) {
      expect(req.method).toBe("POST");
      expect(req.path).toBe("/hooks");
      expect(req.headers[EVENT_HEADER.toLowerCase()]).toBe("task.passed");
      expect(req.headers[DELIVERY_HEADER.toLowerCase()]).toBe(row.id);
      expect(req.headers["content-type"]).toBe("application/json");
      // Verified the way docs/api.md tells receivers to, with the secret shown at creation.
      expect(verifySignature(secret, req.headers[SIGNATURE_HEADER.toLowerCase()] as string, req.body)).toBeNull();
      expect(verifySignature("whsec_wrong", req.headers[SIGNATURE_HEADER.toLowerCase()] as string, req.body)).not.toBeNull();
    }
    const payload = JSON.parse(receiver.requests[1]!.body) as GradeEventPayload;
    expect(payload).toMatchObject({
      event: "task.passed",
      cohort: { id: cohortId, name: "Runtime week" },
      learner: { id: learnerId, email: `ada-${kind}@example.com` },
      lab: { slug: "first-container", title: "Your first container, without Docker" },
      session: { id: sessionId },
      task: { id: "run-first", points: 10 },
      labScore: { points: 10, maxPoints: 20, score: 0.5, completedAt: null },
    });
  });

  it("shows the deliveries to the cohort's instructor", async () => {
    const deliveries = await instructor.webhooks.deliveries({ cohortId });
    expect(deliveries[0]).toMatchObject({ webhookId, url: `${receiver.url}/hooks`, event: "task.passed", status: "delivered", attempts: 2, lastStatusCode: 200, nextAttemptAt: null });
    await expect(otherInstructor.webhooks.deliveries({ cohortId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("gives up after 6 attempts against a receiver that refuses connections, recording why", async () => {
    const dead = await LoopbackReceiver.start();
    const deadUrl = dead.url;
    await dead.close(); // nothing listens on this port any more
    const hook = await instructor.webhooks.create({ cohortId, url: `${deadUrl}/gone`, events: ["lab.completed"] });
    expect(await platform.services.webhooks.dispatcher.handle({ type: "lab.completed", sessionId, userId: learnerId, labSlug: "first-container", at: new Date() })).toBe(2);
    const waits: number[] = [];
    let clock = later(1_000);
    for (let attempt = 1; attempt <= 6; attempt++) {
      await worker().runOnce(clock);
      const row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.webhook.id } });
      expect(row.attempts).toBe(attempt);
      if (row.status === "failed") break;
      waits.push(row.nextAttemptAt.getTime() - clock.getTime());
      clock = new Date(row.nextAttemptAt.getTime() + 1);
    }
    const row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.webhook.id } });
    expect(row).toMatchObject({ status: "failed", attempts: 6, lastStatusCode: null });
    expect(row.lastError).toMatch(/^Nothing accepted the connection at 127\.0\.0\.1:\d+ \(connection refused\)/);
    // 10 s, 30 s, 2 min, 10 min, 1 h, each within ±20 %.
    expect(waits).toHaveLength(5);
    [10_000, 30_000, 120_000, 600_000, 3_600_000].forEach((base, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual(base * 0.8);
      expect(waits[i]).toBeLessThanOrEqual(base * 1.2);
    });
    // The lab.completed delivery to the live receiver went through meanwhile.
    const live = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId, event: "lab.completed" } });
    expect(live.status).toBe("delivered");
    await instructor.webhooks.delete({ webhookId: hook.webhook.id });
  });

  it("does not follow redirects and times out a receiver that never answers", async () => {
    receiver.requests.length = 0;
    receiver.reply({ status: 302, headers: { location: `${receiver.url}/elsewhere` } }, "hang");
    const quick = new WebhookWorker({ prisma: prisma(), config: { timeoutMs: 500 } });
    const redirected = await quick.attempt(`${receiver.url}/hooks`, secret, { id: "d1", event: "ping", payload: {} });
    expect(redirected).toEqual({ ok: false, statusCode: 302, error: `The receiver answered with a redirect (HTTP 302 to ${receiver.url}/elsewhere); webhooks do not follow redirects, so use the final URL.` });
    const hung = await quick.attempt(`${receiver.url}/hooks`, secret, { id: "d2", event: "ping", payload: {} });
    expect(hung).toEqual({ ok: false, statusCode: null, error: "The receiver did not answer within 0.5 s." });
    expect(receiver.requests.map((r) => r.path)).toEqual(["/hooks", "/hooks"]);
  });

  it("sends a signed ping when the instructor asks, through the running worker", async () => {
    receiver.requests.length = 0;
    worker().start();
    try {
      const { deliveryId } = await instructor.webhooks.ping({ webhookId });
      const deadline = Date.now() + 10_000;
      while (!receiver.requests.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const req = receiver.requests[0]!;
      expect(req.headers[DELIVERY_HEADER.toLowerCase()]).toBe(deliveryId);
      expect(verifySignature(secret, req.headers[SIGNATURE_HEADER.toLowerCase()] as string, req.body)).toBeNull();
      expect((JSON.parse(req.body) as PingPayload).event).toBe("ping");
    } finally {
      await worker().stop();
    }
  });
});
