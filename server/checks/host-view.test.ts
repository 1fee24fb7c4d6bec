import { describe, expect, it } from "vitest";
import { nodeCgroupRoot, parseOomKillRecord, parseProcCgroup, parseProcessListing, parseStatus } from "./host-view";
import { handlerFromBundle, parseCriStatus, type TaskBundle } from "./containerd";

const ID = "3cf6768c4e298a845e2f693c5655ee216ceeb0d998ff8e16a766fd9784e4a8a3";

describe("host view parsing", () => {
  it("finds the node's cgroup root on v1, v2 and the systemd driver", () => {
    const m = parseProcCgroup(`4:memory:/docker/${ID}\n1:cpu,cpuacct:/docker/${ID}\n0::/system.slice/docker-${ID}.scope/init\n`);
    expect(m.get("memory")).toBe(`/docker/${ID}`);
    expect(m.get("cpuacct")).toBe(`/docker/${ID}`);
    expect(nodeCgroupRoot(m.get("")!, ID)).toBe(`/system.slice/docker-${ID}.scope`);
    expect(nodeCgroupRoot(`/docker/${ID}`, ID)).toBe(`/docker/${ID}`);
  });

  it("parses an oom-kill record of the kernel log (seen live on this host)", () => {
    const rec = `3,1234,3820714212,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=m1,mems_allowed=0,oom_memcg=/docker/${ID}/k8s.io/m1,task_memcg=/docker/${ID}/k8s.io/m1,task=memhog,pid=5009,uid=0\n`;
    expect(parseOomKillRecord(rec)).toEqual({ taskMemcg: `/docker/${ID}/k8s.io/m1`, oomMemcg: `/docker/${ID}/k8s.io/m1`, task: "memhog" });
    expect(parseOomKillRecord("6,1,2,-;Memory cgroup out of memory: Killed process 5009 (memhog)")).toBeNull();
  });

  it("parses /proc/<pid>/status fields", () => {
    const s = parseStatus("Name:\tsleep\nNSpid:\t4179\t185\t1\nCapEff:\t00000000a80425fb\nSeccomp:\t2\n");
    expect(s).toMatchObject({ Name: "sleep", NSpid: "4179\t185\t1", CapEff: "00000000a80425fb", Seccomp: "2" });
  });

  it("parses the in-node listing and drops the listing shell, its children and ancestors", () => {
    const text = [
      "@self 50",
      "@proc 1",
      "@cmd /usr/bin/tini -g -- /usr/local/sbin/node-init ",
      "@ns pid pid:[1]",
      "@st PPid:\t0",
      "@proc 40",
      "@cmd setsid -w /bin/sh -c echo $$ ... /proc ",
      "@st PPid:\t1",
      "@proc 50",
      '@cmd /bin/sh -c echo "@self $$" ... sleep',
      "@st PPid:\t40",
      "@proc 51",
      "@cmd tr \\0  ",
      "@st PPid:\t50",
      "@proc 60",
      "@cmd sleep 600 ",
      "@ns pid pid:[9]",
      "@ns net ",
      "@st PPid:\t1",
      "@st Seccomp:\t0",
    ].join("\n");
    const ps = parseProcessListing(text);
    expect(ps.map((p) => p.pid)).toEqual([1, 60]);
    expect(ps[1]).toEqual({ pid: 60, hostPid: null, cmdline: "sleep 600", status: { PPid: "1", Seccomp: "0" }, ns: { pid: "pid:[9]" } });
  });
});

describe("containerd state parsing", () => {
  const bundle = (opts: Record<string, unknown>, shim = "/usr/bin/containerd-shim-runc-v2"): TaskBundle => ({
    dir: "/run/x",
    initPid: 1,
    cgroupsPath: "/k8s.io/x",
    shimOptions: opts,
    shimBinary: shim,
  });

  it("tells the runtime handler from the shim options", () => {
    expect(handlerFromBundle(bundle({}))).toEqual({ handler: "runc", binary: "runc" });
    expect(handlerFromBundle(bundle({ binary_name: "/usr/local/bin/runsc-wrapper" }))).toEqual({ handler: "runsc", binary: "/usr/local/bin/runsc-wrapper" });
    expect(handlerFromBundle(bundle({}, "/usr/bin/containerd-shim-runsc-v1")).handler).toBe("runsc");
    expect(handlerFromBundle(bundle({ binary_name: "/tmp/evil" })).handler).toBe("unknown");
  });

  it("reads the CRI status checkpoint in either layout", () => {
    expect(parseCriStatus('{"Version":"v1","ExitCode":137,"Reason":"OOMKilled"}')).toEqual({ exitCode: 137, reason: "OOMKilled" });
    expect(parseCriStatus('{"Version":"v1","Status":{"ExitCode":0,"Reason":""}}')).toEqual({ exitCode: 0, reason: null });
    expect(parseCriStatus("not json")).toBeNull();
    expect(parseCriStatus(null)).toBeNull();
  });
});
