/**
 * Pod-based oomKilled and runtime checks of cluster sandboxes, against the
 * kubectl/crictl output samples in test/fixtures/kind (no cluster needed:
 * the provider's exec answers from the samples by argv).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ExecResult, SandboxProvider } from "../sandbox/provider";
import { evaluateCheck, type CheckContext } from "./evaluate";
import type { HostView } from "./host-view";
import { stubView } from "./test-views";
import { checkSchema, parseCheck, type CheckInput } from "./schema";

const fx = (n: string) => readFileSync(path.resolve(import.meta.dirname, "../../test/fixtures/kind", n), "utf8");
const CID = "4f5c0a9e8b7d6c5b4a3928170f6e5d4c3b2a19087f6e5d4c3b2a190876543210";
const SID = "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9";

/** A cluster provider whose exec answers from a table of argv -> output (missing: exit 1). */
function cluster(answers: Record<string, string>, environment: "cluster" | "node" = "cluster"): SandboxProvider {
  return {
    name: "fake",
    environment,
    exec: async (_id: string, argv: string[]): Promise<ExecResult> => {
      const out = answers[argv.join(" ")];
      return { exitCode: out === undefined ? 1 : 0, stdout: out ?? "", stderr: out === undefined ? "NotFound" : "", truncated: false, timedOut: false, durationMs: 1 };
    },
  } as unknown as SandboxProvider;
}

/** A view with nothing to read: only the kubelet's and CRI's signals count. */
const empty: HostView = stubView({ source: "node-exec", tamperResistant: false, kernelOomKills: async () => null });
const ctx = (p: SandboxProvider, view: HostView = empty): CheckContext => ({ provider: p, sandboxId: "sb", view, retryDelayMs: 1 });
const check = (c: CheckInput) => checkSchema.parse(c);
const getPod = (name: string) => `kubectl get pod ${name} --namespace default -o json`;

describe("oomKilled on a Pod", () => {
  it("passes on the kubelet's OOMKilled and the CRI's status", async () => {
    const p = cluster({ [getPod("hog")]: fx("kubectl-pod-oomkilled.json"), [`crictl inspect -o json ${CID}`]: fx("crictl-inspect-oom.json") });
    const r = await evaluateCheck(check({ type: "oomKilled", pod: { name: "hog" } }), ctx(p));
    expect(r.passed).toBe(true);
    expect(r.evidence.signals).toEqual(["kubelet: state.terminated.reason OOMKilled", "crictl: 4f5c0a9e8b7d reason OOMKilled"]);
    expect(r.evidence.supporting).toEqual(["kubelet: state.terminated.exitCode 137", "crictl: 4f5c0a9e8b7d exit code 137"]);
    expect(r.tamperResistant).toBe(false);
  });

  it("does not pass on exit code 137 alone (Error + SIGKILL): that is any kill, and says so", async () => {
    const r = await evaluateCheck(check({ type: "oomKilled", pod: { name: "hog" } }), ctx(cluster({ [getPod("hog")]: fx("kubectl-pod-error-137.json") })));
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/SIGKILL, exit 137, but nothing says the OOM killer did it/);
    expect(r.evidence.supporting).toEqual(["kubelet: state.terminated.exitCode 137 (reason Error)"]);
  });

  it("passes on the node's cgroup oom_kill counter alone (kubelet and CRI silent)", async () => {
    const pod = JSON.parse(fx("kubectl-pod-error-137.json"));
    pod.status.containerStatuses[0].state = { terminated: { exitCode: 1, reason: "Error", containerID: `containerd://${CID}` } };
    const view: HostView = {
      ...empty,
      readNodeFile: async (f) => (f.endsWith(`/k8s.io/${CID}/config.json`) ? JSON.stringify({ linux: { cgroupsPath: `kubelet-kubepods-pod1.slice:cri-containerd:${CID}` } }) : null),
      readCgroupFile: async (_c, rel, file) => (file === "memory.events" && rel.endsWith(`cri-containerd-${CID}.scope`) ? "oom 1\noom_kill 1\n" : null),
    };
    const r = await evaluateCheck(check({ type: "oomKilled", pod: { name: "hog" } }), ctx(cluster({ [getPod("hog")]: JSON.stringify(pod) }), view));
    expect(r.passed).toBe(true);
    expect((r.evidence.signals as string[])[0]).toMatch(/^4f5c0a9e8b7d: oom_kill counter 1 in \/kubelet\.slice\/.*cri-containerd-4f5c.*\.scope$/);
  });

  it("counts a previous run that was OOM-killed (restartPolicy Always)", async () => {
    const r = await evaluateCheck(check({ type: "oomKilled", pod: { name: "hog", container: "hog" } }), ctx(cluster({ [getPod("hog")]: fx("kubectl-pod-restarted-oom.json") })));
    expect(r.passed).toBe(true);
    expect(r.evidence.signals).toContain("kubelet: lastState.terminated.reason OOMKilled");
  });

  it("fails with sentences: no such pod, not a cluster, not OOM", async () => {
    expect((await evaluateCheck(check({ type: "oomKilled", pod: { name: "ghost" } }), ctx(cluster({})))).message).toBe("pod/ghost in default could not be read (NotFound).");
    expect((await evaluateCheck(check({ type: "oomKilled", pod: { name: "hog" } }), ctx(cluster({}, "node")))).message).toBe("This check needs a Kubernetes cluster sandbox.");
    const pod = JSON.parse(fx("kubectl-pod-restarted-oom.json"));
    pod.status.containerStatuses[0].lastState = {};
    const r = await evaluateCheck(check({ type: "oomKilled", pod: { name: "hog" } }), ctx(cluster({ [getPod("hog")]: JSON.stringify(pod) })));
    expect(r).toMatchObject({ passed: false, message: "No sign that the OOM killer killed pod/hog yet." });
  });
});

