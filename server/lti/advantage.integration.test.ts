import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GradingEvent } from "../grading/service";
import { LtiDriver } from "../../test/support/lti-driver";
import { LtiTestPlatform, ROLE } from "../../test/support/lti-platform";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";

// LTI Advantage against the fake LMS (test/support/lti-platform.ts) on
// 127.0.0.1: Deep Linking 2.0, grade passback (AGS 2.0) with the OAuth 2
// client-credentials token, and the course roster (NRPS 2.0). The platform's
// own passback worker is stopped: each test steps through deliveries with
// runOnce() instead of waiting on the poll. Embedded PGlite only (see
// launch.integration.test.ts).
describe("LTI Advantage", () => {
  let platform: TestPlatform;
  let lms: LtiTestPlatform;
  let drive: LtiDriver;
  let teacher: NonNullable<Awaited<ReturnType<LtiDriver["callerFrom"]>>>;
  let learnerId = "";
  /** The resource links the deep link made, by lab slug. */
  const linkOf: Record<string, string> = {};
  const prisma = () => platform.services.db.prisma;
  const passback = () => platform.services.lti.passback;
  const publicUrl = () => platform.services.env.publicUrl;

  /** The picker's form post, as our page sends it (same origin). */
  const pick = (cookie: string, request: string, labs: string[], origin = new URL(publicUrl()).origin) => {
    const body = new URLSearchParams({ request });
    for (const l of labs) body.append("lab", l);
    return platform.services.lti.deepLinkReturn(
      new Request(`${publicUrl()}/api/lti/deep-link`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin, cookie }, body }),
      teacher.user,
    );
  };

  beforeAll(async () => {
    platform = await startTestPlatform("pglite");
    await platform.services.lti.passback.stop();
    const admin = (await platform.signUp("lti-adv-admin@example.com")).caller;
    lms = await LtiTestPlatform.start({ toolUrl: publicUrl(), toolJwks: () => platform.services.lti.keys.jwks() });
    lms.addUser({ id: "t-1", name: "Grace Hopper", roles: [ROLE.instructor] });
    lms.addUser({ id: "s-1", name: "Ada Lovelace", roles: [ROLE.learner] });
    lms.addUser({ id: "s-2", name: "Alan Turing", roles: [ROLE.learner] });
    await admin.lti.createPlatform(lms.registration);
    drive = new LtiDriver(platform.services, lms);
  });
  afterAll(async () => {
    await lms?.close();
    await platform?.close(true);
  });

  it("deep linking: an instructor picks two labs and the LMS gets them as resource links with line items", async () => {
    const res = await drive.fullLaunch("t-1", { kind: "deep" });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!);
    expect(location.pathname).toMatch(/^\/lti\/deep-link\/[\w-]{32}$/);
    const requestId = location.pathname.split("/").pop()!;
    teacher = (await drive.callerFrom(res))!;
    expect(teacher.user.role).toBe("instructor");

    const picker = await teacher.caller.lti.deepLinkPicker({ requestId });
    expect(picker.platformName).toBe("Test LMS");
    expect(picker.labs.find((l) => l.slug === "meet-your-node")).toMatchObject({ title: "Meet your node", maxPoints: 20 });

    // Only from our own page: a cross-site form post is refused.
    expect((await pick(teacher.cookie, requestId, ["meet-your-node"], "https://evil.example")).status).toBe(403);

    const answer = await pick(teacher.cookie, requestId, ["meet-your-node", "first-container"]);
    expect(answer.status).toBe(200);
    const html = await answer.text();
    expect(html).toContain(`action="${lms.url}/deep-link-return"`);
    const jwt = /name="JWT" value="([^"]+)"/.exec(html)![1]!;
    // The browser's self-posting form, made here with fetch.
    const lmsPage = await fetch(`${lms.url}/deep-link-return`, { method: "POST", body: new URLSearchParams({ JWT: jwt }) });
    expect(await lmsPage.text()).toContain("Added 2 item(s)");
    const links = [...lms.links.values()];
    expect(links.map((l) => [l.title, l.url, l.custom])).toEqual([
      ["Meet your node", `${publicUrl()}/labs/meet-your-node`, { lab: "meet-your-node" }],
      ["Your first container, without Docker", `${publicUrl()}/labs/first-container`, { lab: "first-container" }],
    ]);
    expect(links.map((l) => lms.lineItems.get(l.lineItemId!))).toMatchObject([
      { label: "Meet your node", scoreMaximum: 20, resourceId: "meet-your-node" },
      { label: "Your first container, without Docker", resourceId: "first-container" },
    ]);
    for (const l of links) linkOf[l.custom.lab!] = l.id;

    // The request is spent: a second answer is refused, and another user never sees it.
    expect(await (await pick(teacher.cookie, requestId, ["meet-your-node"])).text()).toContain("These labs were already sent to the LMS");
    const learner = await drive.callerFrom(await drive.fullLaunch("s-1", { kind: "resource", linkId: linkOf["meet-your-node"]! }));
    await expect(learner!.caller.lti.deepLinkPicker({ requestId })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("grade passback: a passed task posts points earned over points possible, InProgress/Pending, then Completed/FullyGraded", async () => {
    const launched = await drive.callerFrom(await drive.fullLaunch("s-1", { kind: "resource", linkId: linkOf["meet-your-node"]! }));
    learnerId = launched!.user.id;
    expect(await prisma().ltiGradeLink.findFirst({ where: { userId: learnerId, labSlug: "meet-your-node" } })).toMatchObject({ subject: "s-1", lineItemUrl: `${lms.url}/lineitems/li-1` });

    // Grading stores the result, then emits task.passed: the passback listens as the webhooks do.
    const lab = await prisma().lab.findUniqueOrThrow({ where: { slug: "meet-your-node" } });
    const session = await prisma().labSession.create({
      data: { userId: learnerId, labId: lab.id, environment: "node", state: "ready", taskResults: { create: [{ taskId: "find-containerd", status: "passed", passedAt: new Date(), attempts: 1 }] } },
    });
    let listener: ((e: GradingEvent) => void | Promise<void>) | undefined;
    const detach = passback().attach({ onEvent: (l) => ((listener = l), () => {}) });
    await listener!({ type: "task.passed", sessionId: session.id, userId: learnerId, labSlug: "meet-your-node", taskId: "find-containerd", at: new Date() });
    detach();
    expect(await passback().runOnce()).toBe(1);
    const [first] = lms.scoresOf(linkOf["meet-your-node"]!);
    expect(first).toMatchObject({
      userId: "s-1",
      scoreGiven: 10,
      scoreMaximum: 20,
      activityProgress: "InProgress",
      gradingProgress: "Pending",
      comment: "1 of 2 tasks passed: Write containerd's process id to /root/containerd.pid",
    });
    expect(Date.parse(String(first!.timestamp))).toBeGreaterThan(Date.now() - 60_000);

    await prisma().taskResult.create({ data: { sessionId: session.id, taskId: "gvisor-kernel", status: "passed", passedAt: new Date(), attempts: 1 } });
    expect(await passback().enqueue(learnerId, "meet-your-node")).toBe(1);
    await passback().runOnce();
    expect(lms.scoresOf(linkOf["meet-your-node"]!).at(-1)).toMatchObject({ scoreGiven: 20, scoreMaximum: 20, activityProgress: "Completed", gradingProgress: "FullyGraded" });
    // One token for the score scope, cached across both posts.
    expect(lms.calls.filter((c) => c.path === "/token")).toHaveLength(1);
  });

  it("retries a refused score with backoff, records each attempt, and lets a newer score supersede an unsent one", async () => {
    lms.failScores = [503];
    await passback().enqueue(learnerId, "meet-your-node");
    expect(await passback().runOnce()).toBe(1);
    const retried = await prisma().ltiScoreDelivery.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
    expect(retried).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 503, lastError: "Test LMS refused the score (HTTP 503). It said: score: refused by the test's script" });
    expect(retried.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 5_000);

    // A newer score arrives before the retry: only the newer one is sent.
    await passback().enqueue(learnerId, "meet-your-node");
    expect((await prisma().ltiScoreDelivery.findUniqueOrThrow({ where: { id: retried.id } })).status).toBe("superseded");
    const sent = lms.scoresOf(linkOf["meet-your-node"]!).length;
    expect(await passback().runOnce(new Date(Date.now() + 3_600_000))).toBe(1);
    expect(lms.scoresOf(linkOf["meet-your-node"]!)).toHaveLength(sent + 1);
    const recent = await platform.services.lti.passback.recent(3);
    expect(recent.map((r) => r.status)).toEqual(["delivered", "superseded", "delivered"]);

    // A line item the LMS deleted (404) fails for good at once.
    await prisma().ltiGradeLink.updateMany({ where: { userId: learnerId }, data: { lineItemUrl: `${lms.url}/lineitems/li-gone` } });
    await passback().enqueue(learnerId, "meet-your-node");
    await passback().runOnce();
    expect(await prisma().ltiScoreDelivery.findFirstOrThrow({ orderBy: { createdAt: "desc" } })).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 404 });
  });

  it("roster: an instructor pulls the course's learners into their cohort, making accounts for those who never launched", async () => {
    const courses = await teacher.caller.lti.courses();
    expect(courses).toEqual([{ id: expect.any(String), title: "Container Runtimes 101", platformName: "Test LMS", hasRoster: true }]);
    const cohort = await prisma().cohort.create({ data: { name: "CR101", joinCode: "lti-roster", ownerId: teacher.user.id } });
    const usersBefore = await prisma().user.count();
    const report = await teacher.caller.lti.pullRoster({ courseId: courses[0]!.id, cohortId: cohort.id });
    // s-1 launched already (linked); s-2 never did (a new account); the instructor is not a learner.
    expect(report).toEqual({ learners: 2, added: 2, alreadyMembers: 0, accountsMade: 1 });
    expect(await prisma().user.count()).toBe(usersBefore + 1);
    const members = await prisma().cohortMember.findMany({ where: { cohortId: cohort.id }, select: { userId: true } });
    expect(members.map((m) => m.userId)).toContain(learnerId);
    expect(await teacher.caller.lti.pullRoster({ courseId: courses[0]!.id, cohortId: cohort.id })).toEqual({ learners: 2, added: 0, alreadyMembers: 2, accountsMade: 0 });

    // The learner who never launched, launching now, lands in the account the roster made.
    const turing = await drive.callerFrom(await drive.fullLaunch("s-2", { kind: "resource", linkId: linkOf["first-container"]! }));
    expect(members.map((m) => m.userId)).toContain(turing!.user.id);

    // Someone else's cohort, or a course they never taught, is not theirs to fill.
    const otherCohort = await prisma().cohort.create({ data: { name: "Other", joinCode: "lti-other", ownerId: learnerId } });
    await expect(teacher.caller.lti.pullRoster({ courseId: courses[0]!.id, cohortId: otherCohort.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(turing!.caller.lti.courses()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
