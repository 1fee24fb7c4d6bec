import { vi } from "vitest";
import type { LabDefinition } from "../../server/labs/catalog";
import type { TestLine, TestReport } from "../../server/labs/test-runs";
import type { Services } from "../../server/services";

/** What a fake "Test this lab" run reports: its lines, one every `stepMs`, then passed or not. */
export interface FakeRun {
  lines: Omit<TestLine, "at">[];
  passed: boolean;
  stepMs?: number;
}

/** The lines a real run of a lab that passes would write: a node, then each task's three phases. */
export function passingRun(lab: LabDefinition): FakeRun {
  return {
    passed: true,
    lines: [
      { kind: "sandbox", ok: true, text: "node ready in 640 ms (cgroup v2)" },
      ...lab.tasks.flatMap((t) => [
        { kind: "task" as const, taskId: t.id, phase: "before" as const, ok: true, text: "checks fail before the solution, as they should", durationMs: 120 },
        { kind: "task" as const, taskId: t.id, phase: "solution" as const, ok: true, text: "solution ran", durationMs: 900 },
        { kind: "task" as const, taskId: t.id, phase: "after" as const, ok: true, text: "checks pass after the solution", durationMs: 80 },
      ]),
    ],
  };
}

/**
 * Replaces the server's lab test runs (a fresh node per run: Docker) with
 * runs that write the same progress to the version's row, line by line, as
 * LabTestRuns does (server/labs/test-runs.ts), so the REST API and
 * `labs push` are exercised in milliseconds without Docker. What the real
 * runs do on a node is tested where Docker is (server/labs, server/grading).
 */
export function fakeLabTests(services: Services, script: (lab: LabDefinition) => FakeRun = passingRun) {
  const prisma = services.db.prisma;
  const runs: Promise<void>[] = [];
  const started: string[] = [];
  const spy = vi.spyOn(services.authoring.tests, "start").mockImplementation(async (versionId, lab, user) => {
    started.push(lab.slug);
    const now = new Date().toISOString();
    const report: TestReport = { startedAt: now, beatAt: now, by: user.name, lines: [] };
    await prisma.labVersion.update({ where: { id: versionId }, data: { testStatus: "running", testReport: report as object } });
    const run = script(lab);
    runs.push(
      (async () => {
        const t0 = Date.now();
        for (const line of run.lines) {
          await new Promise((resolve) => setTimeout(resolve, run.stepMs ?? 150));
          report.lines.push({ ...line, at: Date.now() - t0 });
          report.beatAt = new Date().toISOString();
          await prisma.labVersion.update({ where: { id: versionId }, data: { testReport: report as object } });
        }
        Object.assign(report, { passed: run.passed, durationMs: Date.now() - t0, cgroupVersion: 2, finishedAt: new Date().toISOString() });
        await prisma.labVersion.update({ where: { id: versionId }, data: { testStatus: run.passed ? "passed" : "failed", testReport: report as object } });
      })(),
    );
  });
  return {
    /** Slugs whose test was started, in order. */
    started,
    /** Waits for every run started so far to finish writing. */
    settled: () => Promise.allSettled(runs),
    restore: () => spy.mockRestore(),
  };
}
