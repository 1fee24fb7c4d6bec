import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import type { SessionUser } from "../auth/principal";
import type { createCaller } from "../trpc/root";
import type { SessionView } from "./service";

// Real Docker, real node containers, on a host that holds ONE sandbox and
// keeps no warm pool: the fresh node can only exist once the old one is gone,
// so this also shows that reset ends before it starts.
const INSTANCE = `t-reset-${process.pid}`;

describe("resetting a sandbox keeps the learner's progress", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let alice: SessionUser;
  let aliceApi: ReturnType<typeof createCaller>;
  let bobApi: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: INSTANCE }, { poolSize: 0, maxSandboxes: 1, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: INSTANCE });
    aliceApi = (await platform.signUp("alice@example.com")).caller;
    bobApi = (await platform.signUp("bob@example.com")).caller;
    alice = (await aliceApi.system.me())!;
    await platform.services.sessions.boot();
  });

  afterAll(async () => {
    await platform?.services.sessions.shutdown();
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  async function readyView(id: string): Promise<SessionView> {
    for await (const v of platform.services.sessions.watch(alice, id)) {
      if (v.state === "ready") return v;
      if (v.state === "failed" || v.state === "ended") throw new Error(`session ${id} ${v.state}: ${v.reason}`);
    }
    throw new Error(`session ${id} stopped reporting before it was ready`);
  }

  it("ends the old session, starts a new one on a fresh node, and carries passed tasks and opened hints", async () => {
    const started = await aliceApi.sessions.start({ slug: "meet-your-node" });
    const old = await readyView(started.id);

    // Pass the first task with its reference solution, open a hint of the second.
    const solved = await provider.exec(old.sandboxId!, ["sh", "-c", "ps -C containerd -o pid= | tr -d ' ' > /root/containerd.pid"]);
    expect(solved.exitCode).toBe(0);
    const graded = await aliceApi.grading.checkNow({ sessionId: old.id });
    const passedBefore = graded.find((t) => t.taskId === "find-containerd")!;
    expect(passedBefore.status).toBe("passed");
    await aliceApi.grading.revealHint({ sessionId: old.id, taskId: "gvisor-kernel" });

    // Another learner can neither see nor reset it.
    await expect(bobApi.sessions.reset({ id: old.id })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const next = await aliceApi.sessions.reset({ id: old.id });
    expect(next.id).not.toBe(old.id);
    expect(next.labSlug).toBe("meet-your-node");
    const fresh = await readyView(next.id);
    expect(fresh.sandboxId).not.toBe(old.sandboxId);

    // The old session ended with a sentence and its node is gone.
    const before = await aliceApi.sessions.get({ id: old.id });
    expect(before.state).toBe("ended");
    expect(before.reason).toMatch(/You reset your sandbox/);
    expect(await provider.get(old.sandboxId!)).toBeNull();

    // The new node is fresh: the file that passed the task is not there.
    const file = await provider.exec(fresh.sandboxId!, ["test", "-e", "/root/containerd.pid"]);
    expect(file.exitCode).toBe(1);

    // Progress came along: the task is still passed (same time), the hint still open,
    // and the second task is unlocked because the first one counts as passed.
    const tasks = await aliceApi.grading.tasks({ sessionId: next.id });
    const carried = tasks.find((t) => t.taskId === "find-containerd")!;
    expect(carried.status).toBe("passed");
    expect(carried.passedAt?.getTime()).toBe(passedBefore.passedAt!.getTime());
    const second = tasks.find((t) => t.taskId === "gvisor-kernel")!;
    expect(second.hints).toHaveLength(1);
    expect(second.status).not.toBe("locked");

    // Grading the fresh node does not take the carried task back.
    const regraded = await aliceApi.grading.checkNow({ sessionId: next.id });
    expect(regraded.find((t) => t.taskId === "find-containerd")!.status).toBe("passed");
    expect(regraded.find((t) => t.taskId === "gvisor-kernel")!.status).toBe("failed");

    // The catalog counts the task once across both sessions; the history lists both.
    expect(await aliceApi.labs.progress()).toEqual([{ slug: "meet-your-node", passed: 1, total: 2, status: "in-progress", liveSessionId: next.id }]);
    const history = await aliceApi.sessions.history();
    expect(history.map((h) => [h.id, h.state, h.passed, h.total])).toEqual([
      [next.id, "ready", 1, 2],
      [old.id, "ended", 1, 2],
    ]);
  });

  it("refuses to reset a session that is not running, with a sentence", async () => {
    const history = await aliceApi.sessions.history();
    const ended = history.find((h) => h.state === "ended")!;
    await expect(aliceApi.sessions.reset({ id: ended.id })).rejects.toThrow("Only a running lab can be reset.");
  });
});
