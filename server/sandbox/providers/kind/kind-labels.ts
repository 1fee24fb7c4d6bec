/**
 * Names kind itself uses, verified against kind's source
 * (kubernetes-sigs/kind, pkg/cluster/internal/providers/docker/constants.go
 * and provision.go): every node container carries
 * `io.x-k8s.kind.cluster=<cluster name>` and `io.x-k8s.kind.role=<role>`,
 * is named `<cluster>-<role>` (common.MakeNodeNamer), and `kind get clusters`
 * is nothing more than a `docker ps` filtered on the cluster label.
 */

/** Docker label naming the kind cluster a node container belongs to. */
export const KIND_CLUSTER_LABEL = "io.x-k8s.kind.cluster";
/** Docker label with the node's role: control-plane, worker, external-load-balancer. */
export const KIND_ROLE_LABEL = "io.x-k8s.kind.role";

/** kind's node roles as written in the role label. */
export type KindRole = "control-plane" | "worker" | "external-load-balancer";

/** Prefix of the kind clusters this platform creates: `labs-<sandbox id>`. */
export const CLUSTER_PREFIX = "labs-";

/** The kind cluster name of a sandbox. */
export function clusterName(sandboxId: string): string {
  return `${CLUSTER_PREFIX}${sandboxId}`;
}

/** The sandbox id of one of our cluster names, or null for anyone else's cluster. */
export function sandboxIdOf(cluster: string): string | null {
  return cluster.startsWith(CLUSTER_PREFIX) && cluster.length > CLUSTER_PREFIX.length ? cluster.slice(CLUSTER_PREFIX.length) : null;
}

/** Name of the control-plane node container of a single-node cluster (kind's node namer). */
export function controlPlaneName(cluster: string): string {
  return `${cluster}-control-plane`;
}

/** Our role label (LABELS.role) on a sandbox's record volume: the platform's half of the join with kind's node containers. */
export const RECORD_ROLE = "cluster-record";
