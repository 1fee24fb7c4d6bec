import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `labs validate` as authors and CI run it (no Docker needed), on a
// directory holding the repository's labs plus the tester's broken ones.
const run = promisify(execFile);
const root = path.resolve(__dirname, "../..");
const fixtures = path.join(root, "test/fixtures/broken-labs");

async function validate(...args: string[]) {
  try {
    const { stdout, stderr } = await run(path.join(root, "node_modules/.bin/tsx"), ["server/cli/main.ts", "validate", ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("labs validate", () => {
  let dir = "";
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-validate-"));
    fs.cpSync(path.join(root, "labs"), dir, { recursive: true });
    fs.cpSync(fixtures, dir, { recursive: true });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true }));

  it("prints every problem of every broken lab with its location, validates the others, and exits 1", async () => {
    const r = await validate(dir);
    expect(r.code).toBe(1);
    const expected = fs
      .readdirSync(fixtures, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        fs
          .readFileSync(path.join(fixtures, d.name, "expected.txt"), "utf8")
          .trimEnd()
          .split("\n")
          .map((line) => line.replace(/^lab\.md:/, `${path.join(dir, d.name, "lab.md")}:`)),
      );
    expect(expected.length).toBeGreaterThanOrEqual(10);
    expect(r.stderr.trimEnd().split("\n").sort()).toEqual(expected.sort());
    const served = fs.readdirSync(path.join(root, "labs")).length;
    expect(r.stdout).toContain(`${served} lab(s) valid, 4 lab(s) with problems, ${expected.length} problem(s)`);
  });

  it("validates one lab directory alone, whatever its neighbours hold", async () => {
    const good = await validate(path.join(dir, "first-container"));
    expect(good).toMatchObject({ code: 0, stderr: "" });
    expect(good.stdout).toContain("1 lab(s) valid, 0 lab(s) with problems, 0 problem(s)");
    const bomb = await validate(path.join(dir, "alias-bomb"));
    expect(bomb.code).toBe(1);
    expect(bomb.stderr).toMatch(/alias-bomb\/lab\.md:\d+:\d+: too many YAML aliases/);
  });
});
