/**
 * `labs push` (and, in pull.ts, `labs pull`): an author's own machine and a running
 * platform, over the REST API (/api/v1/labs, docs/authoring.md, "Push from your machine") with a
 * token of the "labs" scope. Nothing here touches the database or Docker;
 * everything goes through the server, which decides who may do what.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { formatProblem, LAB_FILE, loadLab, type LabProblem } from "../labs/catalog";
import type { TestLine, TestReport, TestStatus } from "../labs/test-runs";
import { CliError } from "./usage";

/** What push and pull need from the outside world, so tests can give them a fake server, clock and terminal. */
export interface RemoteIo {
  fetch: typeof fetch;
  /** Progress, one line at a time (stdout). */
  out(line: string): void;
  /** Problems and failures (stderr). */
  err(line: string): void;
  sleep(ms: number): Promise<void>;
  env: Record<string, string | undefined>;
}

export const processIo: RemoteIo = {
  fetch: (...args) => fetch(...args),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  env: process.env,
};

/** How often a running test is asked for new lines. */
export const POLL_MS = 1000;
/** Longest wait for one answer of the server (a push stores a text; nothing here takes long). */
const REQUEST_TIMEOUT_MS = 30_000;
/** Failed polls in a row before giving up on a test (a server restart takes a few). */
const MAX_POLL_FAILURES = 5;
/** A test that runs longer than this is not waited for (the server's own limit is far lower). */
const MAX_TEST_WAIT_MS = 30 * 60_000;

/** A failure talking to the server: printed as `labs: <message>`, exit 1 (not a usage mistake). */
export class RemoteError extends Error {}

/** An answer of the API that is not a success. */
interface ApiFailure {
  status: number;
  code: string;
  message: string;
  problems?: LabProblem[];
}

/** The few calls push and pull make, with the token and the server's address. */
export class LabsApi {
  constructor(
    readonly base: URL,
    private readonly token: string,
    private readonly io: RemoteIo,
  ) {}

  /** The platform page where tokens are made, for messages. */
  get accountUrl(): string {
    return new URL("account", this.base).toString();
  }

  /** A JSON call: the body of a 2xx answer, or the API's error (never thrown for an HTTP status). */
  async json<T>(method: string, route: string, body?: unknown): Promise<{ ok: true; status: number; body: T } | { ok: false; failure: ApiFailure }> {
    const res = await this.send(method, route, body);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw this.notTheApi(route, res);
    }
    if (res.ok) return { ok: true, status: res.status, body: parsed as T };
    const error = (parsed as { error?: { code?: unknown; message?: unknown; problems?: unknown } } | null)?.error;
    if (!error || typeof error.message !== "string") throw this.notTheApi(route, res);
    return {
      ok: false,
      failure: { status: res.status, code: String(error.code ?? ""), message: error.message, problems: Array.isArray(error.problems) ? (error.problems as LabProblem[]) : undefined },
    };
  }

  /** A text call (lab.md): the answer's text and headers, or the API's error. */
  async text(route: string): Promise<{ ok: true; text: string; headers: Headers } | { ok: false; failure: ApiFailure }> {
    const res = await this.send("GET", route);
    if (res.ok) return { ok: true, text: await res.text(), headers: res.headers };
    const text = await res.text();
    try {
      const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
      if (error && typeof error.message === "string") return { ok: false, failure: { status: res.status, code: String(error.code ?? ""), message: error.message } };
    } catch {
      // Not JSON: not our API's answer.
    }
    throw this.notTheApi(route, res);
  }

  /**
   * The sentence for a refusal. A token problem (401, 403) also says where
   * tokens are made, as the server's sentence speaks of "your Account page".
   */
  explain(failure: ApiFailure): string {
    if (failure.status === 401 || failure.status === 403) return `${failure.message}\n  (tokens: ${this.accountUrl})`;
    return failure.message;
  }

  private async send(method: string, route: string, body?: unknown): Promise<Response> {
    const url = new URL(route, this.base);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      return await this.io.fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new RemoteError(`cannot reach ${this.base.origin}: ${reasonOf(err)}`);
    }
  }

  private notTheApi(route: string, res: Response): RemoteError {
    return new RemoteError(
      `${new URL(route, this.base).toString()} answered ${res.status} ${res.statusText || ""}`.trimEnd() + `, which is not the Runtime Labs API: is ${this.base.toString()} the platform's address?`,
    );
  }
}

/** Why a fetch failed, in words: undici hides the system error (ECONNREFUSED, ENOTFOUND, a certificate) in `cause`. */
function reasonOf(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return e?.cause?.message || e?.cause?.code || e?.message || String(err);
}

