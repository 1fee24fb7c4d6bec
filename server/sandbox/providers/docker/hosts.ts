/**
 * The configured list of Docker hosts sandboxes are spread over
 * (DOCKER_HOSTS), parsed and validated with every problem reported at once.
 *
 * Two forms, because a short list fits in one variable and a long one reads
 * better as a file:
 *
 *   a=unix:///var/run/docker.sock;max=20,b=tcp://10.0.0.2:2376;memory=48g;tls=/etc/labs/b
 *   [{"name":"a","endpoint":"unix:///var/run/docker.sock","max":20}, ...]   (inline, or a path to a .json file)
 *
 * Capacity is either a number of sandboxes (`max`), a memory budget for
 * sandboxes (`memory`, converted into sandboxes at the node memory limit), or
 * both (the smaller wins). Without either, the host allows what fits in 80% of
 * its memory, as a single host does.
 */
import fs from "node:fs";
import { z } from "zod";

/** One Docker endpoint sandboxes may be placed on. */
export interface DockerHostConfig {
  /** Short name recorded on sessions and in messages ("a", "rack-2"). */
  name: string;
  /** unix:///path, tcp://host:port, http(s)://host:port. */
  endpoint: string;
  /** Most sandboxes this host may hold. */
  maxSandboxes?: number;
  /** Memory this host may give to sandboxes, in bytes. */
  memoryBytes?: number;
  /** Directory with ca.pem, cert.pem and key.pem for a TLS endpoint. */
  tlsDir?: string;
}

/** Raised for a bad DOCKER_HOSTS; `issues` names every problem. */
export class HostsConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`DOCKER_HOSTS is not valid:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "HostsConfigError";
  }
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "48g", "512m", "1.5g", "1073741824" -> bytes (binary units, as `docker run --memory`); null if unreadable. */
export function parseMemory(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return null;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  return bytes > 0 ? bytes : null;
}

const hostSchema = z
  .object({
    name: z.string({ error: "needs a name" }).regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "name must be lowercase letters, digits and dashes (at most 32)"),
    endpoint: z.string({ error: "needs an endpoint" }).regex(/^(unix:\/\/\/.+|tcp:\/\/[^/]+|https?:\/\/[^/]+)$/, "endpoint must be unix:///path, tcp://host:port or https://host:port"),
    max: z.number({ error: "max must be a whole number of sandboxes" }).int("max must be a whole number of sandboxes").min(1, "max must be at least 1").optional(),
    memory: z
      .union([z.number(), z.string()], { error: "memory must be a size such as 48g or 512m" })
      .transform((v, ctx) => {
        const bytes = typeof v === "number" ? (Number.isInteger(v) && v > 0 ? v : null) : parseMemory(v);
        if (bytes === null) {
          ctx.addIssue({ code: "custom", message: `memory must be a size such as 48g or 512m (got ${JSON.stringify(v)})` });
          return z.NEVER;
        }
        return bytes;
      })
      .optional(),
    tls: z.string({ error: "tls must be a directory path" }).min(1, "tls must be a directory path").optional(),
  })
  .strict();

const listSchema = z.array(hostSchema, { error: "must be a list of hosts" }).min(1, "must name at least one host");

type RawHost = Record<string, unknown>;

/** Splits the short form into raw host objects; problems go to `issues`. */
function splitShortForm(text: string, issues: string[]): RawHost[] {
  const out: RawHost[] = [];
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter(Boolean);
  for (const [i, entry] of entries.entries()) {
    const eq = entry.indexOf("=");
    if (eq <= 0) {
      issues.push(`host ${i + 1} ("${entry}") must look like name=endpoint, e.g. a=unix:///var/run/docker.sock;max=20`);
      continue;
    }
    const [endpoint, ...options] = entry
      .slice(eq + 1)
      .split(";")
      .map((p) => p.trim());
    const raw: RawHost = { name: entry.slice(0, eq).trim(), endpoint };
    for (const option of options.filter(Boolean)) {
      const [key, value = ""] = option.split("=", 2).map((p) => p.trim()) as [string, string?];
      if (key === "max") raw.max = /^\d+$/.test(value) ? Number(value) : value;
      else if (key === "memory" || key === "tls") raw[key] = value;
      else issues.push(`host ${i + 1} ("${raw.name}"): unknown option "${key}" (expected max, memory or tls)`);
    }
    out.push(raw);
  }
  return out;
}

