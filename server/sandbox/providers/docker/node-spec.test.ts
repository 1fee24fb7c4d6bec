import { describe, expect, it } from "vitest";
import { NODE_CAPABILITIES, nodeContainerOptions } from "./node-spec";

describe("nodeContainerOptions", () => {
  const opts = nodeContainerOptions({
    name: "labs-x",
    hostname: "node-x",
    image: "img",
    labels: { a: "b" },
    stateVolume: "labs-x-containerd",
    memoryBytes: 2 ** 30,
    cpus: 1.5,
    pids: 512,
  });
  const hc = opts.HostConfig!;

  it("is unprivileged, without network, with every capability dropped but the documented set", () => {
    expect(hc.Privileged).toBeFalsy();
    expect(hc.NetworkMode).toBe("none");
    expect(hc.CapDrop).toEqual(["ALL"]);
    expect(hc.CapAdd).toEqual([...NODE_CAPABILITIES]);
    for (const c of ["SYS_MODULE", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME", "SYS_RESOURCE", "DAC_READ_SEARCH", "SYS_PTRACE"]) {
      expect(hc.CapAdd).not.toContain(c);
    }
  });

  it("applies limits, a private cgroup namespace and the state volume", () => {
    expect(hc.Memory).toBe(2 ** 30);
    expect(hc.MemorySwap).toBe(2 ** 30);
    expect(hc.NanoCpus).toBe(1.5e9);
    expect(hc.PidsLimit).toBe(512);
    expect((hc as { CgroupnsMode?: string }).CgroupnsMode).toBe("private");
    expect(hc.Mounts).toEqual([{ Type: "volume", Source: "labs-x-containerd", Target: "/var/lib/containerd" }]);
    expect(Object.keys(hc.Tmpfs ?? {})).toEqual(["/run", "/tmp"]);
    expect(opts.Hostname).toBe("node-x");
    expect(opts.Labels).toEqual({ a: "b" });
  });
});

describe("nodeContainerOptions on the sandbox engine (btrfs, quota)", () => {
  const hc = nodeContainerOptions({
    name: "labs-y",
    hostname: "node-y",
    image: "img",
    labels: {},
    diskMb: 4096,
    memoryBytes: 2 ** 30,
    cpus: 1,
    pids: 512,
  }).HostConfig!;

  it("caps the writable layer and keeps containerd's state in it (no volume outside the cap)", () => {
    expect(hc.StorageOpt).toEqual({ size: "4096M" });
    expect(hc.Mounts).toEqual([]);
  });
});
