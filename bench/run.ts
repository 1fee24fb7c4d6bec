/**
 * `npm run bench`: every benchmark, one after another (each in its own
 * process so one's sandboxes and timers cannot skew the next). Benchmarks
 * print plain numbers next to their targets; they are not pass/fail tests.
 *
 *   npm run bench               all
 *   npm run bench -- sessions   only the named ones
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { preferSandboxEngine } from "../server/sandbox/providers/docker/sandbox-engine";

// Benchmarks measure nodes where the platform runs them (inherited by each run).
preferSandboxEngine();

const ALL: { name: string; file: string; what: string; args?: string[] }[] = [
  { name: "sandbox", file: "sandbox.ts", what: "cold provision, idle memory, concurrent sandboxes" },
  { name: "isolation", file: "isolation.ts", what: "containment's cost: ordinary engine vs the sandbox engine, same run" },
  { name: "sessions", file: "sessions.ts", what: "warm claim through the session service" },
  { name: "terminal", file: "terminal.ts", what: "terminal gateway throughput and echo latency" },
  { name: "checks", file: "checks.ts", what: "evaluating all checks of a lab" },
  { name: "events", file: "events.ts", what: "grading a class: evaluations performed vs expected, server and engine CPU, idle and busy sessions" },
  { name: "browser", file: "browser.ts", what: "what a learner feels in Chromium: Start → prompt, Enter → task green" },
  { name: "browser-cold", file: "browser.ts", args: ["5", "--cold"], what: "the same with no warm pool: Start → prompt when every start provisions a node" },
  { name: "authoring", file: "authoring.ts", what: "what an author feels in the browser editor: key → problem shown, Test this lab → verdict, Publish → in the catalog" },
  { name: "cohorts", file: "cohorts.ts", what: "the instructor's results matrix and CSV at class sizes" },
];

const wanted = process.argv.slice(2);
const selected = ALL.filter((b) => (wanted.length ? wanted.includes(b.name) : true));
let failed = 0;
for (const b of selected) {
  const file = path.join(__dirname, b.file);
  if (!fs.existsSync(file)) {
    console.log(`\n== ${b.name}: not present (${b.file}) ==`);
    continue;
  }
  console.log(`\n== ${b.name}: ${b.what} ==`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", file, ...(b.args ?? [])], { stdio: "inherit" });
  console.log(`(${b.name} took ${((Date.now() - started) / 1000).toFixed(1)} s${r.status ? `, exit ${r.status}` : ""})`);
  if (r.status) failed++;
}
process.exit(failed ? 1 : 0);