/** The server's address from --to/--from (or LABS_URL), as a base URL ending in "/". */
export function serverUrl(given: string | undefined, flag: string, io: RemoteIo): URL {
  const raw = given ?? io.env.LABS_URL;
  if (!raw) throw new CliError(`give the platform's address with ${flag} <url> (or set LABS_URL), like ${flag} https://labs.example.edu`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`${flag} must be the platform's address, like https://labs.example.edu (got "${raw}")`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`${flag} must be an http:// or https:// address (got "${raw}")`);
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

/** The token from --token or LABS_TOKEN. */
export function tokenFrom(given: string | undefined, base: URL, io: RemoteIo): string {
  const token = given ?? io.env.LABS_TOKEN;
  if (!token) throw new CliError(`no API token: set LABS_TOKEN or pass --token; create a token with the labs scope on ${new URL("account", base).toString()}`);
  return token;
}

/** A whole number from 1, from a flag. */
export function versionFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new CliError(`${flag} must be a version number, like 3 (got "${value}")`);
  return Number(value);
}

/** parseArgs's refusals (an unknown flag, a missing value) as usage mistakes. */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** A problem the server found in the pushed text, located in the local file (the server calls it lab.md). */
export function localProblem(p: LabProblem, localFile: string): string {
  return formatProblem({ ...p, file: p.file === LAB_FILE ? localFile : p.file });
}

/** One line of a test run, as `labs test` prints it. */
export function formatTestLine(line: TestLine): string {
  if (line.kind === "task") return `  ${line.ok ? "✓" : "✗"} ${line.taskId}: ${(line.phase ?? "").padEnd(8)} ${line.text} (${line.durationMs ?? 0} ms)`;
  if (line.kind === "error") return `  ✗ ${line.text}`;
  return `  ${line.text}`;
}

/** The version as GET /api/v1/labs/:slug/versions/:n answers it (the fields push reads). */
interface VersionAnswer {
  number: number;
  testStatus: TestStatus;
  testReport: TestReport | null;
  published: boolean;
  publishOverride: string | null;
}

/** The lab directory of a path: the directory itself, or the one holding a lab.md given directly. */
function labDirOf(given: string): string {
  const full = path.resolve(given);
  if (path.basename(full) === LAB_FILE && fs.statSync(full, { throwIfNoEntry: false })?.isFile()) return path.dirname(full);
  return full;
}

/** Paths in messages are relative to where the command runs, as `labs validate` prints them. */
export function displayPath(full: string): string {
  const relative = path.relative(process.cwd(), full);
  return relative.startsWith("..") ? full : relative;
}

/**
 * `labs push <dir> --to <url> [--token t] [--no-test] [--publish]
 * [--override reason] [--base n]`: validate locally, store as the lab's next
 * version, test it on the server and (if asked) publish it. Exit 0 only if
 * every step asked for succeeded.
 */
