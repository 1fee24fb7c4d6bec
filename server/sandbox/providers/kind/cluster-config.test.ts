import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterConfig, renderClusterConfig, runtimeClassManifest, RUNSC_CONTAINERD_PATCH } from "./cluster-config";
import { golden } from "./test-fixtures";

describe("kind cluster config", () => {
  const config = clusterConfig({ name: "labs-a1b2c3d4e5", image: "runtime-labs/kind-node:dev", nodeLabels: { "runtimelabs.dev/sandbox": "a1b2c3d4e5" } });

  it("matches the golden file", () => {
    const { expected, actual } = golden("cluster-config.yaml", renderClusterConfig(config));
    expect(actual).toBe(expected);
  });

  it("is one control-plane node with our image, the API server on loopback only", () => {
    const doc = parse(renderClusterConfig(config));
    expect(doc).toMatchObject({ kind: "Cluster", apiVersion: "kind.x-k8s.io/v1alpha4", name: "labs-a1b2c3d4e5" });
    expect(doc.nodes).toEqual([{ role: "control-plane", image: "runtime-labs/kind-node:dev", labels: { "runtimelabs.dev/sandbox": "a1b2c3d4e5" } }]);
    expect(doc.networking.apiServerAddress).toBe("127.0.0.1");
  });

  it("registers the runsc handler with containerd's CRI plugin", () => {
    const doc = parse(renderClusterConfig(config));
    expect(doc.containerdConfigPatches).toEqual([RUNSC_CONTAINERD_PATCH]);
    expect(RUNSC_CONTAINERD_PATCH).toContain('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]');
    expect(RUNSC_CONTAINERD_PATCH).toContain('runtime_type = "io.containerd.runsc.v1"');
  });

  it("leaves out empty node labels", () => {
    expect(clusterConfig({ name: "labs-x", image: "i" }).nodes[0]).toEqual({ role: "control-plane", image: "i" });
  });

  it("renders the gvisor RuntimeClass pointing at the runsc handler (golden)", () => {
    const { expected, actual } = golden("runtimeclass-gvisor.yaml", runtimeClassManifest());
    expect(actual).toBe(expected);
    expect(parse(actual)).toEqual({ apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "gvisor" }, handler: "runsc" });
  });
});
