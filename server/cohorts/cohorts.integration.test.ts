import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import type { CohortResults } from "../grades/types";
import type { SessionUser } from "../auth/principal";

const INSTANCE = `t-cohorts-${process.pid}`;

type Caller = Awaited<ReturnType<TestPlatform["signUp"]>>["caller"];

describe("cohorts: create, join, watch live, who sees what (real Docker, PGlite)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let admin: Caller;
  let teacher: Caller;
  let otherTeacher: Caller;
  let learner: Caller;
  let outsider: Caller;
  let learnerUser: SessionUser;
  let cohortId = "";
  let joinCode = "";

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: INSTANCE }, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: INSTANCE });
    admin = (await platform.signUp("admin@example.com")).caller; // first account: admin
    teacher = (await platform.signUp("teacher@example.com")).caller;
    otherTeacher = (await platform.signUp("other-teacher@example.com")).caller;
    learner = (await platform.signUp("learner@example.com")).caller;
    outsider = (await platform.signUp("outsider@example.com")).caller;
    learnerUser = (await learner.system.me())!;
    for (const [caller, email] of [
      [teacher, "teacher@example.com"],
      [otherTeacher, "other-teacher@example.com"],
    ] as const) {
      const me = (await caller.system.me())!;
      await admin.users.setRole({ userId: me.id, role: "instructor" });
      void email;
    }
    // Roles are read per request from the database: sign in again to act as instructors.
    teacher = (await platform.signIn("teacher@example.com")).caller;
    otherTeacher = (await platform.signIn("other-teacher@example.com")).caller;
    await platform.services.sessions.boot();
  });

  afterAll(async () => {
    await platform?.services.grading.shutdown();
    await platform?.services.sessions.shutdown();
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  it("lets instructors create cohorts and refuses learners", async () => {
    const due = new Date(Date.now() + 7 * 86_400_000);
    const cohort = await teacher.cohorts.create({ name: "Runtime internals, spring", labSlugs: ["meet-your-node", "first-container"], dueAt: due });
    expect(cohort).toMatchObject({ name: "Runtime internals, spring", memberCount: 0, labs: [{ slug: "meet-your-node" }, { slug: "first-container" }] });
    expect(cohort.joinCode).toMatch(/^[2-9a-z]{10}$/);
    expect(cohort.dueAt?.getTime()).toBe(due.getTime());
    cohortId = cohort.id;
    joinCode = cohort.joinCode;
    await expect(learner.cohorts.create({ name: "mine", labSlugs: ["meet-your-node"] })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("says which lab is unknown", async () => {
    await expect(teacher.cohorts.create({ name: "typo", labSlugs: ["meet-your-node", "no-such-lab"] })).rejects.toThrow(/No such lab in the catalog: "no-such-lab"/);
  });

  it("keeps each instructor's cohorts to themselves (admins see all)", async () => {
    expect((await teacher.cohorts.list()).map((c) => c.id)).toContain(cohortId);
    expect((await otherTeacher.cohorts.list()).map((c) => c.id)).not.toContain(cohortId);
    await expect(otherTeacher.cohorts.results({ cohortId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await admin.cohorts.list()).map((c) => c.id)).toContain(cohortId);
  });

  it("lets a learner preview and join with the code, once", async () => {
    const preview = await learner.cohorts.preview({ code: joinCode });
    expect(preview).toMatchObject({ name: "Runtime internals, spring", owner: "teacher", alreadyMember: false, archived: false });
    await learner.cohorts.join({ code: joinCode.toUpperCase() }); // codes are case-insensitive
    await learner.cohorts.join({ code: joinCode });
    expect((await teacher.cohorts.get({ cohortId })).memberCount).toBe(1);
    expect((await learner.cohorts.mine()).map((c) => c.id)).toEqual([cohortId]);
    await expect(learner.cohorts.join({ code: "nosuchcode" })).rejects.toThrow(/join link is not valid/);
  });

  it("shows the learner in the matrix with nothing done yet", async () => {
    const results = await teacher.cohorts.results({ cohortId });
    expect(results.labs.map((l) => l.slug)).toEqual(["meet-your-node", "first-container"]);
    expect(results.learners).toHaveLength(1);
    const row = results.learners[0]!;
    expect(row.email).toBe("learner@example.com");
    expect(row.labs["meet-your-node"]).toMatchObject({ sessionId: null, points: 0 });
  });

  it("pushes a live update when the learner's task passes, and records the history with evidence", async () => {
    const session = await learner.sessions.start({ slug: "meet-your-node" });
    for await (const v of platform.services.sessions.watch(learnerUser, session.id)) if (v.state === "ready") break;
    const sandboxId = (await learner.sessions.get({ id: session.id })).sandboxId!;

    const teacherUser = (await teacher.system.me())!;
    const controller = new AbortController();
    const seen: CohortResults[] = [];
    const watching = (async () => {
      for await (const r of platform.services.cohorts.watchResults(teacherUser, cohortId, controller.signal)) {
        seen.push(r);
        if (r.learners[0]?.labs["meet-your-node"]?.tasks["find-containerd"]?.status === "passed") return r;
      }
      return null;
    })();

    // A first check fails: the history records the failure and its sentence.
    await learner.grading.checkNow({ sessionId: session.id });
    const solved = await provider.exec(sandboxId, ["sh", "-c", "ps -C containerd -o pid= | tr -d ' ' > /root/containerd.pid"]);
    expect(solved.exitCode).toBe(0);
    await learner.grading.checkNow({ sessionId: session.id });

    const final = await Promise.race([watching, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    controller.abort();
    expect(final, "the dashboard stream should push the passed task").not.toBeNull();
    expect(seen.length).toBeGreaterThan(1);
    const cell = final!.learners[0]!.labs["meet-your-node"]!;
    expect(cell.sessionId).toBe(session.id);
    expect(cell.tasks["find-containerd"]).toMatchObject({ status: "passed" });
    expect(cell.points).toBeGreaterThan(0);

    const detail = await teacher.cohorts.sessionDetail({ sessionId: session.id });
    expect(detail.session.learner.email).toBe("learner@example.com");
    const history = detail.history.filter((h) => h.taskId === "find-containerd");
    expect(history.map((h) => h.status)).toEqual(["passed", "failed"]); // newest first
    expect(history[0]!.trigger).toBe("check");
    expect(JSON.stringify(history[0]!.evidence)).toContain("containerd");
  });

  it("hides a learner's sessions from instructors who do not teach them, and from other learners", async () => {
    const [session] = await platform.services.db.prisma.labSession.findMany({ where: { userId: learnerUser.id } });
    await expect(otherTeacher.cohorts.sessionDetail({ sessionId: session!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherTeacher.sessions.get({ id: session!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherTeacher.grading.checkNow({ sessionId: session!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherTeacher.grading.tasks({ sessionId: session!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(outsider.cohorts.sessionDetail({ sessionId: session!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Even the learner does not get the history: its evidence could give a check away.
    await expect(learner.cohorts.sessionDetail({ sessionId: session!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(outsider.grading.tasks({ sessionId: session!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The teacher of the learner's cohort may look (read-only).
    expect((await teacher.sessions.get({ id: session!.id })).userId).toBe(learnerUser.id);
    // Their checks are recorded as "grade", not as the learner pressing Check.
    await teacher.grading.checkNow({ sessionId: session!.id });
    await expect(teacher.sessions.end({ id: session!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("closes an archived cohort to new members", async () => {
    await teacher.cohorts.archive({ cohortId });
    await expect(outsider.cohorts.join({ code: joinCode })).rejects.toThrow(/is closed/);
    expect(await learner.cohorts.mine()).toEqual([]);
    // An archived cohort no longer grants its instructor a view of the learner.
    const [session] = await platform.services.db.prisma.labSession.findMany({ where: { userId: learnerUser.id } });
    await expect(teacher.cohorts.sessionDetail({ sessionId: session!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await teacher.cohorts.archive({ cohortId, archived: false });
  });
});
