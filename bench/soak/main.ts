/**
 * `npm run soak`: simulated learners work on real nodes of the production
 * server while faults are injected on a schedule, then the run is checked
 * for what must hold whatever happened (docs/testing.md, "The soak").
 *
 *   npm run soak                      50 learners, 10 minutes, every fault
 *   npm run soak -- --short           the CI form (6 learners, 2 minutes)
 *   npm run soak -- --help            every flag
 *
 * Exits 1 when an invariant fails (each failure is printed), 2 on bad flags.
 * Everything it starts (PostgreSQL, the server, nodes, cgroups, temp
 * directories) is removed at the end, also on failure and on Ctrl-C.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { preferSandboxEngine } from "../../server/sandbox/providers/docker/sandbox-engine";
import { freePort } from "../../test/support/postgres";
import { closeRun } from "./closing";
import { SoakDatabase } from "./database";
import { runFaults } from "./faults";
import { HostState } from "./host-state";
import { LabPlan } from "./lab-plan";
import { Learner } from "./learner";
import { parseSoakOptions, quietSeconds, UsageRequested, USAGE, warmupSeconds, type SoakOptions } from "./options";
import { SoakRecord } from "./record";
import { loadAverage, printChecks, printFigures } from "./report";
import { ServerProcess } from "./server";
import type { Check } from "./verify";

const root = path.resolve(__dirname, "../..");
const labsDir = path.join(root, "labs");
/** Learners start this far apart, as a class trickles in (and 2 cores are not swamped by 50 node starts at once). */
const START_STAGGER_MS = 500;

function options(): SoakOptions {
  try {
    return parseSoakOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageRequested)) console.error((err as Error).message);
    console.error(USAGE);
    process.exit(err instanceof UsageRequested ? 0 : 2);
  }
}

/** Prints a line of progress every 30 s while learners work. */
function progress(record: SoakRecord, learners: Learner[], t0: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const ready = learners.filter((l) => l.session?.state === "ready").length;
    console.log(
      `[soak] +${Math.round((Date.now() - t0) / 1000)} s: ${ready}/${learners.length} learners on a ready node, ${record.tasksPassed} tasks passed, ${record.echoMs.length} echoes, ${record.faults.length} faults, load ${os.loadavg()[0]!.toFixed(2)}`,
    );
  }, 30_000);
  timer.unref();
  return timer;
}

async function main(): Promise<number> {
  const opts = options();
  preferSandboxEngine();
  if (!fs.existsSync(path.join(root, ".next/BUILD_ID"))) {
    console.log("[soak] no production build: running `npx next build` first");
    if (spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit" }).status !== 0) throw new Error("next build failed");
  }
  const plans = opts.labs.map((slug) => LabPlan.load(labsDir, slug));
  const loadBefore = loadAverage();
  const runId = Date.now().toString(36);
  const instance = `soak-${runId}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-soak-"));
  const host = new HostState(instance);
  const record = new SoakRecord();
  let db: SoakDatabase | undefined;
  let server: ServerProcess | undefined;

  let ticker: NodeJS.Timeout | undefined;
  let keep = opts.keepLogs;
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      clearInterval(ticker);
      server?.forceStop();
      await host.removeAll();
      await db?.stop().catch((err: unknown) => console.error(`[soak] cleanup: PostgreSQL: ${(err as Error).message}`));
      if (keep) {
        fs.writeFileSync(path.join(dataDir, "soak-events.log"), record.events.join("\n") + "\n");
        console.log(`[soak] kept ${dataDir}: the server's log (logs/server.log) and what the soak saw (soak-events.log)`);
      } else fs.rmSync(dataDir, { recursive: true, force: true });
    })());
  let learners: Learner[] = [];
  let interrupted = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`[soak] ${signal}: cleaning up`);
      interrupted = true;
      for (const l of learners) l.stop();
      void cleanup().finally(() => process.exit(130));
    });
  }

  const started = Date.now();
  try {
    console.log(
      `[soak] ${opts.learners} learners, ${opts.minutes} min, labs ${opts.labs.join(", ")}; faults ${opts.faults.join(", ") || "none"} ${opts.faultEverySeconds === null ? `(${opts.faultRounds} round${opts.faultRounds > 1 ? "s" : ""})` : `every ${opts.faultEverySeconds} s`}; instance ${instance}`,
    );
    db = await SoakDatabase.start();
    server = new ServerProcess({ port: await freePort(), dataDir, databaseUrl: db.url, instance, poolSize: opts.poolSize, maxSandboxes: opts.learners + opts.poolSize + 4, diskMb: opts.diskMb });
    await server.start();
    console.log(`[soak] server ready at ${server.url} (PostgreSQL ${db.url.replace(/\/\/[^@]*@/, "//")})`);

    learners = Array.from({ length: opts.learners }, (_, i) => new Learner(i, runId, server!.url, plans[i % plans.length]!, record));
    const t0 = Date.now();
    const end = t0 + opts.minutes * 60_000;
    ticker = progress(record, learners, t0);
    let fatal: Error | undefined;
    const schedule = {
      kinds: opts.faults,
      everyMs: opts.faultEverySeconds === null ? null : opts.faultEverySeconds * 1000,
      rounds: opts.faultRounds,
      startAt: t0 + warmupSeconds(opts.minutes) * 1000,
      stopAt: end - quietSeconds(opts.minutes) * 1000,
      t0,
    };
    const faults = runFaults({ server, db, docker: host.docker, learners, record, stopped: () => interrupted }, schedule).catch((err: unknown) => {
      fatal = err as Error;
    });
    await Promise.all([
      faults,
      ...learners.map(async (l, i) => {
        await new Promise((r) => setTimeout(r, i * START_STAGGER_MS));
        await l.signUpAndStart();
        await l.work(end);
      }),
    ]);
    const loadAfter = loadAverage();
    if (fatal) throw fatal;
    if (interrupted) return new Promise<number>(() => {}); // the signal's cleanup ends the process

    console.log(`[soak] +${Math.round((Date.now() - t0) / 1000)} s: time is up; learners settle, then the checks`);
    const checks: Check[] = await closeRun(learners, db, host, server, { dataDir, databaseUrl: db.url, instance, labsDir });
    clearInterval(ticker);
    checks.push({ name: "nothing went wrong that breaks an invariant while learners worked", problems: record.problems });
    checks.push({
      name: "every fault kind asked for was injected at least once",
      problems: opts.faults.filter((k) => !record.faults.some((f) => f.kind === k && !f.missed)).map((k) => `${k}: never injected (no target in the whole window)`),
    });
    printFigures({ options: opts, sessions: await db.sessions(), record, loadBefore, loadAfter, serverErrors: server.errorLines, elapsedMs: Date.now() - started });
    const failed = printChecks(checks);
    console.log(failed ? `\nsoak: FAILED (${failed} invariant${failed === 1 ? "" : "s"})` : "\nsoak: passed");
    if (failed) keep = true;
    return failed ? 1 : 0;
  } catch (err) {
    keep = true;
    throw err;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[soak] FAILED: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
