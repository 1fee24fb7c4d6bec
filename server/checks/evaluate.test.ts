import { describe, expect, it } from "vitest";
import type { ExecResult, SandboxProvider } from "../sandbox/provider";
import { compareKubectlOutput, evaluateCheck, kubectlArgv, type CheckContext } from "./evaluate";
import type { HostView } from "./host-view";
import { stubView } from "./test-views";
import { checkSchema, kubectlCheck, type CheckInput } from "./schema";

/** A provider whose exec answers from a function; only what checks use. */
function fakeProvider(environment: "node" | "cluster", exec: (argv: string[]) => Partial<ExecResult> | Promise<never>): SandboxProvider {
  return {
    name: "fake",
    environment,
    exec: async (_id: string, argv: string[]) => ({ exitCode: 0, stdout: "", stderr: "", truncated: false, timedOut: false, durationMs: 1, ...(await exec(argv)) }),
  } as unknown as SandboxProvider;
}

const view: HostView = stubView();

const ctx = (provider: SandboxProvider, v: HostView = view): CheckContext => ({ provider, sandboxId: "sb", view: v, retryDelayMs: 1 });
const check = (c: CheckInput) => checkSchema.parse(c);

describe("kubectl checks", () => {
  const c = kubectlCheck.parse({ type: "kubectl", resource: "pods", name: "web", namespace: "labs", jsonpath: "{.status.phase}", equals: "Running" });

  it("builds kubectl's argv without a shell", () => {
    expect(kubectlArgv(c)).toEqual(["kubectl", "get", "pods", "web", "--namespace", "labs", "-o", "jsonpath={.status.phase}"]);
    expect(kubectlArgv({ ...c, namespace: undefined })).toEqual(["kubectl", "get", "pods", "web", "-o", "jsonpath={.status.phase}"]);
  });

  it("compares output by equality or regex", () => {
    expect(compareKubectlOutput({ equals: "Running" }, "Running\n")).toBe(true);
    expect(compareKubectlOutput({ equals: "Running" }, "Pending")).toBe(false);
    expect(compareKubectlOutput({ matches: "^runsc$" }, "runsc")).toBe(true);
  });

  it("runs kubectl in a cluster sandbox and refuses in a node sandbox", async () => {
    let seen: string[] = [];
    const cluster = fakeProvider("cluster", (argv) => ((seen = argv), { stdout: "Running" }));
    const r = await evaluateCheck(c, ctx(cluster));
    expect(r).toMatchObject({ passed: true, tamperResistant: false, message: "pods/web in labs is as expected." });
    expect(seen).toEqual(kubectlArgv(c));
    const node = await evaluateCheck(c, ctx(fakeProvider("node", () => ({}))));
    expect(node).toMatchObject({ passed: false, message: "This check needs a Kubernetes cluster sandbox." });
  });
});

describe("evaluateCheck", () => {
  it("retries a failing check and reports the attempts", async () => {
    let n = 0;
    const p = fakeProvider("node", () => ({ exitCode: ++n < 3 ? 1 : 0, stdout: n < 3 ? "" : "well done" }));
    const r = await evaluateCheck(check({ type: "script", run: "x", retries: 3 }), ctx(p));
    expect(r).toMatchObject({ passed: true, message: "well done", evidence: { attempts: 3 } });
  });

  it("times out with a sentence instead of hanging", async () => {
    const p = fakeProvider("node", () => new Promise<never>(() => {}));
    const r = await evaluateCheck(check({ type: "script", run: "x", timeoutMs: 100 }), ctx(p));
    expect(r).toMatchObject({ passed: false, message: "The check did not finish within 100 ms.", evidence: { timedOut: true } });
  });

  it("turns a broken sandbox into a failed result (no instanceof needed)", async () => {
    const gone = Object.assign(new Error("This sandbox does not exist (any more)."), { code: "NOT_FOUND" });
    const p = fakeProvider("node", () => Promise.reject(gone) as Promise<never>);
    const r = await evaluateCheck(check({ type: "command", run: "x", exitCode: 0 }), ctx(p));
    expect(r).toMatchObject({ passed: false, message: "Your sandbox no longer exists, so this could not be checked.", evidence: { code: "NOT_FOUND" } });
  });

  it("caps script feedback", async () => {
    const p = fakeProvider("node", () => ({ stdout: "x".repeat(5000) }));
    const r = await evaluateCheck(check({ type: "script", run: "x" }), ctx(p));
    expect(r.message.length).toBe(2000);
  });

  const parentCounted: HostView = {
    ...view,
    readCgroupFile: async (_c, rel, file) => (rel === "/k8s.io" && file === "memory.events" ? "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 1\n" : null),
  };

  it("judges a CRI container's OOM on a v2 parent's counter when its cgroup is gone; exit 137 only supports", async () => {
    const v: HostView = {
      ...parentCounted,
      readNodeFile: async (f) => (f === "/var/lib/containerd/io.containerd.grpc.v1.cri/containers/m1/status" ? JSON.stringify({ Version: "v1", ExitCode: 137, Reason: "Error" }) : null),
    };
    const r = await evaluateCheck(
      check({ type: "oomKilled", container: "m1" }),
      ctx(
        fakeProvider("node", () => ({})),
        v,
      ),
    );
    expect(r.passed).toBe(true);
    expect(r.evidence).toMatchObject({ cgroupGone: true, parentOomKillCounter: 1, signals: ["oom_kill counter 1 in parent /k8s.io"] });
    expect(r.evidence.supporting).toEqual(["exit status 137 (SIGKILL; not proof of an OOM kill by itself)"]);
    // The cgroup was chosen because of a status file in the node: not tamper-resistant.
    expect(r.tamperResistant).toBe(false);
  });

  it("never reads a cgroup that merely has the container's name: no task or CRI record, no pass", async () => {
    const r = await evaluateCheck(
      check({ type: "oomKilled", container: "m1" }),
      ctx(
        fakeProvider("node", () => ({})),
        parentCounted,
      ),
    );
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/has no task/);
    expect(r.evidence.ownership).toMatch(/same name is not evidence/);
  });

  it("does not pass on exit 137 alone for a container", async () => {
    const v: HostView = {
      ...view,
      readNodeFile: async (f) => (f.endsWith("/containers/m1/status") ? JSON.stringify({ ExitCode: 137, Reason: "Error" }) : null),
    };
    const r = await evaluateCheck(
      check({ type: "oomKilled", container: "m1" }),
      ctx(
        fakeProvider("node", () => ({})),
        v,
      ),
    );
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/SIGKILL/);
  });
});
