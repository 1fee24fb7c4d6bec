/**
 * Every check primitive against a real node (real Docker, containerd, runc,
 * runsc, kernel), each seen failing and then passing, plus a tamper test:
 * with `cat`, `ps` and `ctr` replaced inside the node by liars, the checks
 * read from the host stay red while the in-node fallback is fooled (and says
 * it is not tamper-resistant).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_CGROUP_V2 as V2 } from "../../test/support/host-cgroup";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { providerOptionsFromTestEnv } from "../sandbox/providers/docker/test-support";
import { evaluateCheck, type CheckResult } from "./evaluate";
import { openHostView, type HostView } from "./host-view";
import { checkSchema, type CheckInput } from "./schema";

const INSTANCE = `t-checks-${process.pid}`;
const SHELL = "localhost/labs/shell:1";
const MEMHOG = "localhost/labs/memhog:1";

describe("check primitives on a real node", () => {
  const provider = new DockerProvider({ ...providerOptionsFromTestEnv(), instance: INSTANCE });
  let sandboxId: string;
  let host: HostView;
  let inNode: HostView;

  beforeAll(async () => {
    sandboxId = (await provider.provision({})).id;
    const opened = await openHostView(provider, sandboxId);
    // The server and Docker share this machine: the host view must be usable here.
    expect(opened.reason).toBeUndefined();
    host = opened.view;
    inNode = (await openHostView(provider, sandboxId, { forceNodeExec: true })).view;
  });

  afterAll(async () => {
    await provider.destroyAll();
  });

  const check = (c: CheckInput, view: HostView = host): Promise<CheckResult> => evaluateCheck(checkSchema.parse(c), { provider, sandboxId, view, retryDelayMs: 500 });

  /** Runs a shell script in the node; background jobs must not hold the exec's output open. */
  const run = async (script: string) => {
    const r = await provider.exec(sandboxId, ["/bin/sh", "-c", script], { timeoutMs: 60_000 });
    expect(r.exitCode, `${script}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const background = (cmd: string) => run(`setsid ${cmd} </dev/null >/dev/null 2>&1 &`);

  it("host view: from the host, tamper-resistant", () => {
    expect(host).toMatchObject({ source: "host", tamperResistant: true });
    expect(inNode).toMatchObject({ source: "node-exec", tamperResistant: false });
  });

  it("file", async () => {
    expect((await check({ type: "file", path: "/root/notes.txt" })).passed).toBe(false);
    await run("echo 'memory.max is the limit' > /root/notes.txt");
    expect(await check({ type: "file", path: "/root/notes.txt", contains: "memory.max" })).toMatchObject({ passed: true, tamperResistant: true });
    expect((await check({ type: "file", path: "/root/notes.txt", matches: "^memory\\.high" })).passed).toBe(false);
    expect((await check({ type: "file", path: "/root/gone.txt", exists: false })).passed).toBe(true);
  });

  it("command and script", async () => {
    expect(await check({ type: "command", run: "hostname", matches: "^node-" })).toMatchObject({ passed: true, tamperResistant: false });
    expect((await check({ type: "command", run: "echo 3", equals: "4" })).passed).toBe(false);
    expect((await check({ type: "command", run: "exit 3", exitCode: 3 })).passed).toBe(true);
    expect(await check({ type: "script", run: "echo 'Not yet: start c1 first'; exit 1" })).toMatchObject({ passed: false, message: "Not yet: start c1 first" });
    expect(await check({ type: "script", run: "echo '  Well done  '" })).toMatchObject({ passed: true, message: "Well done" });
  });

  it("cgroup: memory.max of a nested container, read from the host's own version (v1 normalised)", async () => {
    const limit = { type: "cgroup", container: "c1", resource: "memory.max", equals: 33554432 } satisfies CheckInput;
    expect(await check(limit)).toMatchObject({ passed: false, message: "Container c1 has no running or stopped task in namespace k8s.io." });
    await run(`ctr -n k8s.io run -d --memory-limit 33554432 ${SHELL} c1 sleep 600`);
    const r = await check(limit);
    const files = V2 ? { "memory.max": "33554432" } : { "memory.limit_in_bytes": "33554432" };
    expect(r).toMatchObject({ passed: true, tamperResistant: true, evidence: { cgroupVersion: V2 ? 2 : 1, cgroup: "/k8s.io/c1", files } });
    expect((await check({ ...limit, equals: 67108864 })).message).toBe("memory.max of c1 is 33554432, not equal to 67108864.");
    expect((await check({ type: "cgroup", container: "c1", resource: "pids.max", equals: "max" })).passed).toBe(true);
    expect((await check({ type: "cgroup", container: "c1", resource: "cpu.max", equals: "max 100000" })).passed).toBe(true);
    expect((await check({ type: "cgroup", container: "c1", resource: "memory.current", atLeast: 1, atMost: 33554432 })).passed).toBe(true);
    const high = await check({ type: "cgroup", container: "c1", resource: "memory.high", equals: "max" });
    if (V2) expect(high.passed, high.message).toBe(true);
    else expect(high.message).toMatch(/not available on cgroup v1/);
    // The fallback reads the same value from inside the node.
    expect(await check(limit, inNode)).toMatchObject({ passed: true, tamperResistant: false });
  });

  it("oomKilled: memhog under 32 MiB, judged on the counter and the kernel log", async () => {
    const oom = { type: "oomKilled", container: "m1" } satisfies CheckInput;
    expect((await check(oom)).passed).toBe(false);
    expect((await check({ type: "oomKilled", container: "c1" })).passed).toBe(false);
    await run(`ctr -n k8s.io run -d --memory-limit 33554432 ${MEMHOG} m1 memhog 200`);
    const r = await check({ ...oom, retries: 10 });
    expect(r).toMatchObject({ passed: true, tamperResistant: true });
    // The kernel log always has it; the cgroup's counter only while the
    // exited task's cgroup still exists (its removal races the check).
    expect(r.evidence.signals).toContain("kernel log: oom-kill of memhog in /k8s.io/m1");
    for (const signal of r.evidence.signals as string[]) expect(["oom_kill counter 1 in /k8s.io/m1", "kernel log: oom-kill of memhog in /k8s.io/m1"]).toContain(signal);
    expect(r.message).toMatch(/^m1 was killed by the OOM killer/);
    // By cgroup path too.
    expect((await check({ type: "oomKilled", cgroup: "/k8s.io/m1" })).passed).toBe(true);
    // `ctr run --rm` removes the container, its task and its cgroup on exit:
    // nothing then tells it from a hand-made cgroup of the same name (the
    // kernel log reads the same), so it is not counted, and the message says why.
    const fg = await provider.exec(sandboxId, ["ctr", "-n", "k8s.io", "run", "--rm", "--memory-limit", "33554432", MEMHOG, "m2", "memhog", "200"], { timeoutMs: 60_000 });
    expect(fg.exitCode).toBe(137);
    const gone = await check({ type: "oomKilled", container: "m2" });
    expect(gone).toMatchObject({ passed: false, evidence: { task: "none" } });
    expect(gone.message).toMatch(/has no task/);
  });

  it("runtime: runsc through the registered handler's binary, and runc", async () => {
    const runsc = { type: "runtime", container: "g1", handler: "runsc" } satisfies CheckInput;
    expect((await check(runsc)).passed).toBe(false);
    await run(`ctr -n k8s.io run -d --runtime io.containerd.runc.v2 --runc-binary /usr/local/bin/runsc-wrapper ${SHELL} g1 sleep 600`);
    const r = await check(runsc);
    expect(r).toMatchObject({ passed: true, tamperResistant: true, evidence: { handler: "runsc", running: true, judgedBy: "the content of the task's init executable against the image's runsc" } });
    expect(await check({ ...runsc, handler: "runc" })).toMatchObject({ passed: false, message: "g1 runs under runsc, not runc." });
    expect((await check({ type: "runtime", container: "c1", handler: "runc" })).passed).toBe(true);
    expect((await check({ type: "runtime", container: "c1", handler: "runsc" })).passed).toBe(false);
  });

  it("namespace: own pid namespace with unshare, shared otherwise", async () => {
    const own = { type: "namespace", process: "^sleep 601$", kind: "pid", own: true } satisfies CheckInput;
    expect((await check(own)).message).toBe("No process matching /^sleep 601$/ is running in your node.");
    await background("sleep 602");
    expect((await check({ ...own, process: "^sleep 602$" })).passed).toBe(false);
    await background("unshare --pid --fork --mount-proc sleep 601");
    const r = await check({ ...own, retries: 5 });
    expect(r).toMatchObject({ passed: true, tamperResistant: true });
    expect((await check({ ...own, kind: "net" })).passed).toBe(false);
    expect((await check({ type: "namespace", process: "^sleep 601$", kind: "net", sharesWith: "^sleep 602$" })).passed).toBe(true);
    expect((await check({ type: "namespace", process: "^sleep 601$", kind: "pid", sharesWith: "^sleep 602$" })).passed).toBe(false);
  });

  it("capability: capsh drops CAP_NET_RAW", async () => {
    const noRaw = { type: "capability", process: "^sleep 603$", excludes: ["CAP_NET_RAW"] } satisfies CheckInput;
    await background("sleep 603");
    expect((await check(noRaw)).passed).toBe(false);
    await run("pkill -x -f 'sleep 603'");
    await background("capsh --drop=cap_net_raw -- -c 'sleep 603'");
    const r = await check({ ...noRaw, retries: 5 });
    expect(r).toMatchObject({ passed: true, tamperResistant: true });
    expect((await check({ type: "capability", process: "^sleep 603$", includes: ["CAP_SYS_ADMIN"] })).passed).toBe(true);
    // A nested container gets containerd's default 14: no SYS_ADMIN.
    expect((await check({ type: "capability", process: "^sleep 600$", excludes: ["sys_admin"], includes: ["chown"] })).passed).toBe(true);
  });

  it("seccomp: a nested container with containerd's default profile is mode 2, the node's shell 0", async () => {
    const filtered = { type: "seccomp", process: "^sleep 604$", mode: 2 } satisfies CheckInput;
    await background("sleep 604");
    expect((await check(filtered)).passed).toBe(false);
    // The background process may not exist yet: retry, as a lab author would.
    expect((await check({ ...filtered, mode: 0, retries: 5 })).passed).toBe(true);
    await run("pkill -x -f 'sleep 604'");
    await run(`ctr -n k8s.io run -d --seccomp ${SHELL} s1 sleep 604`);
    expect(await check(filtered)).toMatchObject({ passed: true, tamperResistant: true });
  });

  it("a broken sandbox gives a sentence, not an exception", async () => {
    const r = await evaluateCheck(checkSchema.parse({ type: "command", run: "true", exitCode: 0 }), { provider, sandboxId: "no-such-sandbox", view: inNode });
    expect(r).toMatchObject({ passed: false, message: "Your sandbox no longer exists, so this could not be checked." });
  });

  // Last: it leaves the node's binaries replaced.
  it("tamper test: liars for cat, ps and ctr do not turn host-read checks green", async () => {
    await run(
      [
        "mkdir -p /tmp/fake",
        `printf '#!/bin/sh\\necho oom_kill_disable 0\\necho under_oom 0\\necho oom_kill 1\\n' > /tmp/fake/cat`,
        `printf '#!/bin/sh\\necho "  PID TTY TIME CMD"\\necho "  42 ? 00:00:00 sleep 999"\\n' > /tmp/fake/ps`,
        `printf '#!/bin/sh\\necho "TASK PID STATUS"\\necho "m9 42 STOPPED"\\n' > /tmp/fake/ctr`,
        "chmod +x /tmp/fake/*",
        "cp /tmp/fake/cat /usr/local/bin/cat && cp /tmp/fake/ps /usr/local/bin/ps",
        "cp /tmp/fake/ctr /usr/bin/ctr && cp /tmp/fake/cat /bin/cat",
      ].join(" && "),
    );
    // The lies work inside the node...
    expect(await run("cat /anything")).toContain("oom_kill 1");
    expect(await run("ctr -n k8s.io task ls")).toContain("m9");
    // ...and fool the in-node fallback, which says it can be fooled.
    expect(await check({ type: "file", path: "/etc/hostname", contains: "oom_kill 1" }, inNode)).toMatchObject({ passed: true, tamperResistant: false });
    expect((await check({ type: "file", path: "/etc/hostname", contains: "oom_kill 1" })).passed).toBe(false);
    // Checks read from the host stay red.
    for (const c of [
      { type: "oomKilled", container: "c1" },
      { type: "oomKilled", container: "m9" },
      { type: "cgroup", container: "c1", resource: "memory.max", equals: 67108864 },
      { type: "cgroup", container: "m9", resource: "memory.max", equals: 33554432 },
      { type: "namespace", process: "^sleep 999$", kind: "pid", own: true },
      { type: "namespace", process: "^sleep 602$", kind: "pid", own: true },
      { type: "capability", process: "^sleep 602$", excludes: ["CAP_NET_RAW"] },
      { type: "runtime", container: "c1", handler: "runsc" },
    ] satisfies CheckInput[]) {
      const r = await check(c);
      expect(r.passed, `${JSON.stringify(c)}: ${r.message}`).toBe(false);
      expect(r.tamperResistant).toBe(true);
    }
    // And the truths still read true.
    expect((await check({ type: "cgroup", container: "c1", resource: "memory.max", equals: 33554432 })).passed).toBe(true);
  });
});
