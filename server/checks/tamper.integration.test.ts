/**
 * Grades you can trust: each trick a learner tried for a free pass, on real
 * nodes, and the legitimate ways that must still pass. Every check reads
 * through the host view (tamper-resistant), as the platform grades.
 *
 * At the end the suite prints a table of tricks and the checks' answers
 * (issue 14's closing note quotes it).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_CGROUP_V2 as V2 } from "../../test/support/host-cgroup";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { providerOptionsFromTestEnv } from "../sandbox/providers/docker/test-support";
import { evaluateCheck, type CheckResult } from "./evaluate";
import { openHostView, type HostView } from "./host-view";
import { checkSchema, type CheckInput } from "./schema";

const INSTANCE = `t-tamper-${process.pid}`;
const SHELL = "localhost/labs/shell:1";
const MEMHOG = "localhost/labs/memhog:1";
const TASKS = "/run/containerd/io.containerd.runtime.v2.task/k8s.io";

const provider = new DockerProvider({ ...providerOptionsFromTestEnv(), instance: INSTANCE });
let a: string;
let b: string;
let viewA: HostView;
let viewB: HostView;
let hostDir: string;
const answers: { trick: string; answer: string }[] = [];

beforeAll(async () => {
  [a, b] = (await Promise.all([provider.provision({}), provider.provision({})])).map((s) => s.id) as [string, string];
  viewA = (await openHostView(provider, a)).view;
  viewB = (await openHostView(provider, b)).view;
  expect(viewA.source).toBe("host");
  // A host directory holding what a forger would want checks to read.
  hostDir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-tamper-"));
  fs.writeFileSync(path.join(hostDir, "flag"), "HOST-FLAG");
  fs.writeFileSync(path.join(hostDir, "config.json"), JSON.stringify({ linux: { cgroupsPath: "/HOST-SECRET-PATH" } }));
  fs.writeFileSync(path.join(hostDir, "options.json"), JSON.stringify({ binary_name: "/usr/local/bin/runsc-wrapper" }));
  fs.writeFileSync(path.join(hostDir, "init.pid"), "1");
});

afterAll(async () => {
  await provider.destroyAll();
  fs.rmSync(hostDir, { recursive: true, force: true });
  const width = Math.max(...answers.map((x) => x.trick.length));
  console.log(`\ntamper suite (${answers.length} cases):\n${answers.map((x) => `  ${x.trick.padEnd(width)}  ${x.answer}`).join("\n")}`);
});

const check = (c: CheckInput, sandboxId = a, view = viewA): Promise<CheckResult> => evaluateCheck(checkSchema.parse(c), { provider, sandboxId, view, retryDelayMs: 300 });
const run = async (script: string, sandboxId = a) => {
  const r = await provider.exec(sandboxId, ["/bin/sh", "-c", script], { timeoutMs: 60_000 });
  expect(r.exitCode, `${script}\n${r.stderr}`).toBe(0);
  return r.stdout;
};
const note = (trick: string, r: CheckResult) => answers.push({ trick, answer: `${r.passed ? "PASS" : "fail"}: ${r.message}` });
/** Nothing a check returns may carry the host's file content. */
const noHostContent = (r: CheckResult) => expect(JSON.stringify(r)).not.toMatch(/HOST-FLAG|HOST-SECRET-PATH/);

