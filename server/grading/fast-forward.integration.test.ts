import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { until } from "../../test/support/wait";
import type { SessionUser } from "../auth/principal";
import { isDomainError } from "../errors";

// Real Docker and real nodes: the reference solutions run in the learner's
// fresh node and the real checks decide what passed.
const INSTANCE = `t-fast-forward-${process.pid}`;

describe("fast-forward: reference solutions of earlier tasks on a fresh node, marked assisted (real Docker)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let learner: SessionUser;
  let other: SessionUser;
  let teacher: SessionUser;

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error("it was allowed");
      },
      (err: unknown) => {
        if (!isDomainError(err)) throw err;
        return { code: err.code, message: err.message };
      },
    );

  async function readySession(user: SessionUser, slug: string): Promise<string> {
    const s = await platform.services.sessions.start(user, slug);
    await until(
      "the session to be ready",
      async () => {
        const v = await platform.services.sessions.get(user, s.id);
        if (v.state === "failed") throw new Error(`session failed: ${v.reason}`);
        return v.state === "ready";
      },
      120_000,
    );
    return s.id;
  }

  beforeAll(async () => {
    platform = await startTestPlatform(
      "pglite",
      { LABS_INSTANCE: INSTANCE, GRADING_SAFETY_POLL_SECONDS: "3600", GRADING_IDLE_POLL_SECONDS: "3600" },
      { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 },
    );
    provider = new DockerProvider({ instance: INSTANCE });
    await platform.signUp("admin-ff@example.com"); // the first account is admin
    const me = async (email: string) => (await (await platform.signUp(email)).caller.system.me())!;
    learner = await me("stuck@example.com");
    other = await me("other@example.com");
    teacher = await me("teacher-ff@example.com");
    await platform.services.db.prisma.user.update({ where: { id: teacher.id }, data: { role: "instructor" } });
    teacher = { ...teacher, role: "instructor" };
    await platform.services.sessions.boot();
  });

  afterAll(async () => {
    await platform?.services.grading.shutdown();
    await platform?.services.sessions.shutdown({ destroyPool: true });
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  it("applies the earlier tasks' solutions on a fresh node, passes them as assisted, and leaves the target to the learner", async () => {
    const { fastForward, grading } = platform.services;
    const first = await readySession(learner, "first-container");

    // Only the owner, only a task after the first, only a task of the lab.
    expect(await refusal(fastForward.run(other, first, "own-pid-namespace"))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(fastForward.run(learner, first, "run-first"))).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("first task") });
    expect(await refusal(fastForward.run(learner, first, "no-such-task"))).toMatchObject({ code: "NOT_FOUND" });

    const result = await fastForward.run(learner, first, "own-pid-namespace");
    expect(result.applied).toEqual(["run-first"]);
    expect(result.assisted).toEqual(["run-first"]);
    expect(result.session.id).not.toBe(first);
    expect(result.session.state).toBe("ready");
    // The old session ended, naming the new one and why.
    const old = await platform.services.sessions.get(learner, first);
    expect(old.state).toBe("ended");
    expect(old.reason).toMatch(/^You fast-forwarded to /);

    const tasks = await grading.results(learner, result.session.id);
    expect(tasks.find((t) => t.taskId === "run-first")).toMatchObject({ status: "passed", assisted: true });
    // The target itself is the learner's to do.
    expect(tasks.find((t) => t.taskId === "own-pid-namespace")?.status).not.toBe("passed");
    // The solution really ran in the fresh node: containerd has the container.
    const { sandboxId } = await platform.services.sessions.sandboxOf(learner, result.session.id);
    expect((await provider.exec(sandboxId, ["ctr", "-n", "k8s.io", "tasks", "ls"])).stdout).toMatch(/^first\s+\d+\s+RUNNING/m);

    // Fast-forwarding again: a task already passed is carried over with its mark, not assisted anew.
    const again = await fastForward.run(learner, result.session.id, "own-pid-namespace");
    expect(again.assisted).toEqual([]);
    expect((await grading.results(learner, again.session.id)).find((t) => t.taskId === "run-first")).toMatchObject({ status: "passed", assisted: true });
    await platform.services.sessions.end(learner, again.session.id);
  });

  it("is refused where the learner's cohort turned it off, with the cohort's name, and nothing is replaced", async () => {
    const cohort = await platform.services.cohorts.create(teacher, { name: "No shortcuts", labSlugs: ["first-container"] });
    await platform.services.cohorts.join(other, cohort.joinCode);
    await platform.services.cohorts.update(teacher, cohort.id, { allowFastForward: false });
    const id = await readySession(other, "first-container");
    expect(await refusal(platform.services.fastForward.run(other, id, "own-pid-namespace"))).toEqual({
      code: "FORBIDDEN",
      message: 'Your instructor turned fast-forward off for this lab in "No shortcuts".',
    });
    expect((await platform.services.sessions.get(other, id)).state).toBe("ready");
    await platform.services.sessions.end(other, id);
  });
});
