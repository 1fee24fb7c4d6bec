import { describe, expect, it } from "vitest";
import { assessIsolation, engineProfile, isolationPolicyFromEnv, DEFAULT_DISK_MB } from "./engine-profile";

// `docker info` as two real engines answered on the CI machine: the sandbox
// engine (scripts/sandbox-engine.sh) and Debian's default dockerd.
const sandboxEngine = {
  Driver: "btrfs",
  DriverStatus: [
    ["Build Version", "Btrfs v6.2"],
    ["Library Version", "102"],
  ] as [string, string][],
  SecurityOptions: ["name=seccomp,profile=default", "name=userns"],
  DockerRootDir: "/var/lib/runtime-labs-engine/root/100000.100000",
  CgroupDriver: "cgroupfs",
  CgroupVersion: "1",
};
const plainEngine = {
  Driver: "overlay2",
  DriverStatus: [
    ["Backing Filesystem", "extfs"],
    ["Supports d_type", "true"],
  ] as [string, string][],
  SecurityOptions: ["name=seccomp,profile=default"],
  DockerRootDir: "/var/lib/docker",
  CgroupDriver: "cgroupfs",
  CgroupVersion: "1",
};

describe("engineProfile", () => {
  it("reads user namespaces, the remapped root and a quota-capable layer from the sandbox engine", () => {
    expect(engineProfile(sandboxEngine)).toEqual({
      isolation: "userns",
      remappedRoot: { uid: 100000, gid: 100000 },
      storageDriver: "btrfs",
      diskQuota: true,
      stateInLayer: true,
      cgroupDriver: "cgroupfs",
      cgroupVersion: 1,
    });
  });

  it("sees a plain overlay2 engine as shared-kernel-root without a disk cap, needing a state volume", () => {
    const p = engineProfile(plainEngine);
    expect(p.isolation).toBe("shared-kernel-root");
    expect(p.remappedRoot).toBeNull();
    expect(p.diskQuota).toBe(false);
    expect(p.stateInLayer).toBe(false);
  });

  it("counts overlay2 on XFS as quota-capable (Docker checks pquota at create) and reads cgroup v2", () => {
    const p = engineProfile({ ...plainEngine, DriverStatus: [["Backing Filesystem", "xfs"]], CgroupVersion: "2" });
    expect(p.diskQuota).toBe(true);
    expect(p.cgroupVersion).toBe(2);
  });
});

describe("assessIsolation", () => {
  const userns = engineProfile(sandboxEngine);
  const plain = engineProfile(plainEngine);

  it("lets nodes start on the sandbox engine and says what holds", () => {
    const r = assessIsolation(userns, { required: "userns", diskMb: 4096 }, "unix:///run/runtime-labs/docker.sock");
    expect(r.ok).toBe(true);
    expect(r.level).toBe("userns");
    expect(r.diskQuotaMb).toBe(4096);
    expect(r.message).toMatch(/uid 100000/);
  });

  it("refuses an engine without user namespaces by default, naming the risk and the fix", () => {
    const r = assessIsolation(plain, { required: "userns", diskMb: 4096 }, "unix:///var/run/docker.sock");
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/user namespace/);
    expect(r.message).toContain("unix:///var/run/docker.sock");
    expect(r.fix).toMatch(/sandbox-engine\.sh start/);
    expect(r.fix).toMatch(/SANDBOX_ISOLATION=shared-kernel-root/);
  });

  it("refuses an engine that cannot cap disks while a cap is configured; SANDBOX_DISK_MB=0 is the explicit way out", () => {
    const noQuota = { ...userns, diskQuota: false, storageDriver: "overlay2" };
    const r = assessIsolation(noQuota, { required: "userns", diskMb: 4096 }, "x");
    expect(r.ok).toBe(false);
    expect(r.fix).toMatch(/SANDBOX_DISK_MB=0/);
    const off = assessIsolation(noQuota, { required: "userns", diskMb: 0 }, "x");
    expect(off.ok).toBe(true);
    expect(off.diskQuotaMb).toBeNull();
    expect(off.message).toMatch(/NO disk cap/);
  });

  it("runs shared-kernel-root only when asked, and says so loudly", () => {
    const r = assessIsolation(plain, { required: "shared-kernel-root", diskMb: 0 }, "x");
    expect(r.ok).toBe(true);
    expect(r.level).toBe("shared-kernel-root");
    expect(r.message).toMatch(/WITHOUT a user namespace/);
    expect(r.message).toMatch(/Trusted learners only/);
  });
});

describe("isolationPolicyFromEnv", () => {
  it("defaults to userns with a disk cap", () => {
    expect(isolationPolicyFromEnv({})).toEqual({ required: "userns", diskMb: DEFAULT_DISK_MB });
    expect(isolationPolicyFromEnv({ SANDBOX_ISOLATION: "shared-kernel-root", SANDBOX_DISK_MB: "0" })).toEqual({ required: "shared-kernel-root", diskMb: 0 });
  });
});