describe("symlinks never lead a check out of the node", () => {
  it("a link to a host directory: the file check reads the node's own path, not the host's file", async () => {
    await run(`rm -rf /root/probe; ln -s ${hostDir} /root/probe`);
    const r = await check({ type: "file", path: "/root/probe/flag", contains: "HOST-FLAG" });
    expect(r.passed).toBe(false);
    noHostContent(r);
    note("ln -s <host dir> /root/probe; file /root/probe/flag", r);
    // The same link resolved in-root: the node's own file at that path is what counts.
    await run(`mkdir -p ${hostDir} && echo NODE-FLAG > ${hostDir}/flag`);
    expect((await check({ type: "file", path: "/root/probe/flag", contains: "NODE-FLAG" })).passed).toBe(true);
  });

  it("a task bundle replaced by a link to a crafted host directory does not make runsc pass", async () => {
    await run(`ctr -n k8s.io run -d ${SHELL} crafted sleep 300`);
    await run(`d=${TASKS}/crafted; mv $d $d.real && ln -s ${hostDir} $d`);
    const r = await check({ type: "runtime", container: "crafted", handler: "runsc" });
    expect(r.passed).toBe(false);
    noHostContent(r);
    note("bundle dir -> link to a host dir with crafted config/options", r);
    await run(`d=${TASKS}/crafted; rm $d && mv $d.real $d`);
  });

  it("another node's files through /proc/<pid>/root are out of reach", async () => {
    await run("echo A-SECRET > /root/secret", a);
    const aInit = (await viewA.processes()).find((p) => p.pid === 1)!;
    await run(`rm -rf /root/probe; ln -s /proc/${aInit.hostPid}/root/root /root/probe`, b);
    const r = await check({ type: "file", path: "/root/probe/secret", contains: "A-SECRET" }, b, viewB);
    expect(r.passed).toBe(false);
    note("B: ln -s /proc/<A's node pid>/root/root /root/probe", r);
  });

  it("a symlink loop is a missing file, not a hang", async () => {
    await run("ln -sf /root/loop2 /root/loop1; ln -sf /root/loop1 /root/loop2");
    const r = await check({ type: "file", path: "/root/loop1" });
    expect(r.passed).toBe(false);
    note("ln -s loop", r);
  });
});

describe("runtime: judged by what runs", () => {
  it("runc renamed as runsc (a symlink) is runc, running or stopped", async () => {
    await run("ln -sf /usr/bin/runc /root/runsc");
    await run(`ctr -n k8s.io run -d --runc-binary /root/runsc ${SHELL} fake sleep 300`);
    const r = await check({ type: "runtime", container: "fake", handler: "runsc" });
    expect(r.passed).toBe(false);
    expect(r.evidence.handler).toBe("runc");
    note("--runc-binary /root/runsc (-> runc), running", r);
    expect((await check({ type: "runtime", container: "fake", handler: "runc" })).passed).toBe(true);

    await run(`ctr -n k8s.io run --runc-binary /root/runsc ${SHELL} fake-stopped true; ctr -n k8s.io run -d --runc-binary /root/runsc ${SHELL} fake-stopped2 true; sleep 1`);
    const stopped = await check({ type: "runtime", container: "fake-stopped2", handler: "runsc" });
    expect(stopped.passed).toBe(false);
    note("same, command `true` (stopped)", stopped);
    const stoppedAllowed = await check({ type: "runtime", container: "fake-stopped2", handler: "runsc", running: false });
    expect(stoppedAllowed.passed).toBe(false);
    expect(stoppedAllowed.evidence.handler).toBe("runc");
    note("same, stopped, running: false", stoppedAllowed);
  });

  it("replacing the node's /usr/bin/runsc with a link to the container's own program does not make runc pass as runsc", async () => {
    const other = await provider.provision({});
    try {
      const viewO = (await openHostView(provider, other.id)).view;
      await run(`ctr -n k8s.io run -d ${SHELL} plain sleep 300`, other.id);
      await run(`ln -sf ${TASKS}/plain/rootfs/bin/sleep /usr/bin/runsc`, other.id);
      const r = await check({ type: "runtime", container: "plain", handler: "runsc" }, other.id, viewO);
      expect(r.passed).toBe(false);
      expect(r.evidence.handler).toBe("runc");
      note("ln -sf <container's own sleep> /usr/bin/runsc", r);
    } finally {
      await provider.destroy(other.id);
    }
  });

  it("a learner's own wrapper script around the real runsc is gVisor, and passes", async () => {
    await run(`printf '#!/bin/sh\\nexec /usr/bin/runsc --network=none --ignore-cgroups "$@"\\n' > /root/gvisor; chmod +x /root/gvisor`);
    await run(`ctr -n k8s.io run -d --runc-binary /root/gvisor ${SHELL} mine sleep 300`);
    const r = await check({ type: "runtime", container: "mine", handler: "runsc", retries: 5 });
    expect(r.passed, r.message).toBe(true);
    note("own wrapper /root/gvisor -> /usr/bin/runsc", r);
    // The node's own runtime handler keeps passing.
    await run(`ctr -n k8s.io run -d --runc-binary /usr/local/bin/runsc-wrapper ${SHELL} theirs sleep 300`);
    expect((await check({ type: "runtime", container: "theirs", handler: "runsc", retries: 5 })).passed).toBe(true);
  });
});

