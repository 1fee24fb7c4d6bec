/**
 * The soak's command line. Defaults are the full run (50 learners,
 * 10 minutes, every fault); --short is the form CI runs.
 */
import { parseArgs } from "node:util";

export const FAULT_KINDS = ["kill-node", "restart-server", "drop-db", "fill-disk"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SoakOptions {
  learners: number;
  minutes: number;
  /** Labs learners are given, round robin. */
  labs: string[];
  /** Seconds between faults (every enabled kind comes round in turn); null: spread `faultRounds` rounds over the run. */
  faultEverySeconds: number | null;
  /** Rounds of every kind when the spacing is not given. */
  faultRounds: number;
  faults: FaultKind[];
  /** Warm nodes the server keeps (POOL_SIZE). */
  poolSize: number;
  /** Each node's disk cap (SANDBOX_DISK_MB), which the disk fault fills. */
  diskMb: number;
  /** Keep the data directory and server log after the run (they are printed). */
  keepLogs: boolean;
}

export const USAGE = `Usage: npm run soak -- [--short] [--learners N] [--minutes M] [--labs a,b]
       [--fault-every SECONDS] [--no-kill-node] [--no-restart-server] [--no-drop-db] [--no-fill-disk]
       [--pool N] [--disk-mb MB] [--keep-logs]

  --short          the CI form: 6 learners for 2 minutes, every fault kind at least once
  --learners N     simulated learners (default 50)
  --minutes M      how long they work while faults are injected (default 10)
  --labs a,b       node labs to give learners, round robin (default meet-your-node,first-container)
  --fault-every S  seconds between faults (default: 3 rounds of every kind spread over the run, 1 with --short)
  --no-<kind>      leave one kind of fault out: kill-node, restart-server, drop-db, fill-disk
  --pool N         POOL_SIZE of the server (default 2)
  --disk-mb MB     SANDBOX_DISK_MB of the server, the cap the disk fault fills (default 1024)
  --keep-logs      keep the server's data directory, its log and the soak's events (kept anyway when the run fails)`;

/** Reads the flags; throws a sentence on a bad one. */
export function parseSoakOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      short: { type: "boolean", default: false },
      learners: { type: "string" },
      minutes: { type: "string" },
      labs: { type: "string", default: "meet-your-node,first-container" },
      "fault-every": { type: "string" },
      "no-kill-node": { type: "boolean", default: false },
      "no-restart-server": { type: "boolean", default: false },
      "no-drop-db": { type: "boolean", default: false },
      "no-fill-disk": { type: "boolean", default: false },
      pool: { type: "string", default: "2" },
      // Not the platform's 4096: filling and freeing a node's disk is metadata
      // work for the engine's btrfs (quota groups), shared by every node on
      // the machine; 1 GiB proves the cap as well at a quarter of the cost.
      "disk-mb": { type: "string", default: "1024" },
      "keep-logs": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) throw new UsageRequested();
  const learners = whole("--learners", values.learners ?? (values.short ? "6" : "50"), 1, 500);
  const minutes = positive("--minutes", values.minutes ?? (values.short ? "2" : "10"));
  const faults = FAULT_KINDS.filter((k) => !values[`no-${k}`]);
  const labs = values.labs
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (labs.length === 0) throw new Error("--labs needs at least one lab slug.");
  const faultEverySeconds = values["fault-every"] === undefined ? null : positive("--fault-every", values["fault-every"]);
  return {
    learners,
    minutes,
    labs,
    faultEverySeconds,
    faultRounds: values.short ? 1 : 3,
    faults,
    poolSize: whole("--pool", values.pool, 0, 50),
    diskMb: whole("--disk-mb", values["disk-mb"], 768, 1_048_576),
    keepLogs: values["keep-logs"],
  };
}

/** Seconds before the first fault: learners sign up and get their nodes. */
export function warmupSeconds(minutes: number): number {
  return Math.min(30, minutes * 60 * 0.15);
}

/** Seconds without faults at the end, so the last recovery is finished and seen. */
export function quietSeconds(minutes: number): number {
  return Math.min(30, minutes * 60 * 0.2);
}

export class UsageRequested extends Error {}

function whole(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be a whole number from ${min} to ${max} (got "${text}").`);
  return n;
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number (got "${text}").`);
  return n;
}
