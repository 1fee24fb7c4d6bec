/**
 * A kind cluster's Docker objects as the provider finds them: node
 * containers by kind's labels, its network by ours. Shared by the provider
 * (list, destroy, reap) and the creation steps (create cluster, limit memory,
 * and their undo).
 */
import type { SandboxNode } from "../../provider";
import { labelFilters, LABELS } from "../../labels";
import type { ContainerSummary, DockerApi } from "../common/docker-api";
import { KIND_CLUSTER_LABEL, KIND_ROLE_LABEL } from "./kind-labels";
import { NETWORK_ROLE } from "./network-plan";

/** A node container of a cluster with its engine state ("running", "created", "exited" ...). */
export interface LabelledNode {
  node: SandboxNode;
  state: string;
}

/** Node containers grouped by kind cluster, control-plane first. */
export function groupNodes(containers: ContainerSummary[]): Map<string, LabelledNode[]> {
  const out = new Map<string, LabelledNode[]>();
  for (const c of containers) {
    const cluster = c.labels[KIND_CLUSTER_LABEL];
    if (!cluster) continue;
    const role = c.labels[KIND_ROLE_LABEL] === "control-plane" ? "control-plane" : "worker";
    const list = out.get(cluster) ?? [];
    list.push({ node: { name: c.name, containerId: c.id, role }, state: c.state });
    out.set(cluster, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.node.role === b.node.role ? a.node.name.localeCompare(b.node.name) : a.node.role === "control-plane" ? -1 : 1));
  return out;
}

/** The nodes of one cluster, control-plane first. */
export async function nodesOf(api: DockerApi, cluster: string): Promise<SandboxNode[]> {
  return (
    groupNodes(await api.listContainers([`${KIND_CLUSTER_LABEL}=${cluster}`]))
      .get(cluster)
      ?.map((n) => n.node) ?? []
  );
}

/** Removes a cluster's node containers as `kind delete cluster` does (`docker rm -f -v`). */
export async function removeNodes(api: DockerApi, cluster: string): Promise<void> {
  for (const c of await api.listContainers([`${KIND_CLUSTER_LABEL}=${cluster}`])) await api.removeContainer(c.id);
}

/** Label filters of the cluster networks of an instance, or of one sandbox's. */
export function networkFilters(instance: string, sandboxId?: string): string[] {
  return [...labelFilters({ instance, sandboxId }), `${LABELS.role}=${NETWORK_ROLE}`];
}

/** Removes a sandbox's cluster network(s); none is fine. */
export async function removeNetworks(api: DockerApi, instance: string, sandboxId: string): Promise<void> {
  for (const n of await api.listNetworks(networkFilters(instance, sandboxId))) await api.removeNetwork(n.id);
}