describe("runtime of a Pod", () => {
  const sandboxed = () => {
    const pod = JSON.parse(fx("kubectl-pod-restarted-oom.json"));
    pod.metadata.name = "sandboxed";
    pod.spec.runtimeClassName = "gvisor";
    return JSON.stringify(pod);
  };
  const answers = (inspectp: string) => ({
    [getPod("sandboxed")]: sandboxed(),
    [`crictl inspect -o json ${CID}`]: fx("crictl-inspect-oom.json"),
    [`crictl inspectp -o json ${SID}`]: inspectp,
  });

  it("passes when the CRI says the sandbox runs under runsc", async () => {
    const r = await evaluateCheck(check({ type: "runtime", pod: { name: "sandboxed" }, handler: "runsc" }), ctx(cluster(answers(fx("crictl-inspectp-runsc.json")))));
    expect(r).toMatchObject({ passed: true, message: "pod/sandboxed runs under the runsc handler.", evidence: { runtimeClassName: "gvisor" } });
  });

  it("fails under runc, and when the shim disagrees with the CRI", async () => {
    const runc = await evaluateCheck(check({ type: "runtime", pod: { name: "sandboxed" }, handler: "runsc" }), ctx(cluster(answers(fx("crictl-inspectp-runc-1.7.json")))));
    expect(runc).toMatchObject({ passed: false, message: "pod/sandboxed runs under runc, not runsc." });
    const view: HostView = { ...empty, readNodeFile: async (f) => (f.endsWith("config.json") ? "{}" : f.endsWith("shim-binary-path") ? "/usr/local/bin/containerd-shim-runc-v2" : null) };
    const forged = await evaluateCheck(check({ type: "runtime", pod: { name: "sandboxed" }, handler: "runsc" }), ctx(cluster(answers(fx("crictl-inspectp-runsc.json"))), view));
    expect(forged.passed).toBe(false);
    expect(forged.message).toMatch(/disagree/);
  });

  // Task bundles as containerd writes them (TASK_STATE_DIR/k8s.io/<id>/):
  // 1.7 writes shim-binary-path for every task; 2.0.0–2.0.5 start an app
  // container inside its sandbox's shim and write nothing there, while the
  // pause task's bundle always has it.
  const TASKS = "/run/containerd/io.containerd.runtime.v2.task/k8s.io";
  const bundles = (files: Record<string, string>): HostView => ({ ...empty, readNodeFile: async (f) => files[f] ?? null });
  const runscShim = "/usr/local/bin/containerd-shim-runsc-v1";

  it("containerd 1.7 layout: app and pause bundles both name the runsc shim: passes", async () => {
    const view = bundles({
      [`${TASKS}/${CID}/config.json`]: "{}",
      [`${TASKS}/${CID}/shim-binary-path`]: runscShim,
      [`${TASKS}/${SID}/config.json`]: "{}",
      [`${TASKS}/${SID}/shim-binary-path`]: runscShim,
    });
    const r = await evaluateCheck(check({ type: "runtime", pod: { name: "sandboxed" }, handler: "runsc" }), ctx(cluster(answers(fx("crictl-inspectp-runsc.json"))), view));
    expect(r).toMatchObject({ passed: true, evidence: { handlerFromSandboxBundle: "runsc", handlerFromBundle: "runsc" } });
  });

  it("containerd 2.0.x layout: an empty app bundle is unknown, not runc; the pause bundle decides: passes", async () => {
    const view = bundles({
      [`${TASKS}/${CID}/config.json`]: "{}",
      [`${TASKS}/${SID}/config.json`]: "{}",
      [`${TASKS}/${SID}/shim-binary-path`]: runscShim,
    });
    const r = await evaluateCheck(check({ type: "runtime", pod: { name: "sandboxed" }, handler: "runsc" }), ctx(cluster(answers(fx("crictl-inspectp-runsc.json"))), view));
    expect(r.message).not.toMatch(/disagree/);
    expect(r).toMatchObject({ passed: true, evidence: { handlerFromSandboxBundle: "runsc", handlerFromBundle: "unknown" } });
  });
});

describe("schema of pod-based checks", () => {
  it("takes exactly one target", () => {
    expect(parseCheck({ type: "oomKilled", pod: { name: "hog" }, container: "x" })).toMatchObject({ ok: false, errors: ["(check): an oomKilled check needs exactly one of container, cgroup or pod"] });
    expect(parseCheck({ type: "runtime", handler: "runsc" })).toMatchObject({ ok: false, errors: ["(check): a runtime check needs exactly one of container or pod"] });
    expect(parseCheck({ type: "runtime", pod: { name: "Bad_Name" }, handler: "runsc" }).ok).toBe(false);
    expect(checkSchema.parse({ type: "oomKilled", pod: { name: "hog" } })).toMatchObject({ pod: { name: "hog", namespace: "default" } });
  });
});
