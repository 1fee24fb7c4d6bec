// Prints per-tier counts from the vitest and Playwright JSON reports, and one
// closing line "total: N passed, N failed, N skipped" that CI reads.
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
const read = (f) => (fs.existsSync(path.join(dir, f)) ? JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) : undefined);
const tiers = [];
// Skipped tests are named, with the reason their titles carry, so no skip is quiet.
const skippedNames = [];
// The cgroup v2 tier (scripts/cgroup-v2-vm/tier.sh) leaves the same reports
// in v2/, or v2-skipped.txt saying why it did not run.
const vitestReports = [
  ["unit.json", "unit"],
  ["integration.json", "integration"],
  ["v2/integration.json", "v2 integration"],
  ["v2/integration-systemd.json", "v2 systemd"],
];
for (const [file, tier] of vitestReports) {
  const r = read(file);
  if (!r) continue;
  tiers.push({ tier, passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests });
  for (const f of r.testResults ?? []) {
    for (const a of f.assertionResults ?? []) {
      if (a.status === "skipped" || a.status === "pending" || a.status === "todo") skippedNames.push(`${tier}: ${path.relative(process.cwd(), f.name)}: ${a.fullName}`);
    }
  }
}
// `labs test` ends with "labs: N passed, N failed".
if (fs.existsSync(path.join(dir, "labs.txt"))) {
  const m = /labs: (\d+) passed, (\d+) failed/.exec(fs.readFileSync(path.join(dir, "labs.txt"), "utf8"));
  if (m) tiers.push({ tier: "labs", passed: Number(m[1]), failed: Number(m[2]), skipped: 0 });
}
const e2e = read("e2e.json");
if (e2e) {
  const s = e2e.stats;
  tiers.push({ tier: "e2e", passed: s.expected, failed: s.unexpected + s.flaky, skipped: s.skipped });
}
// The compose smoke test and the soak write "<tier>: N passed, N failed, N skipped".
for (const tier of ["compose", "soak"]) {
  const file = path.join(dir, `${tier}.txt`);
  if (!fs.existsSync(file)) continue;
  const m = new RegExp(`${tier}: (\\d+) passed, (\\d+) failed, (\\d+) skipped`).exec(fs.readFileSync(file, "utf8"));
  if (m) tiers.push({ tier, passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) });
}
if (fs.existsSync(path.join(dir, "v2/labs.txt"))) {
  const m = /labs: (\d+) passed, (\d+) failed/.exec(fs.readFileSync(path.join(dir, "v2/labs.txt"), "utf8"));
  tiers.push(m ? { tier: "v2 labs", passed: Number(m[1]), failed: Number(m[2]), skipped: 0 } : { tier: "v2 labs", passed: 0, failed: 1, skipped: 0 });
}
if (fs.existsSync(path.join(dir, "v2-skipped.txt"))) {
  tiers.push({ tier: "v2", passed: 0, failed: 0, skipped: 1 });
  skippedNames.push(`v2: ${fs.readFileSync(path.join(dir, "v2-skipped.txt"), "utf8").trim()}`);
}
let total = { passed: 0, failed: 0, skipped: 0 };
for (const t of tiers) {
  console.log(`${t.tier.padEnd(15)} ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  total = { passed: total.passed + t.passed, failed: total.failed + t.failed, skipped: total.skipped + t.skipped };
}
for (const name of skippedNames) console.log(`SKIPPED ${name}`);
console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
