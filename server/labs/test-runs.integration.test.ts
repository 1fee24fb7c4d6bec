/**
 * Integration tier (real Docker, real containerd in the node): "Test this
 * lab" as the server runs it for a stored version. Progress is written to
 * the version as it happens; a lab whose check already passes on a fresh
 * node fails its test, with the reason on the task's line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import type { SessionUser } from "../auth/principal";
import type { LabVersionView } from "./authoring";

const INSTANCE = `t-labtest-${process.pid}`;

/** A one-task lab: write a file. `already` makes the check pass before the solution (a check that proves nothing). */
function fileLab(title: string, already = false): string {
  return `---
title: ${title}
summary: Write one file.
difficulty: beginner
duration: 5m
environment: node
tasks:
  - id: write-it
    title: Write /root/hello
    checks:
      - type: file
        path: ${already ? "/etc/hostname" : "/root/hello"}
    solution: echo hi > /root/hello
---

# ${title}

Write the file.
`;
}

describe("Test this lab (real Docker)", () => {
  let platform: TestPlatform;
  let author: SessionUser;

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: INSTANCE }, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    const me = (await (await platform.signUp("author@example.com")).caller.system.me())!;
    await platform.services.db.prisma.user.update({ where: { id: me.id }, data: { role: "instructor" } });
    author = { ...me, role: "instructor" };
  });
  afterAll(async () => {
    await platform?.services.authoring.shutdown();
    const provider = new DockerProvider({ instance: INSTANCE });
    for (const sb of (await provider.list().catch(() => [])) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  /** Polls the version until its test is no longer running, recording each status seen. */
  async function finished(slug: string, number: number): Promise<{ view: LabVersionView; seen: Set<string> }> {
    const seen = new Set<string>();
    for (let i = 0; i < 1200; i++) {
      const view = await platform.services.authoring.version(author, slug, number);
      seen.add(view.testStatus);
      if (view.testStatus !== "running") return { view, seen };
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("the test did not finish in 5 minutes");
  }

  it("replays a stored version on a fresh node: fail before, solution, pass after; its nodes are removed", async () => {
    const { authoring } = platform.services;
    await authoring.create(author, "writes-a-file", fileLab("Writes a file"), "editor");
    await authoring.startTest(author, "writes-a-file", 1);
    const { view, seen } = await finished("writes-a-file", 1);
    expect(seen.has("running")).toBe(true);
    expect(view.testStatus).toBe("passed");
    const tasks = view.testReport!.lines.filter((l) => l.kind === "task");
    expect(tasks.map((l) => [l.taskId, l.phase, l.ok])).toEqual([
      ["write-it", "before", true],
      ["write-it", "solution", true],
      ["write-it", "after", true],
    ]);
    expect(view.testReport!.lines[0]).toMatchObject({ kind: "sandbox", ok: true, text: expect.stringMatching(/node ready in \d+ ms/) });
    expect(view.testReport!.passed).toBe(true);
    expect(await new DockerProvider({ instance: INSTANCE }).list()).toEqual([]);
    // Passed, so it may be published without a reason.
    await authoring.publish(author, "writes-a-file", 1);
    expect((await platform.services.labs.list()).map((l) => l.slug)).toContain("writes-a-file");
  });

  it("fails a lab whose check passes on a fresh node, saying so on the task's line", async () => {
    const { authoring } = platform.services;
    await authoring.create(author, "proves-nothing", fileLab("Proves nothing", true), "editor");
    await authoring.startTest(author, "proves-nothing", 1);
    const { view } = await finished("proves-nothing", 1);
    expect(view.testStatus).toBe("failed");
    const before = view.testReport!.lines.find((l) => l.taskId === "write-it" && l.phase === "before")!;
    expect(before).toMatchObject({ ok: false, text: expect.stringContaining("already passes before the solution") });
    await expect(authoring.publish(author, "proves-nothing", 1)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("failed") });
  });
});
