import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/support/databases";
import { LoopbackReceiver } from "../../test/support/loopback-receiver";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { until } from "../../test/support/wait";
import type { GradeEventPayload, PingPayload } from "./events";
import { createWebhook, MAX_WEBHOOKS_PER_COHORT, pingWebhook } from "./manage";
import type { Resolver } from "./post";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from "./signing";
import { WebhookWorker, type WebhookWorkerConfig } from "./worker";

type Caller = Awaited<ReturnType<TestPlatform["signUp"]>>["caller"];

// Webhooks end to end on both databases, without sandboxes: grading events go
// to the dispatcher as grading emits them, deliveries go over real HTTP to
// receivers on 127.0.0.1 (tests only talk to loopback; see docs/api.md).
//
// Webhooks are added through the tRPC router with names under
// `.example.test`, which pass the creation check (no DNS then); the test's
// workers resolve those names to 127.0.0.1 with a resolver of their own and
// are told private targets are allowed, as WEBHOOK_ALLOW_PRIVATE_TARGETS=1
// tells the platform's worker. The platform's own worker is stopped: each
// test steps through attempts with runOnce() and a clock of its own instead
// of waiting out the backoff.
describe.each(DATABASE_KINDS)("webhooks on %s", (kind) => {
  let platform: TestPlatform;
  let receiver: LoopbackReceiver;
  let instructor: Caller;
  let otherInstructor: Caller;
  let learnerCaller: Caller;
  let teacher = { id: "", role: "instructor" as const };
  let learnerId = "";
  let cohortId = "";
  let labId = "";
  let sessionId = "";
  let secret = "";
  let webhookId = "";
  /** The test's clock: what workers read as "now". */
  let clockMs = 0;
  const names: Record<string, { address: string; family: number }[]> = {};

  const prisma = () => platform.services.db.prisma;
  /** Routes `name`.example.test to the receiver and returns a URL on it. */
  const urlOn = (r: LoopbackReceiver, name: string, path: string) => {
    names[`${name}.example.test`] = [{ address: "127.0.0.1", family: 4 }];
    return `http://${name}.example.test:${new URL(r.url).port}${path}`;
  };
  const resolve: Resolver = async (hostname) => names[hostname] ?? Promise.reject(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }));
  const testWorker = (config: Partial<WebhookWorkerConfig> = {}, allowPrivateTargets = true) =>
    new WebhookWorker({ prisma: prisma(), config: { pruneEveryMs: Number.MAX_SAFE_INTEGER, ...config }, allowPrivateTargets, resolve, clock: () => new Date(clockMs), random: () => 0.5 });
  const taskPassed = () => ({ type: "task.passed" as const, sessionId, userId: learnerId, labSlug: "first-container", taskId: "run-first", at: new Date() });
  /** A cohort of the teacher's with the lab but no learners: grading events never reach its webhooks. */
  const freshCohort = async (name: string) => (await prisma().cohort.create({ data: { name, joinCode: `${name}-${kind}`, ownerId: teacher.id, labs: { create: [{ labId, position: 0 }] } } })).id;
  /** Adds `count` due ping deliveries to a webhook, oldest first from `at`. */
  const queue = async (hookId: string, count: number, at = new Date(clockMs - 60_000)) => {
    for (let i = 0; i < count; i++) await prisma().webhookDelivery.create({ data: { webhookId: hookId, event: "ping", payload: { n: i }, nextAttemptAt: new Date(at.getTime() + i) } });
  };

  beforeAll(async () => {
    platform = await startTestPlatform(kind);
    await platform.services.webhooks.worker.stop();
    receiver = await LoopbackReceiver.start();
    await platform.signUp(`admin-${kind}@example.com`); // first account: admin
    await platform.signUp(`teacher-${kind}@example.com`);
    await platform.signUp(`other-teacher-${kind}@example.com`);
    learnerCaller = (await platform.signUp(`ada-${kind}@example.com`)).caller;
    await prisma().user.updateMany({ where: { email: { in: [`teacher-${kind}@example.com`, `other-teacher-${kind}@example.com`] } }, data: { role: "instructor" } });
    // Callers carry the role read at sign-in: sign in again as instructors.
    instructor = (await platform.signIn(`teacher-${kind}@example.com`)).caller;
    otherInstructor = (await platform.signIn(`other-teacher-${kind}@example.com`)).caller;
    teacher = { id: (await prisma().user.findUniqueOrThrow({ where: { email: `teacher-${kind}@example.com` } })).id, role: "instructor" };
    learnerId = (await prisma().user.findUniqueOrThrow({ where: { email: `ada-${kind}@example.com` } })).id;
    labId = (await prisma().lab.findUniqueOrThrow({ where: { slug: "first-container" } })).id;
    const cohort = await prisma().cohort.create({
      data: { name: "Runtime week", joinCode: `hook-${kind}`, ownerId: teacher.id, labs: { create: [{ labId, position: 0 }] }, members: { create: [{ userId: learnerId }] } },
    });
    cohortId = cohort.id;
    // A cohort without the learner: its webhook must stay silent.
    const elsewhere = await prisma().cohort.create({ data: { name: "Elsewhere", joinCode: `else-${kind}`, ownerId: teacher.id, labs: { create: [{ labId, position: 0 }] } } });
    await prisma().webhook.create({ data: { cohortId: elsewhere.id, url: urlOn(receiver, "elsewhere", "/elsewhere"), secret: "s", events: ["task.passed", "lab.completed"] } });
    // The learner's progress, as grading stores it before it emits the event.
    const session = await prisma().labSession.create({
      data: { userId: learnerId, labId, environment: "node", state: "ready", taskResults: { create: [{ taskId: "run-first", status: "passed", passedAt: new Date(), attempts: 2 }] } },
    });
    sessionId = session.id;
  });
  afterAll(async () => {
    await receiver?.close();
    await platform?.close(true);
  });

  it("lets the cohort's instructor add a webhook and shows its secret once", async () => {
    const created = await instructor.webhooks.create({ cohortId, url: urlOn(receiver, "lms", "/hooks") });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ url: urlOn(receiver, "lms", "/hooks"), events: ["task.passed", "lab.completed"], active: true });
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
    await expect(instructor.webhooks.create({ cohortId, url: "file:///etc/passwd" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Webhook URLs must start with https:// (or http://), not file://.",
    });
  });

  it("refuses loopback, private and metadata destinations when private targets are not allowed (the default)", async () => {
    for (const url of [`${receiver.url}/hooks`, "http://localhost:8080/", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:10.0.0.1]/", "https://192.168.1.20/"]) {
      await expect(instructor.webhooks.create({ cohortId, url }), url).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringMatching(/^Webhooks may not be sent to .*: it is .*WEBHOOK_ALLOW_PRIVATE_TARGETS=1/),
      });
    }
    // The operator's opt-in (WEBHOOK_ALLOW_PRIVATE_TARGETS=1, passed on by the router) lets the same URL in.
    const allowed = await createWebhook(prisma(), teacher, { cohortId, url: `${receiver.url}/hooks` }, { allowPrivateTargets: true });
    expect(allowed.webhook.url).toBe(`${receiver.url}/hooks`);
    await prisma().webhook.delete({ where: { id: allowed.webhook.id } });

    // At delivery the name is resolved and every address checked: a name that
    // passed creation but resolves to loopback (DNS rebinding, or an internal
    // name) fails for good, with no request made.
    const cohort = await freshCohort("ssrf");
    const hook = await instructor.webhooks.create({ cohortId: cohort, url: urlOn(receiver, "rebound", "/steal") });
    await queue(hook.webhook.id, 1);
    receiver.requests.length = 0;
    expect(await testWorker({}, false).runOnce()).toBe(1);
    const row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.webhook.id } });
    expect(row).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: null });
    expect(row.lastError).toBe(
      "Webhooks may not be sent to rebound.example.test: it resolves to a loopback address (127.0.0.0/8). Use a receiver reachable from the internet, or ask the operator to set WEBHOOK_ALLOW_PRIVATE_TARGETS=1 if it really runs inside their network.",
    );
    expect(receiver.requests).toHaveLength(0);
  });

  it("queues one delivery per subscribed, active webhook of the learner's cohorts", async () => {
    // Subscribed to lab.completed only, and one turned off: neither gets task.passed.
    const completedOnly = await instructor.webhooks.create({ cohortId, url: urlOn(receiver, "completed-only", "/completed-only"), events: ["lab.completed"] });
    const off = await instructor.webhooks.create({ cohortId, url: urlOn(receiver, "off", "/off") });
    await prisma().webhook.update({ where: { id: off.webhook.id }, data: { active: false } });
    expect(await platform.services.webhooks.dispatcher.handle(taskPassed())).toBe(1);
    expect(await platform.services.webhooks.dispatcher.handle({ ...taskPassed(), type: "task.changed", status: "passed" })).toBe(0);
    const rows = await prisma().webhookDelivery.findMany({ where: { webhook: { cohortId } } });
    expect(rows.map((r) => [r.webhookId, r.event, r.status, r.attempts])).toEqual([[webhookId, "task.passed", "pending", 0]]);
    await instructor.webhooks.delete({ webhookId: completedOnly.webhook.id });
    await instructor.webhooks.delete({ webhookId: off.webhook.id });
  });

  it("retries a 500 with backoff, then records the 200: two attempts, signed both times", async () => {
    receiver.requests.length = 0;
    receiver.reply({ status: 500, body: "database is down" }, { status: 200 });
    const worker = testWorker();
    clockMs = Date.now() + 1_000;
    const t0 = clockMs;
    expect(await worker.runOnce()).toBe(1);
    let row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId } });
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, lastError: "The receiver answered HTTP 500; only 2xx counts as delivered. It said: database is down" });
    // First retry 10 s after the attempt finished (jitter pinned to none by the test's random).
    expect(row.nextAttemptAt.getTime() - t0).toBe(10_000);
    clockMs = t0 + 5_000;
    expect(await worker.runOnce()).toBe(0); // not due yet
    clockMs = t0 + 10_000;
    expect(await worker.runOnce()).toBe(1);
    row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId } });
    expect(row).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200, lastError: null });
    expect(row.deliveredAt).toEqual(new Date(t0 + 10_000));

    expect(receiver.requests).toHaveLength(2);
    for (const req of receiver.requests) {
      expect(req.method).toBe("POST");
      expect(req.path).toBe("/hooks");
      expect(req.headers.host).toBe(`lms.example.test:${new URL(receiver.url).port}`);
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
    expect(deliveries[0]).toMatchObject({ webhookId, event: "task.passed", status: "delivered", attempts: 2, lastStatusCode: 200, nextAttemptAt: null });
    await expect(otherInstructor.webhooks.deliveries({ cohortId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("gives up after 6 attempts against a receiver that refuses connections, recording why", async () => {
    const dead = await LoopbackReceiver.start();
    const deadUrl = urlOn(dead, "gone", "/gone");
    await dead.close(); // nothing listens on this port any more
    const hook = await instructor.webhooks.create({ cohortId, url: deadUrl, events: ["lab.completed"] });
    expect(await platform.services.webhooks.dispatcher.handle({ type: "lab.completed", sessionId, userId: learnerId, labSlug: "first-container", at: new Date() })).toBe(2);
    const worker = testWorker();
    const waits: number[] = [];
    clockMs = Date.now() + 1_000;
    for (let attempt = 1; attempt <= 6; attempt++) {
      await worker.runOnce();
      const row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.webhook.id } });
      expect(row.attempts).toBe(attempt);
      if (row.status === "failed") break;
      waits.push(row.nextAttemptAt.getTime() - clockMs);
      clockMs = row.nextAttemptAt.getTime();
    }
    const row = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.webhook.id } });
    expect(row).toMatchObject({ status: "failed", attempts: 6, lastStatusCode: null });
    expect(row.lastError).toMatch(/^Nothing accepted the connection at gone\.example\.test:\d+ \(connection refused\)/);
    expect(waits).toEqual([10_000, 30_000, 120_000, 600_000, 3_600_000]);
    // The lab.completed delivery to the live receiver went through meanwhile.
    const live = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId, event: "lab.completed" } });
    expect(live.status).toBe("delivered");
    await instructor.webhooks.delete({ webhookId: hook.webhook.id });
  });

  it("does not follow redirects and times out a receiver that never answers", async () => {
    receiver.requests.length = 0;
    receiver.reply({ status: 302, headers: { location: `${receiver.url}/elsewhere` } }, "hang");
    const quick = testWorker({ timeoutMs: 500 });
    const redirected = await quick.attempt(urlOn(receiver, "lms", "/hooks"), secret, { id: "d1", event: "ping", payload: {} });
    expect(redirected).toEqual({ ok: false, statusCode: 302, error: "The receiver answered with a redirect (HTTP 302); webhooks do not follow redirects, so use the final URL.", permanent: false });
    const hung = await quick.attempt(urlOn(receiver, "lms", "/hooks"), secret, { id: "d2", event: "ping", payload: {} });
    expect(hung).toEqual({ ok: false, statusCode: null, error: "The receiver did not answer within 0.5 s.", permanent: false });
    expect(receiver.requests.map((r) => r.path)).toEqual(["/hooks", "/hooks"]);
  });

  it("keeps sending to healthy receivers while a dead one times out, one request per webhook at a time", async () => {
    const cohort = await freshCohort("busy");
    const slow = await LoopbackReceiver.start();
    const fast = await LoopbackReceiver.start();
    try {
      const dead = await instructor.webhooks.create({ cohortId: cohort, url: urlOn(slow, "dead", "/dead") });
      const healthy = await instructor.webhooks.create({ cohortId: cohort, url: urlOn(fast, "healthy", "/healthy") });
      clockMs = Date.now() + 1_000;
      // The dead receiver's deliveries are older, so a one-at-a-time worker would start with them.
      await queue(dead.webhook.id, 3, new Date(clockMs - 120_000));
      await queue(healthy.webhook.id, 3, new Date(clockMs - 60_000));
      slow.reply("hang", "hang", "hang");
      fast.reply({ status: 200, delayMs: 150 }, { status: 200, delayMs: 150 }, { status: 200, delayMs: 150 });
      const round = testWorker({ timeoutMs: 3_000 }).runOnce();
      let roundDone = false;
      void round.then(() => (roundDone = true));
      await until("the healthy receiver's three deliveries", async () => (await prisma().webhookDelivery.count({ where: { webhookId: healthy.webhook.id, status: "delivered" } })) === 3, 10_000);
      expect(roundDone).toBe(false); // the dead receiver's request is still hanging
      expect(slow.requests).toHaveLength(1);
      expect(await round).toBe(4);
      // The dead receiver got one attempt this round; its other deliveries wait untouched.
      const deadRows = await prisma().webhookDelivery.findMany({ where: { webhookId: dead.webhook.id }, orderBy: { nextAttemptAt: "asc" } });
      expect(deadRows.map((d) => d.attempts).sort()).toEqual([0, 0, 1]);
      expect(deadRows.find((d) => d.attempts === 1)!.lastError).toBe("The receiver did not answer within 3 s.");
      // One at a time per webhook: each request to the healthy receiver came after the previous answer (150 ms).
      const arrivals = fast.requests.map((r) => r.receivedAt);
      expect(arrivals).toHaveLength(3);
      expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(140);
      expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(140);
      await prisma().webhook.deleteMany({ where: { cohortId: cohort } });
    } finally {
      await slow.close();
      await fast.close();
    }
  });

  it("takes each delivery's lease when it is claimed and its next attempt when it finished, not at the round's start", async () => {
    const cohort = await freshCohort("lease");
    const r = await LoopbackReceiver.start();
    try {
      const hook = await instructor.webhooks.create({ cohortId: cohort, url: urlOn(r, "lease", "/lease") });
      clockMs = Date.now() + 1_000;
      const t0 = clockMs;
      await queue(hook.webhook.id, 2);
      const [first, second] = await prisma().webhookDelivery.findMany({ where: { webhookId: hook.webhook.id }, orderBy: { nextAttemptAt: "asc" } });
      r.reply({ status: 200, delayMs: 300 }, { status: 500, delayMs: 300 });
      const round = testWorker({ timeoutMs: 5_000 }).runOnce();
      await until("the first request", async () => r.requests.length === 1, 5_000);
      expect((await prisma().webhookDelivery.findUniqueOrThrow({ where: { id: first!.id } })).nextAttemptAt).toEqual(new Date(t0 + 5_000 + 60_000));
      clockMs = t0 + 3_600_000; // an hour passes while the first is in flight
      await until("the second request", async () => r.requests.length === 2, 5_000);
      expect((await prisma().webhookDelivery.findUniqueOrThrow({ where: { id: second!.id } })).nextAttemptAt).toEqual(new Date(t0 + 3_600_000 + 5_000 + 60_000));
      expect(await round).toBe(2);
      const failed = await prisma().webhookDelivery.findUniqueOrThrow({ where: { id: second!.id } });
      expect(failed).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
      expect(failed.nextAttemptAt).toEqual(new Date(t0 + 3_600_000 + 10_000));
      await prisma().webhook.delete({ where: { id: hook.webhook.id } });
    } finally {
      await r.close();
    }
  });

  it("prunes delivered and failed deliveries older than 30 days, at most once an hour", async () => {
    const cohort = await freshCohort("prune");
    const hook = await instructor.webhooks.create({ cohortId: cohort, url: "https://lms.example.edu/prune" });
    clockMs = Date.now();
    const old = new Date(clockMs - 31 * 86_400_000);
    const make = (status: "delivered" | "failed" | "pending", createdAt: Date) =>
      prisma().webhookDelivery.create({ data: { webhookId: hook.webhook.id, event: "ping", payload: {}, status, createdAt, nextAttemptAt: new Date(clockMs + 86_400_000) } });
    const [oldDelivered, oldFailed, oldPending, recent] = [
      await make("delivered", old),
      await make("failed", old),
      await make("pending", old),
      await make("delivered", new Date(clockMs - 29 * 86_400_000)),
    ];
    const worker = new WebhookWorker({ prisma: prisma(), clock: () => new Date(clockMs), resolve });
    await worker.runOnce();
    const left = async () => (await prisma().webhookDelivery.findMany({ where: { webhookId: hook.webhook.id }, select: { id: true } })).map((d) => d.id).sort();
    expect(await left()).toEqual([oldPending.id, recent.id].sort());
    expect(await left()).not.toContain(oldDelivered.id);
    expect(await left()).not.toContain(oldFailed.id);
    const another = await make("failed", old);
    clockMs += 30 * 60_000;
    await worker.runOnce();
    expect(await left()).toContain(another.id); // not an hour yet
    clockMs += 31 * 60_000;
    await worker.runOnce();
    expect(await left()).toEqual([oldPending.id, recent.id].sort());
    await prisma().webhook.delete({ where: { id: hook.webhook.id } });
  });

  it("holds the cap of webhooks per cohort under concurrent creation", async () => {
    const cohort = await freshCohort("cap");
    const results = await Promise.allSettled(
      Array.from({ length: MAX_WEBHOOKS_PER_COHORT + 5 }, (_, i) => createWebhook(prisma(), teacher, { cohortId: cohort, url: `https://lms.example.edu/cap/${i}` })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(MAX_WEBHOOKS_PER_COHORT);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.reason).toMatchObject({ code: "CONFLICT", message: `This cohort already has ${MAX_WEBHOOKS_PER_COHORT} webhooks; remove one first.` });
    expect(await prisma().webhook.count({ where: { cohortId: cohort } })).toBe(MAX_WEBHOOKS_PER_COHORT);
  });

  it("lets one test ping wait per webhook: a second is refused until the first was sent, then replaces its retry", async () => {
    const cohort = await freshCohort("ping-cap");
    const hook = await instructor.webhooks.create({ cohortId: cohort, url: urlOn(receiver, "pinged", "/ping") });
    const first = await instructor.webhooks.ping({ webhookId: hook.webhook.id });
    await expect(instructor.webhooks.ping({ webhookId: hook.webhook.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "A test delivery to this webhook has not been sent yet; wait for it to show in the deliveries table before sending another.",
    });
    // Pressed twice at once: still one waiting.
    await prisma().webhookDelivery.deleteMany({ where: { id: first.deliveryId } });
    const both = await Promise.allSettled([pingWebhook(prisma(), teacher, hook.webhook.id), pingWebhook(prisma(), teacher, hook.webhook.id)]);
    expect(both.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    // Once it was attempted and waits for a retry, a new ping replaces it.
    receiver.reply({ status: 500 });
    clockMs = Date.now() + 1_000;
    await testWorker().runOnce();
    const retrying = await prisma().webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.webhook.id, status: "pending" } });
    expect(retrying.attempts).toBe(1);
    const next = await pingWebhook(prisma(), teacher, hook.webhook.id);
    expect(await prisma().webhookDelivery.findUniqueOrThrow({ where: { id: retrying.id } })).toMatchObject({ status: "failed", lastError: "Replaced by a newer test delivery before its next retry." });
    expect(await prisma().webhookDelivery.findMany({ where: { webhookId: hook.webhook.id, status: "pending" }, select: { id: true } })).toEqual([{ id: next.deliveryId }]);
    await prisma().webhook.delete({ where: { id: hook.webhook.id } });
  });

  it("sends a signed ping when the instructor asks, through a running worker", async () => {
    receiver.requests.length = 0;
    const worker = new WebhookWorker({ prisma: prisma(), config: { pollMs: 100 }, allowPrivateTargets: true, resolve });
    worker.start();
    try {
      const { deliveryId } = await instructor.webhooks.ping({ webhookId });
      await until("the ping to arrive", async () => receiver.requests.length > 0, 10_000);
      const req = receiver.requests[0]!;
      expect(req.headers[DELIVERY_HEADER.toLowerCase()]).toBe(deliveryId);
      expect(verifySignature(secret, req.headers[SIGNATURE_HEADER.toLowerCase()] as string, req.body)).toBeNull();
      expect((JSON.parse(req.body) as PingPayload).event).toBe("ping");
    } finally {
      await worker.stop();
    }
  });
});
