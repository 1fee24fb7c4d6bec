import { describe, expect, it } from "vitest";
import { findKind, kindVersionProblem, MIN_KIND_VERSION, parseClusterList, parseKindVersion } from "./kind-cli";
import { parseNodeReadiness, systemdReady } from "./node-status";
import { clusterName, sandboxIdOf } from "./kind-labels";
import { fixture } from "./test-fixtures";

describe("parsing kind and kubectl output samples", () => {
  it("kind version", () => {
    expect(parseKindVersion(fixture("kind-version.txt"))).toBe("v0.27.0");
    expect(parseKindVersion("nonsense")).toBeNull();
  });

  it("kind get clusters, and which of them are ours", () => {
    const names = parseClusterList(fixture("kind-get-clusters.txt"));
    expect(names).toEqual(["labs-a1b2c3d4e5", "labs-warm-0f1e2d3c4b", "scratch"]);
    expect(names.map(sandboxIdOf)).toEqual(["a1b2c3d4e5", "warm-0f1e2d3c4b", null]);
    expect(parseClusterList("No kind clusters found.\n")).toEqual([]);
    expect(clusterName("a1b2c3d4e5")).toBe("labs-a1b2c3d4e5");
  });

  it("node readiness from kubectl get nodes -o json", () => {
    expect(parseNodeReadiness(fixture("kubectl-get-nodes-ready.json"))).toEqual([{ name: "labs-a1b2c3d4e5-control-plane", ready: true, reason: "KubeletReady: kubelet is posting ready status" }]);
    const [n] = parseNodeReadiness(fixture("kubectl-get-nodes-notready.json"));
    expect(n!.ready).toBe(false);
    expect(n!.reason).toMatch(/^KubeletNotReady: .*cni plugin not initialized/);
    expect(parseNodeReadiness('{"items":[]}')).toEqual([]);
  });

  it("systemd readiness from the node log (kind's own pattern)", () => {
    expect(systemdReady(fixture("kind-node-log-ready.txt"))).toBe(true);
    expect(systemdReady(fixture("kind-node-log-inotify.txt"))).toBe(false);
    expect(systemdReady("INFO: detected cgroup v1\n")).toBe(true);
  });

  it("finds kind through KIND_BIN or PATH, and says null when absent", () => {
    expect(findKind({ PATH: "/nonexistent" })).toBeNull();
    expect(findKind({ KIND_BIN: "/bin/sh", PATH: "" })).toBe("/bin/sh");
    expect(findKind({ KIND_BIN: "/nonexistent/kind", PATH: "/bin" })).toBeNull();
  });
});

describe("kind version requirement", () => {
  it("refuses kind releases whose node images carry containerd with the gVisor deletion bug, with the version to install", () => {
    expect(kindVersionProblem("v0.27.0")).toMatch(/kind v0\.27\.0 is too old.*v0\.30\.0 or newer/);
    expect(kindVersionProblem("v0.29.0")).toMatch(/too old/);
    expect(kindVersionProblem("v0.30.0")).toBeNull();
    expect(kindVersionProblem("v0.31.0")).toBeNull();
    expect(kindVersionProblem("v1.0.0-alpha")).toBeNull();
    expect(kindVersionProblem(null)).toBeNull();
    expect(MIN_KIND_VERSION).toBe("v0.30.0");
  });
});
