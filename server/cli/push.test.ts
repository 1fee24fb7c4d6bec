import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labTemplate } from "../labs/template";
import { formatTestLine, localProblem, push, serverUrl, type RemoteIo } from "./push";

// `labs push` with a scripted server (an injected fetch): the answers a real
// platform gives are tested in push.integration.test.ts; here, the ones it
// rarely gives (a newer validator's 422, a proxy's HTML page, a network
// failure in the middle of a test) and how the command maps them.

const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labs-push-unit-")), "a-lab");
fs.mkdirSync(dir);
fs.writeFileSync(path.join(dir, "lab.md"), labTemplate("a-lab"));
const file = path.relative(process.cwd(), path.join(dir, "lab.md")).startsWith("..") ? path.join(dir, "lab.md") : path.relative(process.cwd(), path.join(dir, "lab.md"));
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

type Answer = Response | Error | ((req: { method: string; path: string; body: unknown }) => Response | Error);

/** An io whose fetch answers `METHOD /path` from `answers` (each entry is used once, in order), recording requests and output. */
function scripted(answers: Record<string, Answer[]>) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: { method: string; path: string; body: unknown }[] = [];
  const io: RemoteIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    sleep: async () => {},
    env: { LABS_TOKEN: `rl_${"a".repeat(43)}` },
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const req = { method: init?.method ?? "GET", path: url.pathname + url.search, body: init?.body ? JSON.parse(String(init.body)) : undefined };
      requests.push(req);
      const next = answers[`${req.method} ${url.pathname}`]?.shift();
      if (!next) throw new Error(`unexpected ${req.method} ${req.path}`);
      const answer = typeof next === "function" ? next(req) : next;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { io, out, err, requests };
}

const json = (status: number, body: unknown) => Response.json(body, { status });
const version = (testStatus: string, lines: unknown[] = [], extra: Record<string, unknown> = {}) =>
  json(200, { number: 4, testStatus, testReport: { lines, durationMs: 41_234, cgroupVersion: 2 }, published: false, publishOverride: null, ...extra });
const connRefused = () => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 10.0.0.9:443"), { code: "ECONNREFUSED" }) });

