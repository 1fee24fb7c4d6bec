import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/support/databases";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { cohortResults } from "./cohort-results";
import { ARCHIVED_TASK_POINTS } from "./lab-tasks";

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 10, minute));

// Results are stored rows, so this test writes sessions and task results
// directly (no sandboxes) and reads them back through cohortResults on both
// databases. The lab definitions (tasks, points) are the repository's labs.
describe.each(DATABASE_KINDS)("cohortResults on %s", (kind) => {
  let platform: TestPlatform;
  let cohortId = "";
  let ada = "";
  let bob = "";
  let outsider = "";
  let ownerCaller: Awaited<ReturnType<TestPlatform["signIn"]>>["caller"];
  let adaCaller: Awaited<ReturnType<TestPlatform["signIn"]>>["caller"];

  beforeAll(async () => {
    platform = await startTestPlatform(kind);
    const prisma = platform.services.db.prisma;
    await platform.signUp(`admin-${kind}@example.com`);
    const owner = await prisma.user.update({ where: { email: `admin-${kind}@example.com` }, data: { role: "instructor" } });
    await platform.signUp(`ada-${kind}@example.com`);
    await platform.signUp(`bob-${kind}@example.com`);
    await platform.signUp(`outsider-${kind}@example.com`);
    ownerCaller = (await platform.signIn(`admin-${kind}@example.com`)).caller;
    adaCaller = (await platform.signIn(`ada-${kind}@example.com`)).caller;
    const users = Object.fromEntries((await prisma.user.findMany()).map((u) => [u.email.split("-")[0]!, u.id]));
    ada = users.ada!;
    bob = users.bob!;
    outsider = users.outsider!;
    const labs = Object.fromEntries((await prisma.lab.findMany()).map((l) => [l.slug, l.id]));
    // A lab whose file is gone: archived, yet still part of the cohort.
    const gone = await prisma.lab.create({
      data: {
        slug: "retired-lab",
        title: "Retired lab",
        summary: "s",
        difficulty: "beginner",
        durationMinutes: 5,
        environment: "node",
        sourcePath: "labs/retired-lab/lab.md",
        sourceHash: "x",
        archivedAt: at(0),
      },
    });
    const cohort = await prisma.cohort.create({
      data: {
        name: "Runtime week",
        joinCode: `code-${kind}`,
        ownerId: owner.id,
        dueAt: at(600),
        // Position, not insertion order, decides the column order.
        labs: {
          create: [
            { labId: labs["cgroups-and-oom"]!, position: 2 },
            { labId: labs["first-container"]!, position: 1 },
            { labId: gone.id, position: 3 },
          ],
        },
        members: {
          create: [
            { userId: bob, joinedAt: at(1) },
            { userId: ada, joinedAt: at(0) },
          ],
        },
      },
    });
    cohortId = cohort.id;

    const session = (userId: string, labId: string, createdAt: Date, state: "ready" | "ended", results: object[]) =>
      prisma.labSession.create({ data: { userId, labId, environment: "node", state, createdAt, taskResults: { create: results as never } } });
    // Ada: first-container over two sessions (reset in between), complete.
    await session(ada, labs["first-container"]!, at(0), "ended", [
      { taskId: "run-first", status: "passed", passedAt: at(4), attempts: 3, hintsRevealed: 1 },
      { taskId: "own-pid-namespace", status: "failed", message: "not yet", attempts: 2 },
    ]);
    await session(ada, labs["first-container"]!, at(10), "ready", [
      { taskId: "run-first", status: "passed", passedAt: at(12), attempts: 1, hintsRevealed: 2 },
      { taskId: "own-pid-namespace", status: "passed", passedAt: at(30), attempts: 4, message: "own namespace" },
    ]);
    // Ada: cgroups-and-oom, the 20-point task only.
    await session(ada, labs["cgroups-and-oom"]!, at(40), "ready", [{ taskId: "oom-kill", status: "passed", passedAt: at(50), attempts: 1 }]);
    // Ada: the retired lab, one of two tasks seen.
    await session(ada, gone.id, at(0), "ended", [
      { taskId: "old-a", status: "passed", passedAt: at(2) },
      { taskId: "old-b", status: "failed" },
    ]);
    // Someone outside the cohort: never appears.
    await session(outsider, labs["first-container"]!, at(0), "ready", [{ taskId: "run-first", status: "passed", passedAt: at(1) }]);
  });
  afterAll(async () => {
    await platform?.close(true);
  });

  it("lists the cohort's labs in position order with their tasks and points", async () => {
    const r = await cohortResults(platform.services.db.prisma, platform.services.labs, cohortId);
    expect(r.cohort).toEqual({ id: cohortId, name: "Runtime week", dueAt: at(600), includeWorkBeforeJoining: true });
    expect(r.labs.map((l) => [l.slug, l.maxPoints, l.archived])).toEqual([
      ["first-container", 20, false],
      ["cgroups-and-oom", 50, false],
      ["retired-lab", 2 * ARCHIVED_TASK_POINTS, true],
    ]);
    expect(r.labs[0]!.tasks.map((t) => t.id)).toEqual(["run-first", "own-pid-namespace"]);
    expect(r.labs[2]!.tasks.map((t) => t.id)).toEqual(["old-a", "old-b"]);
  });

  it("merges a learner's sessions of a lab into one cell", async () => {
    const r = await cohortResults(platform.services.db.prisma, platform.services.labs, cohortId);
    expect(r.learners.map((l) => l.userId)).toEqual([ada, bob]);
    const cell = r.learners[0]!.labs["first-container"]!;
    const latest = await platform.services.db.prisma.labSession.findFirstOrThrow({ where: { userId: ada, createdAt: at(10) } });
    expect(cell).toMatchObject({ sessionId: latest.id, state: "ready", startedAt: at(0), completedAt: at(30), timeToCompleteMs: 30 * 60_000, points: 20, maxPoints: 20, score: 1, hintsUsed: 2 });
    expect(cell.tasks["run-first"]).toMatchObject({ status: "passed", passedAt: at(4), attempts: 4, hintsRevealed: 2 });
    expect(cell.tasks["own-pid-namespace"]).toMatchObject({ status: "passed", passedAt: at(30), message: "own namespace" });
  });

  it("gives partial credit per lab and overall, archived lab included", async () => {
    const r = await cohortResults(platform.services.db.prisma, platform.services.labs, cohortId);
    const adaRow = r.learners[0]!;
    expect(adaRow.labs["cgroups-and-oom"]).toMatchObject({ points: 20, maxPoints: 50, score: 0.4, completedAt: null });
    expect(adaRow.labs["retired-lab"]).toMatchObject({ points: ARCHIVED_TASK_POINTS, score: 0.5 });
    expect(adaRow).toMatchObject({ points: 20 + 20 + ARCHIVED_TASK_POINTS, maxPoints: 20 + 50 + 2 * ARCHIVED_TASK_POINTS });
    expect(adaRow.score).toBeCloseTo(50 / 90);
  });

  it("shows a member who never started anything with every lab empty", async () => {
    const r = await cohortResults(platform.services.db.prisma, platform.services.labs, cohortId);
    const bobRow = r.learners[1]!;
    expect(bobRow).toMatchObject({ points: 0, maxPoints: 90, score: 0, joinedAt: at(1) });
    expect(bobRow.labs["first-container"]).toMatchObject({ sessionId: null, state: null, startedAt: null });
    expect(bobRow.labs["first-container"]!.tasks["run-first"]!.status).toBe("not-started");
  });

  it("marks work done before joining, and leaves it out of the grades when the cohort says so", async () => {
    const prisma = platform.services.db.prisma;
    // Ada "joins" at minute 20: run-first (passed at 4 and 12) was before, own-pid-namespace (30) after.
    await prisma.cohortMember.update({ where: { cohortId_userId: { cohortId, userId: ada } }, data: { joinedAt: at(20) } });
    try {
      let cell = (await ownerCaller.grades.cohortResults({ cohortId })).learners[0]!.labs["first-container"]!;
      expect(cell.tasks["run-first"]).toMatchObject({ status: "passed", beforeJoining: true, passedAt: at(4) });
      expect(cell.tasks["own-pid-namespace"]).toMatchObject({ status: "passed", beforeJoining: false });
      expect(cell).toMatchObject({ points: 20, pointsBeforeJoining: 10, completedAt: at(30) });

      const updated = await ownerCaller.cohorts.update({ cohortId, includeWorkBeforeJoining: false });
      expect(updated.includeWorkBeforeJoining).toBe(false);
      const r = await ownerCaller.grades.cohortResults({ cohortId });
      expect(r.cohort.includeWorkBeforeJoining).toBe(false);
      cell = r.learners[0]!.labs["first-container"]!;
      expect(cell.tasks["run-first"]).toMatchObject({ status: "passed", beforeJoining: true });
      expect(cell).toMatchObject({ points: 10, pointsBeforeJoining: 10, completedAt: null });
      // first-container 10, the OOM task (minute 50) 20; the retired lab's pass (minute 2) was before joining too.
      expect(r.learners[0]!.points).toBe(10 + 20);
      await expect(adaCaller.cohorts.update({ cohortId, includeWorkBeforeJoining: true })).rejects.toMatchObject({ code: "FORBIDDEN" });
    } finally {
      await ownerCaller.cohorts.update({ cohortId, includeWorkBeforeJoining: true });
      await prisma.cohortMember.update({ where: { cohortId_userId: { cohortId, userId: ada } }, data: { joinedAt: at(0) } });
    }
  });

  it("serves the same results to the dashboard over tRPC, to the cohort's instructor only", async () => {
    const r = await ownerCaller.grades.cohortResults({ cohortId });
    expect(r.learners.map((l) => [l.userId, l.points])).toEqual([
      [ada, 50],
      [bob, 0],
    ]);
    expect(r.learners[0]!.labs["first-container"]!.completedAt).toEqual(at(30));
    await expect(adaCaller.grades.cohortResults({ cohortId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await platform.services.db.prisma.user.update({ where: { id: ada }, data: { role: "instructor" } });
    const adaAsInstructor = (await platform.signIn(`ada-${kind}@example.com`)).caller;
    await expect(adaAsInstructor.grades.cohortResults({ cohortId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await platform.services.db.prisma.user.update({ where: { id: ada }, data: { role: "learner" } });
  });

  it("says NOT_FOUND for an unknown cohort", async () => {
    await expect(cohortResults(platform.services.db.prisma, platform.services.labs, "no-such-cohort")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
