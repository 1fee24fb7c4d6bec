/**
 * Pure parsing and normalisation of cgroup v1 and v2 interface files, so a
 * check can say "memory.max equals 33554432" and mean the same thing on both
 * hierarchies. Formats follow the kernel's Documentation/admin-guide/cgroup-v2.rst
 * and cgroup-v1/memory.rst; fixtures live in test/fixtures/cgroup/.
 */

/** Which cgroup hierarchy a host uses for the memory, pids and cpu controllers. */
export type CgroupVersion = 1 | 2;

/** Resources a `cgroup` check can read, named the cgroup v2 way. */
export const CGROUP_RESOURCES = ["memory.max", "memory.high", "memory.current", "pids.max", "cpu.max"] as const;
export type CgroupResource = (typeof CGROUP_RESOURCES)[number];

/** A limit or counter: bytes/pids as a number, or "max" for unlimited. */
export type LimitValue = number | "max";

/** cpu.max normalised: quota per period in microseconds ("max" = no quota). */
export interface CpuMax {
  quota: LimitValue;
  period: number;
}

/**
 * v1 has no "max" keyword for memory: an unlimited memory.limit_in_bytes reads
 * as PAGE_COUNTER_MAX pages in bytes, i.e. 2^63-1 rounded down to the page size
 * (9223372036854771712 with 4 KiB pages). Anything at or above 2^62 cannot be a
 * real limit, so treat it as unlimited rather than pinning one page size.
 */
const V1_UNLIMITED_THRESHOLD = 2n ** 62n;

/** The controller directory a resource lives in on cgroup v1. */
export function controllerOf(resource: CgroupResource): "memory" | "pids" | "cpu" {
  return resource.startsWith("memory.") ? "memory" : resource === "pids.max" ? "pids" : "cpu";
}

/**
 * The interface files to read for `resource` on `version`, or a sentence
 * explaining why the resource does not exist there.
 */
export function filesFor(resource: CgroupResource, version: CgroupVersion): { files: string[] } | { unavailable: string } {
  if (version === 2) return { files: [resource] };
  switch (resource) {
    case "memory.max":
      return { files: ["memory.limit_in_bytes"] };
    case "memory.current":
      return { files: ["memory.usage_in_bytes"] };
    case "pids.max":
      return { files: ["pids.max"] };
    case "cpu.max":
      return { files: ["cpu.cfs_quota_us", "cpu.cfs_period_us"] };
    case "memory.high":
      return {
        unavailable:
          "memory.high is not available on cgroup v1. memory.soft_limit_in_bytes is not the same thing: " +
          "it only guides reclaim under global memory pressure, while memory.high throttles the cgroup as soon as it is crossed.",
      };
  }
}

/** Parses a single integer, tolerating the trailing newline; throws on anything else. */
function parseInteger(text: string, what: string): bigint {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw new Error(`${what}: expected an integer, got ${JSON.stringify(t.slice(0, 40))}`);
  return BigInt(t);
}

function toLimit(n: bigint): LimitValue {
  return n >= V1_UNLIMITED_THRESHOLD ? "max" : Number(n);
}

/** v2 memory.max / memory.high / pids.max (v1 and v2): a number or "max". */
export function parseMaxValue(text: string, what = "value"): LimitValue {
  const t = text.trim();
  return t === "max" ? "max" : toLimit(parseInteger(t, what));
}

/** v1 memory.limit_in_bytes: bytes, with the huge "unlimited" value mapped to "max". */
export function parseV1MemoryLimit(text: string): LimitValue {
  return toLimit(parseInteger(text, "memory.limit_in_bytes"));
}

/** A plain byte counter (v2 memory.current, v1 memory.usage_in_bytes). */
export function parseCounter(text: string, what = "counter"): number {
  const n = parseInteger(text, what);
  if (n < 0n) throw new Error(`${what}: negative counter ${n}`);
  return Number(n);
}

/** v2 cpu.max: "$MAX $PERIOD" where $MAX may be "max"; the period is optional on write but always shown. */
export function parseCpuMax(text: string): CpuMax {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === "") throw new Error(`cpu.max: unexpected ${JSON.stringify(text.trim())}`);
  const quota = parts[0] === "max" ? "max" : Number(parseInteger(parts[0]!, "cpu.max quota"));
  const period = parts[1] === undefined ? 100_000 : Number(parseInteger(parts[1], "cpu.max period"));
  return { quota, period };
}

/** v1 cpu.cfs_quota_us (-1 = no quota) and cpu.cfs_period_us, as cpu.max. */
export function parseV1Cpu(quotaText: string, periodText: string): CpuMax {
  const q = parseInteger(quotaText, "cpu.cfs_quota_us");
  return { quota: q < 0n ? "max" : Number(q), period: Number(parseInteger(periodText, "cpu.cfs_period_us")) };
}

/** cpu.max in the kernel's own v2 notation, e.g. "max 100000" or "50000 100000". */
export function formatCpuMax(c: CpuMax): string {
  return `${c.quota} ${c.period}`;
}