export async function push(args: string[], io: RemoteIo = processIo): Promise<number> {
  const { values, positionals } = usageErrors(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        to: { type: "string" },
        token: { type: "string" },
        "no-test": { type: "boolean", default: false },
        publish: { type: "boolean", default: false },
        override: { type: "string" },
        base: { type: "string" },
      },
    }),
  );
  if (positionals.length !== 1) throw new CliError("usage: labs push <lab-dir> --to <url> [--token <t>] [--no-test] [--publish] [--override <reason>] [--base <n>]");
  const base = serverUrl(values.to, "--to", io);
  const token = tokenFrom(values.token, base, io);
  const baseVersion = versionFlag(values.base, "--base");
  const override = values.override?.trim();
  if (values.override !== undefined && !override) throw new CliError('--override needs the reason the lab is published untested, e.g. --override "cluster lab: this server has no kind"');
  if (override && !values.publish) throw new CliError("--override is the reason to publish untested: use it with --publish");

  // 1. Locally, with the validator `labs validate` uses: a broken lab never reaches the server.
  const dir = labDirOf(positionals[0]!);
  const slug = path.basename(dir);
  const file = displayPath(path.join(dir, LAB_FILE));
  const { lab, problems } = loadLab(dir);
  if (!lab) {
    for (const p of problems) io.err(formatProblem(p));
    io.err(`labs: ${problems.length} problem(s) in ${file}; nothing was pushed`);
    return 1;
  }
  io.out(`${file}: valid (${lab.tasks.length} task(s))`);

  const api = new LabsApi(base, token, io);
  try {
    // 2. The version.
    const route = `api/v1/labs/${slug}/versions`;
    const stored = await api.json<{ slug: string; version: number; unchanged: boolean; created: boolean }>("POST", route, { source: lab.source, ...(baseVersion !== undefined && { baseVersion }) });
    if (!stored.ok) {
      if (stored.failure.code === "INVALID_LAB" && stored.failure.problems) {
        for (const p of stored.failure.problems) io.err(localProblem(p, file));
        io.err(`labs: ${base.host} refused ${file}: ${stored.failure.problems.length} problem(s); nothing was stored`);
      } else io.err(`labs: ${api.explain(stored.failure)}`);
      return 1;
    }
    const number = stored.body.version;
    if (stored.body.created) io.out(`created lab ${slug} on ${base.host}: version ${number}`);
    else if (stored.body.unchanged) io.out(`${slug} unchanged, still version ${number}`);
    else io.out(`pushed ${slug} version ${number}`);

    // 3. The test, followed line by line.
    let passed = false;
    let ok = true;
    if (!values["no-test"]) {
      passed = await runTest(api, slug, number, io);
      ok = passed;
    }

    // 4. Publishing, when asked: after a passing test, or with the reason it is published without one.
    if (values.publish) {
      if (!values["no-test"] && !passed && !override) {
        io.err(`labs: version ${number} was not published: its test did not pass. Fix the lab and push again, or publish anyway with --override "<why it cannot be tested here>".`);
        return 1;
      }
      const published = await api.json<VersionAnswer>("POST", `api/v1/labs/${slug}/versions/${number}/publish`, override ? { override } : {});
      if (!published.ok) {
        io.err(`labs: version ${number} was not published: ${api.explain(published.failure)}`);
        return 1;
      }
      io.out(`published version ${number}${published.body.publishOverride ? ` (untested: ${published.body.publishOverride})` : ""}`);
    }
    return ok ? 0 : 1;
  } catch (err) {
    if (err instanceof RemoteError) {
      io.err(`labs: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/**
 * Starts the server's test of version `number` and prints its lines as they
 * come (polling every POLL_MS), then PASS or FAIL. True if it passed.
 */
async function runTest(api: LabsApi, slug: string, number: number, io: RemoteIo): Promise<boolean> {
  const started = await api.json<VersionAnswer>("POST", `api/v1/labs/${slug}/versions/${number}/test`);
  if (!started.ok) {
    io.err(`labs: version ${number} could not be tested: ${api.explain(started.failure)}`);
    return false;
  }
  io.out(`testing ${slug} version ${number} on ${api.base.host} (a fresh node per lab; about a minute)`);
  let version = started.body;
  let printed = 0;
  let failures = 0;
  const deadline = Date.now() + MAX_TEST_WAIT_MS;
  for (;;) {
    const lines = version.testReport?.lines ?? [];
    for (const line of lines.slice(printed)) io.out(formatTestLine(line));
    printed = Math.max(printed, lines.length);
    if (version.testStatus !== "running") break;
    if (Date.now() > deadline) {
      io.err(`labs: gave up waiting after ${MAX_TEST_WAIT_MS / 60_000} minutes; the test goes on on the server (see the lab's page in the editor)`);
      return false;
    }
    await io.sleep(POLL_MS);
    let next: Awaited<ReturnType<typeof api.json<VersionAnswer>>>;
    try {
      next = await api.json<VersionAnswer>("GET", `api/v1/labs/${slug}/versions/${number}`);
    } catch (err) {
      // The server restarting, a proxy hiccup: ask again, a few times.
      if (err instanceof RemoteError && ++failures < MAX_POLL_FAILURES) continue;
      throw err;
    }
    if (next.ok) {
      version = next.body;
      failures = 0;
      continue;
    }
    // A refusal (the token was revoked, the lab removed) will not get better by asking again.
    if (next.failure.status !== 429 && next.failure.status < 500) {
      io.err(`labs: ${api.explain(next.failure)}`);
      return false;
    }
    if (++failures >= MAX_POLL_FAILURES) throw new RemoteError(next.failure.message);
  }
  const report = version.testReport;
  const seconds = ((report?.durationMs ?? 0) / 1000).toFixed(1);
  const on = report?.cgroupVersion ? ` on cgroup v${report.cgroupVersion}` : "";
  if (version.testStatus === "passed") {
    io.out(`PASS ${slug} version ${number}${on} in ${seconds} s`);
    return true;
  }
  if (version.testStatus === "interrupted") io.out(`FAIL ${slug} version ${number}: the test was interrupted (the server running it stopped); push again to test again`);
  else io.out(`FAIL ${slug} version ${number}${on} in ${seconds} s`);
  return false;
}
