/**
 * The kind cluster configuration of one sandbox (kind.x-k8s.io/v1alpha4),
 * generated as data and rendered to YAML so that golden files show exactly
 * what kind is given. Field names follow kind's v1alpha4 API
 * (pkg/apis/config/v1alpha4/types.go): name, nodes[].role, nodes[].image,
 * nodes[].labels, networking.apiServerAddress, containerdConfigPatches.
 */
import { stringify } from "yaml";

/** The CRI runtime handler gVisor is registered under; a RuntimeClass points at it. */
export const GVISOR_HANDLER = "runsc";
/** Name of the RuntimeClass the platform installs. */
export const GVISOR_RUNTIME_CLASS = "gvisor";

/**
 * Registers runsc with containerd's CRI plugin. kind's base image writes a
 * version 2 config (images/base/files/etc/containerd/config.toml), so the
 * patch uses the v2 plugin key, as gVisor's containerd quick start does
 * (gvisor.dev/docs/user_guide/containerd/quick_start); containerd 2.x
 * migrates version 2 configs on load. The shim reads runsc flags from
 * ConfigPath (installed by images/kind-node).
 */
export const RUNSC_CONTAINERD_PATCH = [
  `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${GVISOR_HANDLER}]`,
  `  runtime_type = "io.containerd.runsc.v1"`,
  `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${GVISOR_HANDLER}.options]`,
  `  TypeUrl = "io.containerd.runsc.v1.options"`,
  `  ConfigPath = "/etc/containerd/runsc.toml"`,
  "",
].join("\n");

/** What varies per sandbox. */
export interface ClusterConfigInput {
  /** kind cluster name (`labs-<sandbox id>`). */
  name: string;
  /** Node image (ours: runtime-labs/kind-node with gVisor). */
  image: string;
  /** Kubernetes node labels of the control-plane node (not Docker labels: kind cannot set those). */
  nodeLabels?: Record<string, string>;
}

/** kind's v1alpha4 Cluster object, only the fields we set. */
export interface KindClusterConfig {
  kind: "Cluster";
  apiVersion: "kind.x-k8s.io/v1alpha4";
  name: string;
  nodes: { role: "control-plane"; image: string; labels?: Record<string, string> }[];
  networking: { apiServerAddress: string; apiServerPort: number };
  containerdConfigPatches: string[];
}

/**
 * One control-plane node (it runs workloads too: kind removes the
 * control-plane taint when there are no workers), its API server published
 * on 127.0.0.1 only at a port Docker picks (0), and the runsc handler.
 */
export function clusterConfig(input: ClusterConfigInput): KindClusterConfig {
  const node: KindClusterConfig["nodes"][number] = { role: "control-plane", image: input.image };
  if (input.nodeLabels && Object.keys(input.nodeLabels).length > 0) node.labels = { ...input.nodeLabels };
  return {
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    name: input.name,
    nodes: [node],
    // 127.0.0.1: the API server must never be published on the host's other
    // interfaces (kind's default is also loopback, made explicit here).
    networking: { apiServerAddress: "127.0.0.1", apiServerPort: 0 },
    containerdConfigPatches: [RUNSC_CONTAINERD_PATCH],
  };
}

/** The YAML given to `kind create cluster --config -`. */
export function renderClusterConfig(config: KindClusterConfig): string {
  return stringify(config, { lineWidth: 0 });
}

/** The RuntimeClass manifest applied after creation. */
export function runtimeClassManifest(): string {
  return stringify({
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name: GVISOR_RUNTIME_CLASS },
    handler: GVISOR_HANDLER,
  });
}