/** Reads the JSON form, inline or from a file; problems go to `issues`. */
function readJsonForm(text: string, readFile: (file: string) => string, issues: string[]): unknown {
  const inline = /^[[{]/.test(text.trimStart());
  let source = text;
  if (!inline) {
    try {
      source = readFile(text.trim());
    } catch (err) {
      issues.push(`the file ${text.trim()} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return undefined;
    }
  }
  try {
    return JSON.parse(source);
  } catch (err) {
    issues.push(`${inline ? "the inline list" : `the file ${text.trim()}`} is not valid JSON: ${(err as Error).message}`);
    return undefined;
  }
}

/** True when the value names a JSON list (inline or a file) rather than the short form. */
function isJsonForm(text: string): boolean {
  const t = text.trim();
  return /^[[{]/.test(t) || t.endsWith(".json") || ((t.startsWith("/") || t.startsWith(".")) && !t.includes("="));
}

/**
 * Parses DOCKER_HOSTS. Throws {@link HostsConfigError} listing every problem
 * (bad names, endpoints, capacities, duplicates, unreadable files).
 */
export function parseDockerHosts(text: string, readFile: (file: string) => string = (file) => fs.readFileSync(file, "utf8")): DockerHostConfig[] {
  const issues: string[] = [];
  const raw = isJsonForm(text) ? readJsonForm(text, readFile, issues) : splitShortForm(text, issues);
  if (raw === undefined) throw new HostsConfigError(issues);
  const parsed = listSchema.safeParse(raw);
  if (!parsed.success) {
    const list = Array.isArray(raw) ? (raw as RawHost[]) : [];
    for (const issue of parsed.error.issues) {
      const [index, key] = issue.path;
      if (typeof index !== "number") {
        issues.push(issue.message);
        continue;
      }
      const name = list[index]?.name;
      const who = `host ${index + 1}${typeof name === "string" && name ? ` ("${name}")` : ""}`;
      const message = issue.code === "unrecognized_keys" ? `unknown option(s) ${issue.keys.map((k) => `"${k}"`).join(", ")} (expected name, endpoint, max, memory, tls)` : issue.message;
      const given = key !== undefined && key !== "memory" && list[index]?.[key as string] !== undefined ? ` (got ${JSON.stringify(list[index]![key as string])})` : "";
      issues.push(`${who}: ${message}${given}`);
    }
  }
  const hosts = parsed.success ? parsed.data : [];
  const seen = new Map<string, number>();
  const endpoints = new Map<string, string>();
  for (const [i, h] of hosts.entries()) {
    if (seen.has(h.name)) issues.push(`host ${i + 1}: the name "${h.name}" is already used by host ${seen.get(h.name)! + 1}; names must be unique`);
    seen.set(h.name, i);
    const other = endpoints.get(h.endpoint);
    if (other !== undefined) issues.push(`host ${i + 1} ("${h.name}"): ${h.endpoint} is already host "${other}"; one daemon must appear once, or it would be counted twice`);
    endpoints.set(h.endpoint, h.name);
    if (h.tls && !h.endpoint.startsWith("tcp://") && !h.endpoint.startsWith("https://")) {
      issues.push(`host ${i + 1} ("${h.name}"): tls applies to tcp:// or https:// endpoints only`);
    }
  }
  if (issues.length) throw new HostsConfigError(issues);
  return hosts.map((h) => {
    const out: DockerHostConfig = { name: h.name, endpoint: h.endpoint };
    if (h.max !== undefined) out.maxSandboxes = h.max;
    if (h.memory !== undefined) out.memoryBytes = h.memory;
    if (h.tls !== undefined) out.tlsDir = h.tls;
    return out;
  });
}

/**
 * True when the endpoint is a unix socket, i.e. the engine runs on this
 * machine and its containers' processes and cgroups are visible here (the
 * cgroup fence and the tamper-resistant host view need that).
 */
export function isLocalEndpoint(endpoint: string): boolean {
  return endpoint.startsWith("unix://");
}