describe("oomKilled: only the learner's own container counts", () => {
  it("a hand-made cgroup with the container's name and a memory hog in it does not pass", async () => {
    const [d, limit] = V2 ? ["/sys/fs/cgroup/k8s.io/hogc", "memory.max"] : ["/sys/fs/cgroup/memory/k8s.io/hogc", "memory.limit_in_bytes"];
    await run(`mkdir -p ${d} && echo 33554432 > ${d}/${limit}; sh -c 'echo $$ > ${d}/cgroup.procs; exec /usr/local/bin/memhog 100' || true`);
    const r = await check({ type: "oomKilled", container: "hogc" });
    expect(r.passed).toBe(false);
    note("hand-made /k8s.io/hogc + memhog, no container", r);
  });

  it("a real container's OOM passes: memhog, a shell loop, and an OOM after the limit is lowered", async () => {
    await run(`ctr -n k8s.io run -d --memory-limit 33554432 ${MEMHOG} hog1 memhog 100`);
    const hog = await check({ type: "oomKilled", container: "hog1", retries: 10 });
    expect(hog.passed, hog.message).toBe(true);
    note("ctr run -d --memory-limit 32M memhog 100", hog);

    await run(`ctr -n k8s.io run -d --memory-limit 33554432 ${SHELL} loop sh -c 'x=a; while true; do x="$x$x"; done'`);
    const loop = await check({ type: "oomKilled", container: "loop", retries: 10 });
    expect(loop.passed, loop.message).toBe(true);
    note("shell loop doubling a string under 32M", loop);

    // Starts with no limit and doubles a 1 MiB string every half second; the
    // learner lowers the limit on the running container's cgroup (v1 refuses
    // a limit below current usage, so it is lowered while usage is small).
    await run(`ctr -n k8s.io run -d ${SHELL} later sh -c 'x=$(head -c 1048576 /dev/zero | tr "\\0" a); while true; do x="$x$x"; sleep 0.5; done'`);
    const cg = (await check({ type: "cgroup", container: "later", resource: "memory.max", equals: "max", retries: 5 })).evidence.cgroup as string;
    await run(V2 ? `echo 33554432 > /sys/fs/cgroup${cg}/memory.max` : `echo 33554432 > /sys/fs/cgroup/memory${cg}/memory.limit_in_bytes`);
    const lowered = await check({ type: "oomKilled", container: "later", retries: 10 });
    expect(lowered.passed, lowered.message).toBe(true);
    note("limit lowered under a running hog", lowered);
  });
});

describe("namespace: PID 1 of its own pid namespace", () => {
  it("passes for the init of a new pid namespace, not for a process merely inside one", async () => {
    await run("setsid unshare -fp --mount-proc sleep 301 </dev/null >/dev/null 2>&1 &");
    await run("setsid unshare -fp sh -c 'sleep 302 & wait' </dev/null >/dev/null 2>&1 &");
    await new Promise((r) => setTimeout(r, 500));
    const init = await check({ type: "namespace", process: "^sleep 301", kind: "pid", own: true, pid1: true });
    expect(init.passed, init.message).toBe(true);
    const second = await check({ type: "namespace", process: "^sleep 302", kind: "pid", own: true, pid1: true });
    expect(second.passed).toBe(false);
    expect((await check({ type: "namespace", process: "^sleep 302", kind: "pid", own: true })).passed).toBe(true);
    note("pid1: unshare -fp sleep (init) / sleep as pid 2", second);
  });
});
