import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";

const run = promisify(execFile);
const root = path.resolve(__dirname, "../..");
const INSTANCE = `t-cli-${process.pid}`;

/** Runs `labs ...` as a user would, returning exit code and output. */
async function labs(...args: string[]) {
  return labsWith({}, ...args);
}

async function labsWith(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(path.join(root, "bin/labs.mjs"), args, {
      cwd: root,
      env: { ...process.env, LABS_INSTANCE: INSTANCE, ...env },
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
