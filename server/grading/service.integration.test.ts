import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import type { SessionUser } from "../auth/principal";
import type { TaskView } from "./service";

const INSTANCE = `t-grading-${process.pid}`;

describe("grading a live session (real Docker)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let learner: SessionUser;
  let other: SessionUser;
  let sessionId = "";
  let sandboxId = "";

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: INSTANCE }, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: INSTANCE });
    learner = (await (await platform.signUp("grade-me@example.com")).caller.system.me())!;
    other = (await (await platform.signUp("someone-else@example.com")).caller.system.me())!;
    await platform.services.sessions.boot();
    const s = await platform.services.sessions.start(learner, "first-container");
    for await (const v of platform.services.sessions.watch(learner, s.id)) if (v.state === "ready") break;
    sessionId = s.id;
    sandboxId = (await platform.services.sessions.get(learner, s.id)).sandboxId!;
  });
  afterAll(async () => {
    await platform?.services.grading.shutdown();
    await platform?.services.sessions.shutdown();
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  const grading = () => platform.services.grading;
  const byId = (tasks: TaskView[]) => Object.fromEntries(tasks.map((t) => [t.taskId, t]));

  it("starts with the first task pending and the dependent one locked", async () => {
    const tasks = byId(await grading().results(learner, sessionId));
    expect(tasks["run-first"]).toMatchObject({ status: "pending", points: 10, hintCount: 2 });
    expect(tasks["own-pid-namespace"]!.status).toBe("locked");
  });

  it("checks now: the task fails with the check's sentence while nothing is done", async () => {
    const tasks = byId(await grading().evaluate(learner, sessionId));
    expect(tasks["run-first"]!.status).toBe("failed");
    expect(tasks["run-first"]!.message).toMatch(/first/);
  });

  it("ticks a task by itself when the learner does it, pushed to watchers", async () => {
    const seen: TaskView[][] = [];
    const watching = (async () => {
      for await (const tasks of grading().watch(learner, sessionId)) {
        seen.push(tasks);
        if (byId(tasks)["run-first"]!.status === "passed") return;
      }
    })();
    const r = await provider.exec(sandboxId, ["ctr", "-n", "k8s.io", "run", "-d", "localhost/labs/shell:1", "first", "sleep", "3600"]);
    expect(r.exitCode).toBe(0);
    // What the terminal does when the learner's command finishes
    // (events.integration.test.ts drives a real terminal).
    grading().requestEvaluation(sessionId, "command");
    await watching;
    const last = byId(seen.at(-1)!);
    expect(last["run-first"]!.status).toBe("passed");
    expect(last["run-first"]!.passedAt).toBeInstanceOf(Date);
    // The next task unlocked and was evaluated: it is now failing, not locked.
    const now = byId(await grading().evaluate(learner, sessionId));
    expect(now["own-pid-namespace"]!.status).toBe("failed");
    const row = await platform.services.db.prisma.taskResult.findFirstOrThrow({ where: { sessionId, taskId: "run-first" } });
    expect(JSON.stringify(row.evidence)).toContain("tamperResistant");
  });

  it("keeps a passed task passed when the learner undoes the work", async () => {
    await provider.exec(sandboxId, ["sh", "-c", "ctr -n k8s.io task kill -s SIGKILL first; sleep 0.5; ctr -n k8s.io container rm first"]);
    const tasks = byId(await grading().evaluate(learner, sessionId));
    expect(tasks["run-first"]!.status).toBe("passed");
  });

  it("reveals hints one at a time, records them, and says when there are no more", async () => {
    const first = byId(await grading().revealHint(learner, sessionId, "run-first"));
    expect(first["run-first"]!.hints).toHaveLength(1);
    expect(first["run-first"]!.hints[0]).toMatch(/ctr run -d/);
    const second = byId(await grading().revealHint(learner, sessionId, "run-first"));
    expect(second["run-first"]!.hints).toHaveLength(2);
    await expect(grading().revealHint(learner, sessionId, "run-first")).rejects.toThrow("You have seen every hint for this task.");
    const row = await platform.services.db.prisma.taskResult.findFirstOrThrow({ where: { sessionId, taskId: "run-first" } });
    expect(row.hintsRevealed).toBe(2);
    await expect(grading().revealHint(other, sessionId, "run-first")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(grading().revealHint(learner, sessionId, "no-such-task")).rejects.toThrow('This lab has no task "no-such-task".');
  });

  it("does not show or grade another learner's session", async () => {
    await expect(grading().results(other, sessionId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(grading().evaluate(other, sessionId)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
