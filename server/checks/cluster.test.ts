import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { containerIds, kubeletOomSignals, parseCrictlInspect, parseCrictlInspectp, parsePod, pickContainer, stripRuntimePrefix } from "./cluster";

const fx = (n: string) => readFileSync(path.resolve(import.meta.dirname, "../../test/fixtures/kind", n), "utf8");
const CID = "4f5c0a9e8b7d6c5b4a3928170f6e5d4c3b2a19087f6e5d4c3b2a190876543210";

describe("cluster facts from kubectl and crictl samples", () => {
  it("OOMKilled pod: the reason is a signal; exit code 137 only supports it", () => {
    const c = pickContainer(parsePod(fx("kubectl-pod-oomkilled.json")), "hog")!;
    expect(kubeletOomSignals(c)).toEqual({ signals: ["kubelet: state.terminated.reason OOMKilled"], supporting: ["kubelet: state.terminated.exitCode 137"] });
    expect(containerIds(c)).toEqual([CID]);
  });

  it("reported as Error with exit 137 (systemd driver race): 137 alone is SIGKILL, not a signal; kept as supporting", () => {
    const c = pickContainer(parsePod(fx("kubectl-pod-error-137.json")), undefined)!;
    expect(kubeletOomSignals(c)).toEqual({ signals: [], supporting: ["kubelet: state.terminated.exitCode 137 (reason Error)"] });
  });

  it("restarted after an OOM kill: the last state counts and both runs' ids are kept", () => {
    const pod = parsePod(fx("kubectl-pod-restarted-oom.json"));
    const c = pickContainer(pod, "hog")!;
    expect(pod.phase).toBe("Running");
    expect(c.terminated).toBeNull();
    expect(kubeletOomSignals(c)).toEqual({ signals: ["kubelet: lastState.terminated.reason OOMKilled"], supporting: ["kubelet: lastState.terminated.exitCode 137"] });
    expect(containerIds(c)).toEqual([CID, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]);
    expect(pickContainer(pod, "nope")).toBeNull();
  });

  it("crictl inspect: CRI status and the container's cgroup", () => {
    expect(parseCrictlInspect(fx("crictl-inspect-oom.json"))).toEqual({
      state: "CONTAINER_EXITED",
      exitCode: 137,
      reason: "OOMKilled",
      sandboxId: "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9",
      cgroupsPath: `kubelet-kubepods-burstable-pod2c4e6a8b_1d3f_4a5b_9c7d_0e1f2a3b4c5d.slice:cri-containerd:${CID}`,
      runtimeType: "io.containerd.runc.v2",
    });
  });

  it("crictl inspectp: the runtime handler wherever the version put it", () => {
    expect(parseCrictlInspectp(fx("crictl-inspectp-runsc.json"))).toEqual({ handler: "runsc", from: "status.runtimeHandler", runtimeType: "io.containerd.runsc.v1" });
    // containerd 2.x without the CRI status field: the versioned sandbox metadata.
    const j = JSON.parse(fx("crictl-inspectp-runsc.json"));
    delete j.status.runtimeHandler;
    expect(parseCrictlInspectp(JSON.stringify(j))).toMatchObject({ handler: "runsc", from: "info.sandboxMetadata.Metadata.RuntimeHandler" });
    // containerd 1.7, default handler (empty): decided by the runtime type.
    expect(parseCrictlInspectp(fx("crictl-inspectp-runc-1.7.json"))).toEqual({ handler: "runc", from: "info.runtimeType", runtimeType: "io.containerd.runc.v2" });
  });

  it("strips the runtime prefix of container ids", () => {
    expect(stripRuntimePrefix("containerd://abc")).toBe("abc");
    expect(stripRuntimePrefix("")).toBeNull();
    expect(stripRuntimePrefix(undefined)).toBeNull();
  });
});
