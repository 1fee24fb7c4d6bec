import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_ROUTES, serveApiRoutes, type ApiServer } from "../../test/support/api-routes";
import { fakeLabTests, passingRun, type FakeRun } from "../../test/support/fake-lab-tests";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { createApiToken } from "../api-tokens/service";
import { installServices } from "../services";
import { labTemplate } from "../labs/template";

const run = promisify(execFile);
const root = path.resolve(__dirname, "../..");

// `labs push` and `labs pull` as an author runs them: the real command
// (bin/labs.mjs) in a directory of its own, against the REST API served over
// HTTP by the real route modules, services and database (PGlite). No
// Docker: the server's lab tests are fakeLabTests, which write the lines a
// real run writes, one every 400 ms, so the command's polling is exercised.

const SLUG = "pushed-lab";
const GOOD = labTemplate(SLUG);

describe("labs push / labs pull against a platform over HTTP (PGlite, no Docker)", () => {
  let platform: TestPlatform;
  let api: ApiServer;
  let tests: ReturnType<typeof fakeLabTests>;
  let nextRun: FakeRun | undefined;
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "labs-push-"));
  const tokens = { labs: "", readOnly: "" };

  /** Runs `labs ...` in the author's workspace, with LABS_TOKEN set to the labs token unless told otherwise. */
  async function labs(env: Record<string, string | undefined>, ...args: string[]) {
    try {
      const { stdout, stderr } = await run(path.join(root, "bin/labs.mjs"), args, {
        cwd: workspace,
        env: withoutUnset({ ...process.env, LABS_TOKEN: tokens.labs, LABS_URL: undefined, LABS_DIR: undefined, ...env }),
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }
  const write = (slug: string, text: string) => {
    fs.mkdirSync(path.join(workspace, "labs", slug), { recursive: true });
    fs.writeFileSync(path.join(workspace, "labs", slug, "lab.md"), text);
  };

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", {}, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    installServices(platform.services);
    tests = fakeLabTests(platform.services, (lab) => nextRun ?? { ...passingRun(lab), stepMs: 400 });
    api = await serveApiRoutes(LAB_ROUTES);
    await platform.signUp("admin@example.com");
    await platform.signUp("teacher@example.com");
    const prisma = platform.services.db.prisma;
    const teacher = await prisma.user.update({ where: { email: "teacher@example.com" }, data: { role: "instructor" } });
    tokens.labs = (await createApiToken(prisma, teacher, { name: "laptop", scopes: ["labs"] })).token;
    tokens.readOnly = (await createApiToken(prisma, teacher, { name: "grades" })).token;
  });
  afterAll(async () => {
    await api?.close();
    await tests?.settled();
    tests?.restore();
    installServices(undefined);
    await platform?.close(true);
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("prints local problems as file:line:col and exits 1 before any request", async () => {
    write("broken-lab", GOOD.replace("difficulty: beginner", "difficulty: easy").replace("tags: []", "tags: []\ncolour: blue"));
    const before = api.requests.length;
    const r = await labs({}, "push", "labs/broken-lab", "--to", api.base);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")).toEqual([
      "labs/broken-lab/lab.md:4:13: difficulty must be one of beginner, intermediate, advanced",
      "labs/broken-lab/lab.md:8:1: unknown field: colour",
      "labs: 2 problem(s) in labs/broken-lab/lab.md; nothing was pushed",
      "",
    ]);
    expect(api.requests.length).toBe(before);
  });

  it("creates the lab, prints each test line as it arrives, PASS, and publishes", async () => {
    write(SLUG, GOOD);
    const r = await labs({}, "push", `labs/${SLUG}`, "--to", api.base, "--publish");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const host = new URL(api.base).host;
    expect(r.stdout.split("\n")).toEqual([
      "labs/pushed-lab/lab.md: valid (1 task(s))",
      `created lab pushed-lab on ${host}: version 1`,
      `testing pushed-lab version 1 on ${host} (a fresh node per lab; about a minute)`,
      "  node ready in 640 ms (cgroup v2)",
      "  ✓ start-a-container: before   checks fail before the solution, as they should (120 ms)",
      "  ✓ start-a-container: solution solution ran (900 ms)",
      "  ✓ start-a-container: after    checks pass after the solution (80 ms)",
      expect.stringMatching(/^PASS pushed-lab version 1 on cgroup v2 in \d+\.\d s$/),
      "published version 1",
      "",
    ]);
    // Followed while it ran: asked more than once, a second apart.
    expect(api.requests.filter((q) => q === `GET /api/v1/labs/${SLUG}/versions/1`).length).toBeGreaterThanOrEqual(2);
    const lab = await platform.services.db.prisma.lab.findUniqueOrThrow({ where: { slug: SLUG }, include: { currentVersion: true } });
    expect(lab.currentVersion).toMatchObject({ number: 1, via: "push", testStatus: "passed", publishOverride: null });
  });

  it("pushes a change as the next version (--no-test: nothing started), and the same text again as unchanged", async () => {
    write(SLUG, GOOD.replace("and why it matters.", "and why it matters here."));
    const started = tests.started.length;
    const r = await labs({}, "push", `labs/${SLUG}/lab.md`, "--to", api.base, "--no-test", "--base", "1");
    expect([r.code, r.stdout]).toEqual([0, "labs/pushed-lab/lab.md: valid (1 task(s))\npushed pushed-lab version 2\n"]);
    const again = await labs({}, "push", `labs/${SLUG}`, "--to", api.base, "--no-test");
    expect([again.code, again.stdout.split("\n")[1]]).toEqual([0, "pushed-lab unchanged, still version 2"]);
    expect(tests.started.length).toBe(started);
    // --base names the version the author started from: a later save is not overwritten.
    write(SLUG, `${GOOD}\nA third text.\n`);
    const stale = await labs({}, "push", `labs/${SLUG}`, "--to", api.base, "--no-test", "--base", "1");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^labs: Version 2 of "pushed-lab" was saved after the version 1 you started from\./);
  });

  it("prints FAIL for a failing test, does not publish, and exits 1", async () => {
    nextRun = {
      passed: false,
      stepMs: 200,
      lines: [
        { kind: "sandbox", ok: true, text: "node ready in 700 ms (cgroup v2)" },
        { kind: "task", taskId: "start-a-container", phase: "before", ok: true, text: "checks fail before the solution, as they should", durationMs: 100 },
        { kind: "task", taskId: "start-a-container", phase: "solution", ok: true, text: "solution ran", durationMs: 800 },
        { kind: "task", taskId: "start-a-container", phase: "after", ok: false, text: "no container called demo is running", durationMs: 90 },
      ],
    };
    try {
      const r = await labs({}, "push", `labs/${SLUG}`, "--to", api.base, "--publish");
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("pushed pushed-lab version 3\n");
      expect(r.stdout).toContain("  ✗ start-a-container: after    no container called demo is running (90 ms)\n");
      expect(r.stdout).toMatch(/\nFAIL pushed-lab version 3 on cgroup v2 in \d+\.\d s\n$/);
      expect(r.stderr).toBe('labs: version 3 was not published: its test did not pass. Fix the lab and push again, or publish anyway with --override "<why it cannot be tested here>".\n');
      const lab = await platform.services.db.prisma.lab.findUniqueOrThrow({ where: { slug: SLUG }, include: { currentVersion: true } });
      expect(lab.currentVersion?.number).toBe(1);
    } finally {
      nextRun = undefined;
    }
  });

  it("says how to get a token, relays the server's refusal of a token without the labs scope, and names an unreachable server", async () => {
    const none = await labs({ LABS_TOKEN: undefined }, "push", `labs/${SLUG}`, "--to", api.base);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`labs: no API token: set LABS_TOKEN or pass --token; create a token with the labs scope on ${api.base}/account\n`);

    const readOnly = await labs({ LABS_TOKEN: undefined }, "push", `labs/${SLUG}`, "--to", api.base, "--token", tokens.readOnly);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toBe(`labs: This token may not push or pull labs: create a token with the labs scope on your Account page.\n  (tokens: ${api.base}/account)\n`);

    const port = await closedPort();
    const down = await labs({}, "push", `labs/${SLUG}`, "--to", `http://127.0.0.1:${port}`, "--no-test");
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`labs: cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  it("pulls the latest version (or --version n) to <out>/<slug>/lab.md, and keeps a different file unless --force", async () => {
    const out = path.join(workspace, "pulled");
    const target = path.join(out, SLUG, "lab.md");
    const r = await labs({}, "pull", SLUG, "--from", api.base, "--out", "pulled");
    expect([r.code, r.stdout]).toEqual([0, "wrote pulled/pushed-lab/lab.md (version 3 of pushed-lab)\n"]);
    expect(fs.readFileSync(target, "utf8")).toBe(`${GOOD}\nA third text.\n`);

    const same = await labs({}, "pull", SLUG, "--from", api.base, "--out", "pulled");
    expect([same.code, same.stdout]).toEqual([0, "pulled/pushed-lab/lab.md is already version 3 of pushed-lab; nothing to write\n"]);

    fs.appendFileSync(target, "my local edit\n");
    const kept = await labs({}, "pull", SLUG, "--from", api.base, "--out", "pulled", "--version", "1");
    expect(kept.code).toBe(1);
    expect(kept.stderr).toBe(
      `labs: pulled/pushed-lab/lab.md exists and differs from version 1 on ${new URL(api.base).host}; nothing was written. Pass --force to overwrite it, or --out <dir> to write elsewhere.\n`,
    );
    expect(fs.readFileSync(target, "utf8")).toMatch(/my local edit\n$/);

    const forced = await labs({}, "pull", SLUG, "--from", api.base, "--out", "pulled", "--version", "1", "--force");
    expect([forced.code, forced.stdout]).toEqual([0, "wrote pulled/pushed-lab/lab.md (version 1 of pushed-lab)\n"]);
    expect(fs.readFileSync(target, "utf8")).toBe(GOOD);

    // LABS_DIR is the default place; an unknown lab is the server's sentence.
    const intoLabs = await labs({ LABS_DIR: "authoring" }, "pull", SLUG, "--from", api.base);
    expect(intoLabs.stdout).toBe("wrote authoring/pushed-lab/lab.md (version 3 of pushed-lab)\n");
    const missing = await labs({}, "pull", "no-such-lab", "--from", api.base);
    expect([missing.code, missing.stderr]).toEqual([1, 'labs: There is no lab called "no-such-lab" that you can see.\n']);
  });
});

/** An environment without the variables set to undefined (a child would see the text "undefined"). */
function withoutUnset(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)) as NodeJS.ProcessEnv;
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
