import type { PrismaClient } from "../generated/prisma/client";
import type { SessionUser } from "../auth/principal";
import { DomainError } from "../errors";
import { testLab, type LabTestEvent } from "../grading/lab-test";
import type { SandboxEnvironment, SandboxProvider } from "../sandbox/provider";
import type { LabDefinition } from "./catalog";
import type { LabCatalogService } from "./service";

/**
 * "Test this lab" on a running platform: the replay `labs test` does (each
 * task's checks fail, its solution runs, its checks pass, on a fresh node),
 * run by the server for a stored version. Progress is written to the
 * version's row as it happens, so whichever app instance a browser or
 * `labs push` asks answers the same, and a run survives nothing it should
 * not: a run whose heartbeat stops (its server died) reads as interrupted
 * and may be started again.
 */

export type TestStatus = "untested" | "running" | "passed" | "failed" | "interrupted";

/** One line of a run, as the editor and `labs push` print it. */
export interface TestLine {
  /** Milliseconds since the run started. */
  at: number;
  kind: "sandbox" | "task" | "error";
  taskId?: string;
  phase?: "before" | "solution" | "after";
  ok: boolean;
  text: string;
  durationMs?: number;
}

export interface TestReport {
  startedAt: string;
  /** Refreshed while the run lives; a stale one means its server stopped. */
  beatAt: string;
  finishedAt?: string;
  /** Who started it (a name, for the editor). */
  by: string;
  lines: TestLine[];
  passed?: boolean;
  durationMs?: number;
  cgroupVersion?: number | null;
  tasks?: { taskId: string; ok: boolean; failure?: string }[];
}

/** Tests at once per app instance: each holds a node (two with other ways to replay) on a small host. */
export const MAX_TEST_RUNS = 2;
const BEAT_MS = 10_000;
/** A running test whose heartbeat is older than this died with its server. */
const STALE_MS = 6 * BEAT_MS;

export interface TestRunDeps {
  prisma: PrismaClient;
  labs: LabCatalogService;
  providerFor: (environment: SandboxEnvironment) => SandboxProvider | undefined;
  log: (msg: string) => void;
}

export class LabTestRuns {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: TestRunDeps) {}

  /** The status a reader should see: a "running" run whose heartbeat stopped is interrupted. */
  statusOf(stored: string, report: unknown, now = Date.now()): TestStatus {
    if (stored !== "running") return (["untested", "passed", "failed", "interrupted"] as const).find((s) => s === stored) ?? "untested";
    const beat = Date.parse((report as TestReport | null)?.beatAt ?? "");
    return Number.isFinite(beat) && now - beat < STALE_MS ? "running" : "interrupted";
  }

  /**
   * Starts a run of version `versionId` in the background. A run of that
   * version already going (here or on another instance) is left to finish.
   */
  async start(versionId: string, lab: LabDefinition, user: SessionUser): Promise<void> {
    if (this.running.has(versionId)) return;
    const provider = this.deps.providerFor(lab.environment);
    if (!provider) {
      throw new DomainError(
        "UNAVAILABLE",
        lab.environment === "cluster"
          ? "This server cannot make kind clusters, so cluster labs cannot be tested here. Test it where kind runs (`labs test`), or publish with the reason it is untested."
          : "This server cannot create sandboxes right now, so the lab cannot be tested.",
      );
    }
    if (this.running.size >= MAX_TEST_RUNS) throw new DomainError("CAPACITY", `${MAX_TEST_RUNS} lab tests are running on this server; try again when one has finished (a test takes about a minute).`);
    const now = new Date();
    const report: TestReport = { startedAt: now.toISOString(), beatAt: now.toISOString(), by: user.name, lines: [] };
    const row = await this.deps.prisma.labVersion.findUnique({ where: { id: versionId }, select: { testStatus: true, testReport: true } });
    if (row && this.statusOf(row.testStatus, row.testReport) === "running") return;
    await this.deps.prisma.labVersion.update({ where: { id: versionId }, data: { testStatus: "running", testReport: report as object } });
    const run = this.run(versionId, lab, provider, report).finally(() => this.running.delete(versionId));
    this.running.set(versionId, run);
  }

  private async run(versionId: string, lab: LabDefinition, provider: SandboxProvider, report: TestReport): Promise<void> {
    const t0 = performance.now();
    // Writes are chained: each carries every line so far, in order.
    let writes = Promise.resolve();
    const write = (status: TestStatus) => {
      report.beatAt = new Date().toISOString();
      const snapshot = JSON.parse(JSON.stringify(report)) as object;
      writes = writes
        .then(() => this.deps.prisma.labVersion.update({ where: { id: versionId }, data: { testStatus: status, testReport: snapshot } }))
        .then(
          () => {},
          (err: unknown) => this.deps.log(`labs: could not record the test of ${lab.slug}: ${String(err)}`),
        );
      return writes;
    };
    const beat = setInterval(() => void write("running"), BEAT_MS);
    beat.unref();
    const at = () => Math.round(performance.now() - t0);
    try {
      const result = await testLab(lab, provider, {
        ways: "all",
        runId: versionId.slice(-12),
        onEvent: (e) => {
          report.lines.push(lineOf(e, at()));
          void write("running");
        },
      });
      report.passed = result.passed;
      report.tasks = result.tasks;
      report.cgroupVersion = result.cgroupVersion;
    } catch (err) {
      report.passed = false;
      report.lines.push({ at: at(), kind: "error", ok: false, text: `the test could not run: ${(err as Error).message}` });
    } finally {
      clearInterval(beat);
    }
    report.durationMs = at();
    report.finishedAt = new Date().toISOString();
    this.deps.log(`labs: test of ${lab.slug} ${report.passed ? "passed" : "failed"} in ${(report.durationMs / 1000).toFixed(1)} s`);
    await write(report.passed ? "passed" : "failed");
  }

  /** Waits for runs in progress (they remove their nodes) before the server stops. */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}

function lineOf(e: LabTestEvent, at: number): TestLine {
  if (e.kind === "sandbox") return { at, kind: "sandbox", ok: true, text: `node ready in ${e.readyMs} ms (cgroup v${e.cgroupVersion})${e.purpose ? ` for ${e.purpose}` : ""}` };
  return { at, kind: "task", taskId: e.taskId, phase: e.phase, ok: e.ok, text: e.detail, durationMs: e.durationMs };
}