describe("labs push (scripted server)", () => {
  it("maps the server's problems in lab.md to the local file, keeps other files as they are, and exits 1", async () => {
    const s = scripted({
      "POST /api/v1/labs/a-lab/versions": [
        json(422, {
          error: {
            code: "INVALID_LAB",
            message: "2 problem(s) in lab.md",
            problems: [
              { file: "lab.md", line: 12, column: 3, message: "check type fancy is not known on this server" },
              { file: "labs.yaml", line: 1, column: 1, message: "elsewhere" },
            ],
          },
        }),
      ],
    });
    expect(await push([dir, "--to", "https://labs.example.edu"], s.io)).toBe(1);
    expect(s.err).toEqual([`${file}:12:3: check type fancy is not known on this server`, "labs.yaml:1:1: elsewhere", `labs: labs.example.edu refused ${file}: 2 problem(s); nothing was stored`]);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.body).toEqual({ source: labTemplate("a-lab") });
  });

  it("publishes untested with --no-test --override, sending the reason", async () => {
    const s = scripted({
      "POST /api/v1/labs/a-lab/versions": [json(201, { slug: "a-lab", version: 4, unchanged: false, created: false })],
      "POST /api/v1/labs/a-lab/versions/4/publish": [(req) => json(200, { number: 4, published: true, publishOverride: (req.body as { override: string }).override })],
    });
    expect(await push([dir, "--to", "https://labs.example.edu/", "--no-test", "--publish", "--override", "cluster lab: no kind here", "--base", "3"], s.io)).toBe(0);
    expect(s.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ["POST", "/api/v1/labs/a-lab/versions", { source: labTemplate("a-lab"), baseVersion: 3 }],
      ["POST", "/api/v1/labs/a-lab/versions/4/publish", { override: "cluster lab: no kind here" }],
    ]);
    expect(s.out.slice(1)).toEqual(["pushed a-lab version 4", "published version 4 (untested: cluster lab: no kind here)"]);
  });

  it("follows a test through a failed poll, printing each line once", async () => {
    const line = (phase: string, ok = true) => ({ at: 1, kind: "task", taskId: "t1", phase, ok, text: `${phase} text`, durationMs: 5 });
    const s = scripted({
      "POST /api/v1/labs/a-lab/versions": [json(201, { slug: "a-lab", version: 4, unchanged: false, created: false })],
      "POST /api/v1/labs/a-lab/versions/4/test": [version("running")],
      "GET /api/v1/labs/a-lab/versions/4": [
        version("running", [line("before")]),
        connRefused(),
        json(503, { error: { code: "UNAVAILABLE", message: "restarting" } }),
        version("passed", [line("before"), line("solution"), line("after")]),
      ],
    });
    expect(await push([dir, "--to", "https://labs.example.edu"], s.io)).toBe(0);
    expect(s.out.slice(2)).toEqual([
      "testing a-lab version 4 on labs.example.edu (a fresh node per lab; about a minute)",
      "  ✓ t1: before   before text (5 ms)",
      "  ✓ t1: solution solution text (5 ms)",
      "  ✓ t1: after    after text (5 ms)",
      "PASS a-lab version 4 on cgroup v2 in 41.2 s",
    ]);
    expect(s.err).toEqual([]);
  });

  it("says when the server cannot test, and fails without publishing", async () => {
    const s = scripted({
      "POST /api/v1/labs/a-lab/versions": [json(200, { slug: "a-lab", version: 4, unchanged: true, created: false })],
      "POST /api/v1/labs/a-lab/versions/4/test": [json(503, { error: { code: "UNAVAILABLE", message: "This server cannot create sandboxes right now, so the lab cannot be tested." } })],
    });
    expect(await push([dir, "--to", "https://labs.example.edu", "--publish"], s.io)).toBe(1);
    expect(s.out[1]).toBe("a-lab unchanged, still version 4");
    expect(s.err).toEqual([
      "labs: version 4 could not be tested: This server cannot create sandboxes right now, so the lab cannot be tested.",
      'labs: version 4 was not published: its test did not pass. Fix the lab and push again, or publish anyway with --override "<why it cannot be tested here>".',
    ]);
  });

  it("names an unreachable server and an answer that is not the API", async () => {
    const down = scripted({ "POST /api/v1/labs/a-lab/versions": [connRefused()] });
    expect(await push([dir, "--to", "https://labs.example.edu"], down.io)).toBe(1);
    expect(down.err).toEqual(["labs: cannot reach https://labs.example.edu: connect ECONNREFUSED 10.0.0.9:443"]);

    const proxy = scripted({ "POST /labs/api/v1/labs/a-lab/versions": [new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" })] });
    expect(await push([dir, "--to", "https://example.edu/labs"], proxy.io)).toBe(1);
    expect(proxy.err).toEqual([
      "labs: https://example.edu/labs/api/v1/labs/a-lab/versions answered 502 Bad Gateway, which is not the Runtime Labs API: is https://example.edu/labs/ the platform's address?",
    ]);
  });

  it("refuses flags that do not fit together as usage mistakes", async () => {
    const s = scripted({});
    await expect(push([dir, "--to", "https://x.test", "--override", "why"], s.io)).rejects.toThrow("--override is the reason to publish untested: use it with --publish");
    await expect(push([dir, "--to", "https://x.test", "--base", "0"], s.io)).rejects.toThrow('--base must be a version number, like 3 (got "0")');
    await expect(push([dir], s.io)).rejects.toThrow("give the platform's address with --to <url> (or set LABS_URL), like --to https://labs.example.edu");
    await expect(push([dir, "--to", "https://x.test"], { ...s.io, env: {} })).rejects.toThrow(
      "no API token: set LABS_TOKEN or pass --token; create a token with the labs scope on https://x.test/account",
    );
    expect(s.requests).toEqual([]);
  });
});

describe("push helpers", () => {
  it("keep a path prefix of the platform's address and drop its query", () => {
    const io = { env: {} } as RemoteIo;
    expect(serverUrl("https://example.edu/labs?x=1#top", "--to", io).toString()).toBe("https://example.edu/labs/");
    expect(serverUrl(undefined, "--to", { env: { LABS_URL: "http://127.0.0.1:3000" } } as unknown as RemoteIo).toString()).toBe("http://127.0.0.1:3000/");
  });

  it("print test lines as `labs test` does", () => {
    expect(formatTestLine({ at: 0, kind: "task", taskId: "run-first", phase: "before", ok: true, text: "checks fail before the solution, as they should", durationMs: 123 })).toBe(
      "  ✓ run-first: before   checks fail before the solution, as they should (123 ms)",
    );
    expect(formatTestLine({ at: 0, kind: "error", ok: false, text: "the test could not run: no node" })).toBe("  ✗ the test could not run: no node");
    expect(formatTestLine({ at: 0, kind: "sandbox", ok: true, text: "node ready in 640 ms (cgroup v2)" })).toBe("  node ready in 640 ms (cgroup v2)");
  });

  it("locate the server's problems in the local file", () => {
    expect(localProblem({ file: "lab.md", line: 2, column: 5, message: "m" }, "labs/x/lab.md")).toBe("labs/x/lab.md:2:5: m");
  });
});