/**
 * Flat keyed files: "key value" per line (v2 memory.events, v1
 * memory.oom_control, memory.stat). Unknown keys are kept, so newer kernels'
 * additions (e.g. oom_group_kill, added in 5.19) do not break parsing.
 */
export function parseKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s+(-?\d+)$/.exec(line.trim());
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** OOM facts of one cgroup, whichever version they came from. */
export interface OomCounters {
  /** Processes killed by the OOM killer in this cgroup (v1: local; v2 memory.events: this cgroup and below). */
  oomKill: number | null;
  /** v2 only: times the cgroup hit memory.max and the OOM killer was invoked. */
  oom: number | null;
  /** v2 only: memory.oom.group kills. */
  oomGroupKill: number | null;
  /** v1 only: the cgroup is OOM right now (under_oom). */
  underOom: boolean | null;
}

/** v2 memory.events: low, high, max, oom, oom_kill, oom_group_kill. */
export function parseMemoryEvents(text: string): OomCounters {
  const k = parseKeyed(text);
  if (!("oom_kill" in k) && !("oom" in k)) throw new Error("memory.events: neither oom nor oom_kill present");
  return { oomKill: k.oom_kill ?? null, oom: k.oom ?? null, oomGroupKill: k.oom_group_kill ?? null, underOom: null };
}

/**
 * v1 memory.oom_control: oom_kill_disable, under_oom and (kernel >= 4.13)
 * oom_kill. v1 counters are local to the cgroup: a parent's oom_kill does not
 * count kills in its children.
 */
export function parseOomControl(text: string): OomCounters {
  const k = parseKeyed(text);
  if (!("under_oom" in k)) throw new Error("memory.oom_control: under_oom missing");
  return { oomKill: k.oom_kill ?? null, oom: null, oomGroupKill: null, underOom: k.under_oom === 1 };
}

/** A resource's normalised value: "max", a number, or cpu.max. */
export type ResourceValue = LimitValue | CpuMax;

/**
 * Normalises the files of `resource` (as listed by {@link filesFor}, same
 * order) to one value.
 */
export function normalise(resource: CgroupResource, version: CgroupVersion, contents: string[]): ResourceValue {
  const [a = "", b = ""] = contents;
  switch (resource) {
    case "memory.max":
      return version === 2 ? parseMaxValue(a, "memory.max") : parseV1MemoryLimit(a);
    case "memory.high":
      if (version === 1) throw new Error("memory.high is not available on cgroup v1");
      return parseMaxValue(a, "memory.high");
    case "memory.current":
      return parseCounter(a, version === 2 ? "memory.current" : "memory.usage_in_bytes");
    case "pids.max":
      return parseMaxValue(a, "pids.max");
    case "cpu.max":
      return version === 2 ? parseCpuMax(a) : parseV1Cpu(a, b);
  }
}

/** Expected value of a cgroup check: equality and/or bounds. */
export interface Expectation {
  equals?: number | string;
  atLeast?: LimitValue;
  atMost?: LimitValue;
}

/** Orders limits with "max" (unlimited) above every number. */
function asComparable(v: LimitValue): number {
  return v === "max" ? Number.POSITIVE_INFINITY : v;
}

/**
 * Compares a normalised value with what the check expects. cpu.max compares
 * in CPUs (quota / period, "max" = unlimited) for numbers, or as the kernel's
 * "quota period" text for strings.
 */
export function compare(value: ResourceValue, want: Expectation): { ok: boolean; shown: string } {
  const isCpu = typeof value === "object";
  const shown = isCpu ? formatCpuMax(value) : String(value);
  const scalar: LimitValue = isCpu ? (value.quota === "max" ? "max" : value.quota / value.period) : value;
  let ok = true;
  if (want.equals !== undefined) {
    if (typeof want.equals === "string" && want.equals !== "max") ok &&= isCpu && shown === want.equals.trim().replace(/\s+/g, " ");
    else ok &&= asComparable(scalar) === asComparable(want.equals as LimitValue);
  }
  if (want.atLeast !== undefined) ok &&= asComparable(scalar) >= asComparable(want.atLeast);
  if (want.atMost !== undefined) ok &&= asComparable(scalar) <= asComparable(want.atMost);
  return { ok, shown };
}

/**
 * Converts an OCI cgroupsPath to a path relative to the cgroup root the
 * runtime used. cgroupfs driver paths ("/k8s.io/c1") are used as they are; the
 * systemd driver's "slice:prefix:name" form becomes
 * "/a.slice/a-b.slice/prefix-name.scope", as runc expands it.
 */
export function cgroupPathFromOci(cgroupsPath: string): string {
  const parts = cgroupsPath.split(":");
  if (parts.length !== 3) return "/" + cgroupsPath.replace(/^\/+/, "");
  const [slice = "", prefix = "", name = ""] = parts;
  const dirs: string[] = [];
  if (slice && slice !== "-.slice") {
    const words = slice.replace(/\.slice$/, "").split("-");
    for (let i = 1; i <= words.length; i++) dirs.push(`${words.slice(0, i).join("-")}.slice`);
  }
  dirs.push(name.endsWith(".slice") ? name : `${prefix ? `${prefix}-` : ""}${name}.scope`);
  return "/" + dirs.join("/");
}
