import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CgroupFence, detectFence, FENCE_DEVICES } from "./cgroup-fence";

// cgroupfs files are plain files to the fence's code, so a temp tree shows
// exactly what it writes. v1 runs live in the isolation tests; v2 only here
// (this machine is cgroup v1), following cgroup-v2.rst's file names.
function tree(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "fence-"));
}
const read = (f: string) => fs.readFileSync(f, "utf8");

describe("CgroupFence", () => {
  const limits = { memoryBytes: 512 * 2 ** 20, cpus: 1.5, pids: 300 };

  it("v1: writes memory (limit before memsw), pids, CFS quota and the pinned device list under each controller", async () => {
    const root = tree();
    for (const c of ["memory", "pids", "cpu", "devices"]) fs.mkdirSync(path.join(root, c));
    const memDir = path.join(root, "memory/runtime-labs/inst/sb1");
    fs.mkdirSync(memDir, { recursive: true });
    fs.writeFileSync(path.join(memDir, "memory.memsw.limit_in_bytes"), "");
    const fence = new CgroupFence(root, 1);
    const parent = fence.parentFor("inst", "sb1");
    expect(parent).toBe("/runtime-labs/inst/sb1");
    await fence.create(parent, limits);
    expect(read(path.join(memDir, "memory.limit_in_bytes"))).toBe(String(512 * 2 ** 20));
    expect(read(path.join(memDir, "memory.memsw.limit_in_bytes"))).toBe(String(512 * 2 ** 20));
    expect(read(path.join(root, "pids/runtime-labs/inst/sb1/pids.max"))).toBe("300");
    expect(read(path.join(root, "cpu/runtime-labs/inst/sb1/cpu.cfs_quota_us"))).toBe("150000");
    expect(read(path.join(root, "cpu/runtime-labs/inst/sb1/cpu.cfs_period_us"))).toBe("100000");
    // Plain files keep the last write: deny-all went first, the default set
    // after it (the live kernel's list is asserted in the escape suite).
    expect(read(path.join(root, "devices/runtime-labs/inst/sb1/devices.deny"))).toBe("a");
    expect(read(path.join(root, "devices/runtime-labs/inst/sb1/devices.allow"))).toBe(FENCE_DEVICES.at(-1));
    expect(FENCE_DEVICES).not.toContain("a *:* rwm");
    expect(FENCE_DEVICES.filter((d) => d.startsWith("b ") && d !== "b *:* m")).toEqual([]);
  });

  it("v2: enables controllers down the path and writes memory.max, swap, pids.max, cpu.max", async () => {
    const root = tree();
    fs.writeFileSync(path.join(root, "cgroup.controllers"), "cpuset cpu io memory pids");
    const fence = new CgroupFence(root, 2);
    await fence.create(fence.parentFor("inst", "sb2"), limits);
    expect(read(path.join(root, "cgroup.subtree_control"))).toBe("+memory +pids +cpu");
    expect(read(path.join(root, "runtime-labs/cgroup.subtree_control"))).toBe("+memory +pids +cpu");
    expect(read(path.join(root, "runtime-labs/inst/cgroup.subtree_control"))).toBe("+memory +pids +cpu");
    const leaf = path.join(root, "runtime-labs/inst/sb2");
    expect(read(path.join(leaf, "memory.max"))).toBe(String(512 * 2 ** 20));
    expect(read(path.join(leaf, "memory.swap.max"))).toBe("0");
    expect(read(path.join(leaf, "pids.max"))).toBe("300");
    expect(read(path.join(leaf, "cpu.max"))).toBe("150000 100000");
  });

  it("remove tries every hierarchy even when one fails, and names the one that failed", async () => {
    const root = tree();
    const fence = new CgroupFence(root, 1);
    const parent = fence.parentFor("inst", "sb3");
    for (const h of ["memory", "blkio", "freezer"]) fs.mkdirSync(path.join(root, h, parent, "docker-abc"), { recursive: true });
    // A plain file makes rmdir fail (ENOTEMPTY) in blkio only.
    fs.writeFileSync(path.join(root, "blkio", parent, "stuck"), "");
    await expect(fence.remove(parent)).rejects.toThrow(/could not remove cgroup .*blkio\/runtime-labs\/inst\/sb3 \(ENOTEMPTY\)/);
    expect(fs.existsSync(path.join(root, "memory", parent))).toBe(false);
    expect(fs.existsSync(path.join(root, "freezer", parent))).toBe(false);
    // Idempotent: once the cause is gone, a second call finishes the job.
    fs.rmSync(path.join(root, "blkio", parent, "stuck"));
    await fence.remove(parent);
    expect(fs.existsSync(path.join(root, "blkio", parent))).toBe(false);
  });

  it("lists the sandboxes an instance still has fence directories for, in any hierarchy, with their age", async () => {
    const root = tree();
    const fence = new CgroupFence(root, 1);
    fs.mkdirSync(path.join(root, "memory", fence.parentFor("inst", "old")), { recursive: true });
    fs.mkdirSync(path.join(root, "freezer", fence.parentFor("inst", "only-freezer")), { recursive: true });
    fs.mkdirSync(path.join(root, "memory", fence.parentFor("other", "theirs")), { recursive: true });
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(root, "memory", fence.parentFor("inst", "old")), hourAgo, hourAgo);
    const found = await fence.fenced("inst");
    expect(found.map((f) => f.sandboxId).sort()).toEqual(["old", "only-freezer"]);
    expect(found.find((f) => f.sandboxId === "old")!.ageMs).toBeGreaterThan(3_500_000);
    expect(found.find((f) => f.sandboxId === "only-freezer")!.ageMs).toBeLessThan(60_000);
  });

  it("refuses where it cannot manage the host's cgroups, saying why", async () => {
    expect(await detectFence({ dockerHost: "tcp://10.0.0.5:2376" })).toEqual({ fence: null, reason: "Docker is remote (tcp://10.0.0.5:2376)" });
    const r = await detectFence({ cgroupDriver: "systemd" });
    expect(r.fence).toBeNull();
    expect(r.reason).toMatch(/systemd|root/);
  });
});
