import { describe, expect, it } from "vitest";
import { cgroupMounts, handoverOrder, handoverPlan, inUserNamespace, parseCgroupMemberships } from "./cgroup-handover";

// A node's /proc/<pid>/cgroup and the host's mountinfo as read on the CI
// machine (cgroup v1, cgroupfs driver, the fence's parent), trimmed.
const procCgroup = `12:name=systemd:/runtime-labs/default/abc/c0ffee
11:pids:/runtime-labs/default/abc/c0ffee
9:memory:/runtime-labs/default/abc/c0ffee
5:cpu,cpuacct:/runtime-labs/default/abc/c0ffee
3:devices:/runtime-labs/default/abc/c0ffee
1:rdma:/
0::/runtime-labs/default/abc/c0ffee
`;
const mountinfo = `25 1 254:0 / / rw,relatime - ext4 /dev/vda rw
30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
32 30 0:28 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpuacct,cpu
34 30 0:30 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
35 30 0:31 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
36 30 0:32 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
`;

describe("user namespace of a node, from its uid_map", () => {
  it("tells the host's identity map from a remapped one", () => {
    expect(inUserNamespace("         0          0 4294967295\n")).toBe(false);
    expect(inUserNamespace("         0     100000      65536\n")).toBe(true);
    expect(inUserNamespace("0 1000 1\n1 100000 65535\n")).toBe(true);
  });
});

describe("cgroup handover", () => {
  it("maps each hierarchy to its mount point, whatever the order of controllers", () => {
    const m = cgroupMounts(mountinfo);
    expect(m.get("memory")).toBe("/sys/fs/cgroup/memory");
    expect(m.get("cpu,cpuacct")).toBe("/sys/fs/cgroup/cpu,cpuacct");
    expect(m.get("name=systemd")).toBe("/sys/fs/cgroup/systemd");
    expect(m.get("")).toBe("/sys/fs/cgroup/unified");
  });

  it("hands over the node's directory and only the delegation files: never limit files, never a hierarchy's root", () => {
    const plan = handoverPlan(parseCgroupMemberships(procCgroup), cgroupMounts(mountinfo), "c0ffee");
    const dirs = plan.map((p) => p.dir);
    expect(dirs).toContain("/sys/fs/cgroup/memory/runtime-labs/default/abc/c0ffee");
    expect(dirs).toContain("/sys/fs/cgroup/cpu,cpuacct/runtime-labs/default/abc/c0ffee");
    expect(dirs).toContain("/sys/fs/cgroup/unified/runtime-labs/default/abc/c0ffee");
    // rdma sits at "/" (the host's root) and has no mount here: untouched.
    expect(dirs.some((d) => d.endsWith("/rdma") || d === "/sys/fs/cgroup/rdma")).toBe(false);
    const memory = plan.find((p) => p.dir.includes("/memory/"))!;
    expect(memory.files.map((f) => f.split("/").pop())).toEqual(["cgroup.procs", "tasks", "cgroup.clone_children"]);
    const unified = plan.find((p) => p.dir.includes("/unified/"))!;
    expect(unified.files.map((f) => f.split("/").pop())).toEqual(["cgroup.procs", "cgroup.subtree_control", "cgroup.threads"]);
    for (const p of plan) for (const f of p.files) expect(f).not.toMatch(/limit|max|devices\.(allow|deny)/);
  });

  it("leaves hierarchies the node did not join (they show a host cgroup) and paths without its id", () => {
    const plan = handoverPlan(
      parseCgroupMemberships("13:rdma:/system.slice/docker.service\n9:memory:/runtime-labs/x/other\n"),
      cgroupMounts(mountinfo + "37 30 0:33 / /sys/fs/cgroup/rdma rw - cgroup cgroup rw,rdma\n"),
      "c0ffee",
    );
    expect(plan).toEqual([]);
  });

  it("refuses paths that would reach a hierarchy's root", () => {
    const plan = handoverPlan(parseCgroupMemberships("9:memory:/\n4:pids:/a/../../\n11:pids:/c0ffee/..\n12:name=systemd:/..\n"), cgroupMounts(mountinfo), "c0ffee");
    expect(plan).toEqual([]);
  });

  it("chowns every delegation file before any directory, and the directory node-init watches last", () => {
    const plan = handoverPlan(parseCgroupMemberships(procCgroup), cgroupMounts(mountinfo), "c0ffee");
    const memoryDir = "/sys/fs/cgroup/memory/runtime-labs/default/abc/c0ffee";
    const order = handoverOrder(plan, memoryDir);
    const firstDir = order.findIndex((p) => plan.some((e) => e.dir === p));
    expect(order.slice(0, firstDir).every((p) => plan.some((e) => e.files.includes(p)))).toBe(true);
    expect(order.slice(firstDir).every((p) => plan.some((e) => e.dir === p))).toBe(true);
    expect(order.at(-1)).toBe(memoryDir);
    // A v2-only host: one directory, its three files before it.
    const v2 = handoverPlan(parseCgroupMemberships("0::/runtime-labs/default/abc/c0ffee\n"), cgroupMounts("30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n"), "c0ffee");
    expect(handoverOrder(v2, v2[0]!.dir).map((p) => p.split("/").pop())).toEqual(["cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "c0ffee"]);
  });
});
