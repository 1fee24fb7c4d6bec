/** The soak's closing figures and the verdict of each invariant, as plain lines. */
import os from "node:os";
import { percentile } from "../stats";
import type { SessionRow } from "./database";
import type { FaultKind, SoakOptions } from "./options";
import type { SoakRecord } from "./record";
import type { Check } from "./verify";

/** A node normally starts in about a second (warm: at once); beyond this the engine is struggling. */
const SLOW_START_MS = 20_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(" ");

export function loadAverage(): number[] {
  return os.loadavg();
}

/** Seconds from each node kill until its learner's terminal answered on the replacement. */
function recoveryTimes(record: SoakRecord): number[] {
  const out: number[] = [];
  for (const f of record.faults) {
    if (f.kind !== "kill-node" || !f.sessionId || f.missed) continue;
    const r = record.recoveries.find((x) => x.from.includes(f.sessionId!) && x.at >= f.at);
    if (r) out.push(r.at - f.at);
  }
  return out;
}

export interface Figures {
  options: SoakOptions;
  sessions: SessionRow[];
  record: SoakRecord;
  loadBefore: number[];
  loadAfter: number[];
  serverErrors: Map<string, number>;
  elapsedMs: number;
}

export function printFigures(f: Figures): void {
  const { record, options } = f;
  const replaced = f.sessions.filter((s) => s.replacedById).length;
  const byKind = new Map<FaultKind, { done: number; missed: number }>();
  for (const x of record.faults) {
    const k = byKind.get(x.kind) ?? { done: 0, missed: 0 };
    if (x.missed) k.missed++;
    else k.done++;
    byKind.set(x.kind, k);
  }
  const recovered = recoveryTimes(record);
  const echo = record.echoMs;
  console.log(`\n== soak figures: ${options.learners} learners, ${options.minutes} min, ${options.labs.join(", ")}; ran ${seconds(f.elapsedMs)} ==`);
  console.log(`sessions started: ${f.sessions.length} (${record.labStarts} by learners, ${replaced} replacements of a dead node)`);
  if (record.startToReadyMs.length)
    console.log(`Start lab to a ready node: p50 ${seconds(percentile(record.startToReadyMs, 50))}, max ${seconds(Math.max(...record.startToReadyMs))} (${record.startToReadyMs.length} starts)`);
  if (!record.startToReadyMs.length || percentile(record.startToReadyMs, 50) > SLOW_START_MS) {
    console.log(
      `  (nodes ${record.startToReadyMs.length ? "took long" : "never became ready"}: the sandbox engine is not keeping up, and the checks below say more about it than about recovery; docs/testing.md, "The soak")`,
    );
  }
  console.log(`faults injected: ${[...byKind].map(([k, v]) => `${k} ${v.done}${v.missed ? ` (+${v.missed} missed)` : ""}`).join(", ") || "none"}`);
  const followed = record.recoveries.filter((r) => !r.startedAgain).length;
  console.log(
    `recoveries: ${record.recoveries.length} times a learner was back on a working node after losing theirs (${followed} by following replacedBy to the fresh node, ${record.recoveries.length - followed} by starting the lab again)` +
      (recovered.length ? `; node kill to terminal answering again: p50 ${seconds(percentile(recovered, 50))}, max ${seconds(Math.max(...recovered))}` : ""),
  );
  if (record.successorWaitMs.length)
    console.log(
      `successor named after the old session said "replaced" (as learners saw it): p50 ${seconds(percentile(record.successorWaitMs, 50))}, max ${seconds(Math.max(...record.successorWaitMs))}`,
    );
  if (record.restartMs.length)
    console.log(`server restarts: ${record.restartMs.length}, kill -9 to ready: p50 ${seconds(percentile(record.restartMs, 50))}, max ${seconds(Math.max(...record.restartMs))}`);
  console.log(`tasks passed: ${record.tasksPassed}`);
  console.log(
    echo.length
      ? `echo latency (n=${echo.length}): p50 ${percentile(echo, 50).toFixed(0)} ms, p99 ${percentile(echo, 99).toFixed(0)} ms, max ${Math.max(...echo).toFixed(0)} ms`
      : "echo latency: no sample",
  );
  const errors = [...record.errors].sort((a, b) => b[1] - a[1]);
  console.log(`what learners met (around faults): ${errors.map(([k, n]) => `${k} ${n}`).join(", ") || "nothing"}`);
  const serverErrors = [...f.serverErrors].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (serverErrors.length) console.log(`server warnings and errors: ${serverErrors.map(([m, n]) => `${n}x ${JSON.stringify(m.slice(0, 120))}`).join("; ")}`);
  console.log(`load average (1, 5, 15 min): before ${load(f.loadBefore)}, after ${load(f.loadAfter)} (${os.cpus().length} cores)`);
}

/** Prints each check; returns how many failed. */
export function printChecks(checks: Check[]): number {
  console.log("\n== invariants ==");
  let failed = 0;
  for (const c of checks) {
    if (c.problems.length === 0) {
      console.log(`ok    ${c.name}`);
      continue;
    }
    failed++;
    console.log(`FAIL  ${c.name}`);
    for (const p of c.problems.slice(0, 20)) console.log(`        - ${p}`);
    if (c.problems.length > 20) console.log(`        (${c.problems.length - 20} more)`);
  }
  return failed;
}
