/**
 * Network isolation of cluster sandboxes, as data.
 *
 * kind puts every cluster on one shared Docker network ("kind") unless
 * KIND_EXPERIMENTAL_DOCKER_NETWORK names another (kind's
 * pkg/cluster/internal/providers/docker/provider.go; kind calls it "here be
 * dragons" but honours it, and reuses a network that already exists). On a
 * shared network every learner's node, root and privileged, can reach every
 * other learner's API server and kubelet. So each cluster gets its own
 * bridge network, made by us before kind runs (so it carries our labels and
 * kind merely reuses it) and removed with the sandbox. Docker isolates
 * bridge networks from each other; the API server is published on the
 * host's 127.0.0.1 only, which other bridges cannot reach.
 *
 * Build machines must not create Docker networks (see
 * /work/shared/environment.md), so the plan is unit-tested as data and the
 * real networks are exercised only by the full-flow test where kind runs.
 */
import { buildLabels, LABELS, type SandboxLabelData } from "../../labels";

/** Label role of the per-cluster network. */
export const NETWORK_ROLE = "cluster-network";

/** What to create (and later remove) for one cluster's network. */
export interface NetworkPlan {
  /** Docker network name; also given to kind as KIND_EXPERIMENTAL_DOCKER_NETWORK. */
  name: string;
  driver: "bridge";
  labels: Record<string, string>;
  /**
   * Driver options. enable_icc stays on: the nodes of one cluster must talk
   * to each other. Masquerade stays on so nodes can reach registries when a
   * lab pulls an image; labs preload theirs, operators who want no egress
   * at all can set `internal` (then kind cannot publish the API port, and the
   * platform reaches the cluster only through `docker exec`).
   */
  options: Record<string, string>;
  /** No route out of the network (see `options`). */
  internal: boolean;
  /** Environment for the `kind create cluster` process. */
  kindEnv: Record<string, string>;
}

/** Options of {@link networkPlan}. */
export interface NetworkPlanOptions {
  /** Cut the cluster off from everything but itself (no egress, no published API port). */
  internal?: boolean;
}

/** The network plan of one cluster sandbox. */
export function networkPlan(labels: SandboxLabelData, options: NetworkPlanOptions = {}): NetworkPlan {
  const name = `labs-${labels.sandboxId}-net`;
  return {
    name,
    driver: "bridge",
    labels: { ...buildLabels(labels, "node"), [LABELS.role]: NETWORK_ROLE },
    options: {
      "com.docker.network.bridge.enable_icc": "true",
      "com.docker.network.bridge.enable_ip_masquerade": String(!options.internal),
    },
    internal: options.internal ?? false,
    kindEnv: { KIND_EXPERIMENTAL_DOCKER_NETWORK: name },
  };
}

/** Docker API body of `POST /networks/create` for a plan. */
export function networkCreateOptions(plan: NetworkPlan): {
  Name: string;
  Driver: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  Internal: boolean;
  CheckDuplicate: boolean;
} {
  return { Name: plan.name, Driver: plan.driver, Labels: plan.labels, Options: plan.options, Internal: plan.internal, CheckDuplicate: true };
}
