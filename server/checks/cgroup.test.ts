import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cgroupPathFromOci, compare, filesFor, normalise, parseCpuMax, parseMaxValue, parseMemoryEvents, parseOomControl, parseV1MemoryLimit, type CgroupResource, type CgroupVersion } from "./cgroup";

const FIXTURES = join(import.meta.dirname, "../../test/fixtures/cgroup");
const read = (dir: string, file: string) => readFileSync(join(FIXTURES, dir, file), "utf8");

/** Normalises a resource from a fixture directory, reading the files the version needs. */
function fromFixture(version: CgroupVersion, dir: string, resource: CgroupResource) {
  const which = filesFor(resource, version);
  if ("unavailable" in which) throw new Error(which.unavailable);
  return normalise(
    resource,
    version,
    which.files.map((f) => read(`v${version}/${dir}`, f)),
  );
}

describe("the same question on cgroup v1 and v2", () => {
  it.each([
    ["memory.max", 33554432, "max"],
    ["pids.max", 1024, "max"],
    ["cpu.max", { quota: 100000, period: 100000 }, { quota: "max", period: 100000 }],
  ] as const)("%s reads alike on both versions", (resource, limited, unlimited) => {
    expect(fromFixture(1, "limited", resource)).toEqual(limited);
    expect(fromFixture(1, "unlimited", resource)).toEqual(unlimited);
    expect(fromFixture(2, "unlimited", resource)).toEqual(unlimited);
  });

  it("v2 memory.max and cpu.max of a limited container", () => {
    expect(fromFixture(2, "limited", "memory.max")).toBe(33554432);
    expect(fromFixture(2, "limited", "cpu.max")).toEqual({ quota: 50000, period: 100000 });
  });

  it("memory.current maps to v1 memory.usage_in_bytes", () => {
    expect(fromFixture(1, "limited", "memory.current")).toBe(16384);
    expect(fromFixture(2, "limited", "memory.current")).toBe(30871552);
  });

  it("memory.high exists on v2 only, and v1's soft limit is not offered in its place", () => {
    expect(fromFixture(2, "limited", "memory.high")).toBe("max");
    const v1 = filesFor("memory.high", 1);
    expect(v1).toHaveProperty("unavailable");
    expect((v1 as { unavailable: string }).unavailable).toMatch(/not available on cgroup v1.*soft_limit_in_bytes is not the same/);
  });

  it("treats v1's huge 'unlimited' memory limit as max, whatever the page size", () => {
    expect(parseV1MemoryLimit("9223372036854771712\n")).toBe("max");
    expect(parseV1MemoryLimit("9223372036854710272\n")).toBe("max"); // 64 KiB pages
    expect(parseV1MemoryLimit("1073741824\n")).toBe(1073741824);
    expect(() => parseV1MemoryLimit("lots")).toThrow(/expected an integer/);
  });

  it("parses cpu.max with and without a period", () => {
    expect(parseCpuMax("max 100000\n")).toEqual({ quota: "max", period: 100000 });
    expect(parseCpuMax("max")).toEqual({ quota: "max", period: 100000 });
    expect(() => parseCpuMax("1 2 3")).toThrow();
    expect(parseMaxValue("max\n")).toBe("max");
  });
});

describe("OOM counters", () => {
  it("v2 memory.events with and without oom_group_kill", () => {
    expect(parseMemoryEvents(read("v2/limited", "memory.events"))).toEqual({ oomKill: 1, oom: 1, oomGroupKill: 1, underOom: null });
    expect(parseMemoryEvents(read("v2/unlimited", "memory.events"))).toEqual({ oomKill: 0, oom: 0, oomGroupKill: null, underOom: null });
    expect(() => parseMemoryEvents("low 0\nhigh 0\n")).toThrow();
  });

  it("v1 memory.oom_control", () => {
    expect(parseOomControl(read("v1/limited", "memory.oom_control"))).toEqual({ oomKill: 1, oom: null, oomGroupKill: null, underOom: false });
    expect(parseOomControl(read("v1/unlimited", "memory.oom_control")).oomKill).toBe(0);
    // Kernels before 4.13 have no oom_kill line.
    expect(parseOomControl("oom_kill_disable 0\nunder_oom 1\n")).toMatchObject({ oomKill: null, underOom: true });
  });
});

describe("compare", () => {
  it("orders max above every number", () => {
    expect(compare("max", { atLeast: 1e12 }).ok).toBe(true);
    expect(compare("max", { atMost: 1e12 }).ok).toBe(false);
    expect(compare(33554432, { equals: 33554432 }).ok).toBe(true);
    expect(compare(33554432, { atLeast: 1, atMost: 33554431 }).ok).toBe(false);
  });

  it("compares cpu.max as CPUs or as the kernel's text", () => {
    const half = { quota: 50000, period: 100000 } as const;
    expect(compare(half, { equals: 0.5 })).toEqual({ ok: true, shown: "50000 100000" });
    expect(compare(half, { equals: "50000  100000" }).ok).toBe(true);
    expect(compare(half, { atMost: 1 }).ok).toBe(true);
    expect(compare({ quota: "max", period: 100000 }, { equals: "max" }).ok).toBe(true);
  });
});

describe("cgroupPathFromOci", () => {
  it("keeps cgroupfs paths and expands systemd slices as runc does", () => {
    expect(cgroupPathFromOci("/k8s.io/c1")).toBe("/k8s.io/c1");
    expect(cgroupPathFromOci("kubelet-kubepods-burstable-podabc.slice:cri-containerd:0123")).toBe(
      "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-podabc.slice/cri-containerd-0123.scope",
    );
    expect(cgroupPathFromOci("system.slice:docker:abc")).toBe("/system.slice/docker-abc.scope");
  });
});
