import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startControlSocket, type ControlSocket } from "../ops/control-socket";
import type { SandboxReportRow } from "../ops/sandbox-report";
import { DATABASE_KINDS } from "../../test/support/databases";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { until } from "../../test/support/wait";

const run = promisify(execFile);
const root = path.resolve(__dirname, "../..");
const INSTANCE = `t-cli-${process.pid}`;
// The CLI reads the database of DATA_DIR: never the repository's own .data.
const DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "labs-cli-"));

/** Runs `labs ...` as a user would, returning exit code and output. */
async function labs(...args: string[]) {
  return labsWith({}, ...args);
}

async function labsWith(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(path.join(root, "bin/labs.mjs"), args, {
      cwd: root,
      env: { ...process.env, LABS_INSTANCE: INSTANCE, DATA_DIR, DATABASE_URL: "", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("labs CLI (real Docker)", () => {
  afterAll(async () => {
    const p = new DockerProvider({ instance: INSTANCE });
    for (const s of await p.list()) await p.destroy(s.id);
    fs.rmSync(DATA_DIR, { recursive: true, force: true });
  });

  let id = "";

  it("creates a sandbox, reporting steps on stderr and an id object with --json", async () => {
    const r = await labs("sandbox", "create", "--env", "node", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ environment: "node", state: "running" });
    expect(out.id).toMatch(/^[a-z0-9-]+$/);
    expect(r.stderr).toContain("✓ wait for containerd");
    id = out.id;
  });

  it("lists it", async () => {
    const r = await labs("sandbox", "ls", "--json");
    expect(JSON.parse(r.stdout).map((s: { id: string }) => s.id)).toEqual([id]);
  });

  it("execs with separate streams and the command's exit code", async () => {
    const r = await labs("sandbox", "exec", id, "--", "sh", "-c", "echo to-out; echo to-err >&2; exit 7");
    expect(r).toMatchObject({ code: 7, stdout: "to-out\n", stderr: "to-err\n" });
    const v = await labs("sandbox", "exec", id, "--", "ctr", "version");
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/Server:\s+Version:/);
  });

  it("removes it, and then says it does not exist", async () => {
    expect((await labs("sandbox", "rm", id)).stdout).toBe(`removed ${id}\n`);
    expect((await labs("sandbox", "ls", "--json")).stdout.trim()).toBe("[]");
    const again = await labs("sandbox", "exec", id, "--", "true");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/does not exist/);
  });

  it("refuses environments this host cannot make, and unknown commands, with usage", async () => {
    const r = await labs("sandbox", "create", "--env", "cluster");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--env cluster is not available here/);
    const u = await labs("frobnicate");
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown command "frobnicate"[\s\S]*usage: labs/);
  });

  it("scaffolds a lab that validates and passes labs test as it stands, and refuses to overwrite", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-new-"));
    const made = await labsWith({ LABS_DIR: dir }, "new", "my-lab");
    expect(made.code).toBe(0);
    expect(fs.existsSync(path.join(dir, "my-lab", "lab.md"))).toBe(true);
    expect((await labsWith({ LABS_DIR: dir }, "validate", path.join(dir, "my-lab"))).code).toBe(0);
    const tested = await labsWith({ LABS_DIR: dir }, "test", "my-lab");
    expect(tested.stdout).toContain("labs: 1 passed, 0 failed");
    const again = await labsWith({ LABS_DIR: dir }, "new", "my-lab");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    fs.rmSync(dir, { recursive: true });
  });

  it("validates labs and exits 1 with file:line problems", async () => {
    expect((await labs("validate")).code).toBe(0);
    const bad = await labs("validate", "test/fixtures/labs/broken-lab");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("test/fixtures/labs/broken-lab/lab.md:4:13: difficulty must be one of beginner, intermediate, advanced");
  });
});

