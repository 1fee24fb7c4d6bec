import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestInRoot, readInRoot } from "./in-root";

// A directory stands in for a node's root; an "outside" directory beside it
// stands in for the host. Every escape must read the root's own file or nothing.
let base: string;
let root: string;
let outside: string;
const w = (p: string, text: string) => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
};
const read = (p: string) => readInRoot(root, p, 1 << 20);

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "in-root-"));
  root = path.join(base, "root");
  outside = path.join(base, "outside");
  w(`${outside}/flag`, "HOST");
  w(`${outside}/config.json`, "HOST-CONFIG");
  w(`${root}/root/probe-target/flag`, "NODE");
  w(`${root}/etc/hostname`, "node-name");
  w(`${root}/${outside}/flag`, "NODE-COPY");
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe("readInRoot: paths resolve as the node resolves them", () => {
  it("reads plain files and says null for missing ones", async () => {
    expect(await read("/etc/hostname")).toBe("node-name");
    expect(await read("/etc/nope")).toBeNull();
    expect(await read("/etc/hostname/x")).toBeNull();
  });

  it("resolves an absolute symlink against the node's root, never the host's", async () => {
    fs.symlinkSync(outside, `${root}/root/abs`);
    // The kernel would have read the host's file; in-root it is the node's copy at that path.
    expect(await read("/root/abs/flag")).toBe("NODE-COPY");
    fs.symlinkSync("/etc", `${root}/root/etc-link`);
    expect(await read("/root/etc-link/hostname")).toBe("node-name");
  });

  it("clamps `..` at the root, in paths and in link targets", async () => {
    expect(await read("/../../../../etc/hostname")).toBe("node-name");
    fs.symlinkSync("../../../../../../../etc", `${root}/root/up`);
    expect(await read("/root/up/hostname")).toBe("node-name");
    const rel = path.relative(`${root}/root`, `${outside}`);
    fs.symlinkSync(rel, `${root}/root/rel-out`);
    // ../../outside from /root climbs to / and stays there.
    expect(await read("/root/rel-out/flag")).toBeNull();
  });

  it("does not follow links into /proc/<pid>/root (another node, or the host) ", async () => {
    fs.symlinkSync(`/proc/${process.pid}/root${outside}`, `${root}/root/proc-link`);
    expect(await read("/root/proc-link/flag")).toBeNull();
    fs.symlinkSync(`/proc/self/root${outside}/flag`, `${root}/root/self-link`);
    expect(await read("/root/self-link")).toBeNull();
  });

  it("follows a link as the last component in-root, and gives up on loops", async () => {
    fs.symlinkSync("/root/probe-target/flag", `${root}/root/last`);
    expect(await read("/root/last")).toBe("NODE");
    fs.symlinkSync("loop-b", `${root}/root/loop-a`);
    fs.symlinkSync("loop-a", `${root}/root/loop-b`);
    expect(await read("/root/loop-a")).toBeNull();
  });

  it("reads only regular files: directories, FIFOs and devices are null", async () => {
    expect(await read("/etc")).toBeNull();
    const fifo = `${root}/root/fifo`;
    fs.mkdirSync(path.dirname(fifo), { recursive: true });
    execFileSync("mkfifo", [fifo]);
    expect(await read("/root/fifo")).toBeNull();
    fs.symlinkSync("/dev/zero", `${root}/root/zero`);
    expect(await read("/root/zero")).toBeNull();
  });

  it("never reads the outside file while a directory is swapped for a link, over and over", async () => {
    const dir = `${root}/run/task`;
    w(`${dir}/config.json`, "NODE-CONFIG");
    let stop = false;
    const swapper = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        fs.renameSync(dir, `${dir}.real`);
        fs.symlinkSync(outside, dir);
        await new Promise((r) => setImmediate(r));
        fs.unlinkSync(dir);
        fs.renameSync(`${dir}.real`, dir);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const seen = new Set<string | null>();
    for (let i = 0; i < 300; i++) seen.add(await read("/run/task/config.json"));
    stop = true;
    await swapper;
    expect(seen.has("HOST-CONFIG")).toBe(false);
    expect([...seen].every((v) => v === null || v === "NODE-CONFIG")).toBe(true);
  });

  it("hashes the file a path names (links followed in-root), never the host's", async () => {
    const { createHash } = await import("node:crypto");
    const sha = (t: string) => createHash("sha256").update(t).digest("hex");
    expect(await digestInRoot(root, "/root/last")).toBe(sha("NODE"));
    expect(await digestInRoot(root, "/root/abs/flag")).toBe(sha("NODE-COPY"));
    expect(await digestInRoot(root, "/etc")).toBeNull();
  });
});

describe("readInRoot: kernel pseudo-files are never read for a node", () => {
  it("refuses procfs and sysfs files however they are reached, and long names are missing, not errors", async () => {
    const r = fs.mkdtempSync(path.join(os.tmpdir(), "in-root-proc-"));
    fs.mkdirSync(`${r}/root`, { recursive: true });
    // A bind of the host's /proc is what a node's /proc is to the host: reach it through a link.
    fs.symlinkSync("/proc", `${r}/root/p`);
    expect(await readInRoot("/", "/proc/self/status", 4096)).toBeNull();
    expect(await readInRoot("/", "/proc/version", 4096)).toBeNull();
    expect(await readInRoot("/", "/sys/kernel/mm/transparent_hugepage/enabled", 4096)).toBeNull();
    fs.symlinkSync("x".repeat(300), `${r}/root/long`);
    expect(await readInRoot(r, "/root/long", 4096)).toBeNull();
    fs.rmSync(r, { recursive: true, force: true });
  });
});