// The operator's view of a running platform: which node is a warm one and
// which a learner's, from the labels and the database together (issue 16: a
// claimed warm node showed as "POOL yes / SESSION -"). With PGlite the test
// process holds the database, as the server does, so the CLI must ask over
// the control socket main.ts serves; with PostgreSQL it reads directly.
describe.each(DATABASE_KINDS)("labs sandbox ls on %s (real Docker)", (kind) => {
  const instance = `t-cli-ls-${kind}-${process.pid}`;
  const provider = new DockerProvider({ instance });
  let platform: TestPlatform;
  let control: ControlSocket | null = null;
  let dbEnv: Record<string, string> = {};
  let sessionId = "";
  let claimed = "";
  // Reads the server side answered over the control socket.
  let served = 0;

  const ls = async () => {
    const r = await labsWith({ ...dbEnv, LABS_INSTANCE: instance }, "sandbox", "ls", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as SandboxReportRow[];
  };
  const poolLabelled = async () => (await provider.list({ pool: true })).map((s) => s.id);

  beforeAll(async () => {
    // Two warm nodes: one is claimed, one stays warm whether or not the refill has begun.
    platform = await startTestPlatform(kind, { LABS_INSTANCE: instance }, { poolSize: 2, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    const { env } = platform.services;
    dbEnv = { DATA_DIR: env.dataDir, DATABASE_URL: env.DATABASE_URL ?? "" };
    control = await startControlSocket(env.dataDir, () => {});
    const prisma = platform.services.db.prisma;
    control!.serve(new Proxy(prisma, { get: (target, key) => (key === "labSession" && served++, Reflect.get(target, key)) }));
    await platform.services.sessions.boot();
    await until("two warm nodes", async () => platform.services.sessions.capacity()[0]?.warm === 2);
    const learner = (await (await platform.signUp("operator-view@example.com")).caller.system.me())!;
    const s = await platform.services.sessions.start(learner, "first-container");
    for await (const v of platform.services.sessions.watch(learner, s.id)) {
      if (v.state !== "ready") continue;
      expect(v.warmStart).toBe(true);
      claimed = v.sandboxId!;
      break;
    }
    sessionId = s.id;
  });

  afterAll(async () => {
    for (const s of await provider.list()) await provider.destroy(s.id);
    await control?.close();
    await platform.reopen();
    await platform.close(true);
  });

  it("names the learner, lab and session of a claimed warm node, tells warm nodes apart and flags an orphan", async () => {
    const orphan = await provider.provision({ sessionId: "never-recorded", labSlug: "first-container" });
    const rows = await ls();
    // PGlite is the running server's: the CLI asked it rather than opening the directory.
    expect(served > 0).toBe(kind === "pglite");
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(claimed)).toMatchObject({
      state: "running",
      pool: false,
      labels: { pool: true, session: null },
      session: { id: sessionId, state: "ready", lab: "first-container", learner: { email: "operator-view@example.com", name: "operator-view" } },
      flag: null,
    });
    // The other warm node, and any the pool is making to replace the claimed one.
    const warm = (await poolLabelled()).filter((id) => id !== claimed);
    expect(warm.length).toBeGreaterThanOrEqual(1);
    for (const id of warm) expect(byId.get(id)).toMatchObject({ pool: true, session: null, flag: null });
    expect(byId.get(orphan.id)).toMatchObject({ pool: false, labels: { session: "never-recorded" }, session: null, flag: "orphan" });
    expect(rows).toHaveLength(warm.length + 2);

    const table = await labsWith({ ...dbEnv, LABS_INSTANCE: instance }, "sandbox", "ls");
    const lines = table.stdout.split("\n");
    expect(lines[0]).toBe("ID\tSTATE\tHOST\tPOOL\tSESSION\tSESSION-STATE\tLAB\tLEARNER\tFLAG");
    expect(lines).toContain(`${claimed}\trunning\t-\tno\t${sessionId}\tready\tfirst-container\toperator-view@example.com\t-`);
    expect(lines.filter((l) => /\tyes\t-\t-\t-\t-\t-$/.test(l)).length).toBeGreaterThanOrEqual(1);
    expect(lines).toContain(`${orphan.id}\trunning\t-\tno\t-\t-\tfirst-container\t-\torphan`);
    expect(table.stdout).toMatch(/^orphan: no live session holds it/m);
    await provider.destroy(orphan.id);
  });

  it("with the server stopped (sandboxes stay), reads the database itself and flags a live session whose node is gone as missing", async () => {
    await control?.close();
    control = null;
    await platform.close();
    // Removed behind the stopped server's back.
    await provider.destroy(claimed);
    const rows = await ls();
    expect(rows.find((r) => r.id === claimed)).toMatchObject({ state: "missing", labels: null, session: { id: sessionId, state: "ready" }, flag: "missing" });
    expect(rows.filter((r) => r.pool).length).toBeGreaterThanOrEqual(1);
    expect(rows.filter((r) => r.flag)).toHaveLength(1);
  });
});
