/**
 * Reading a kind node's readiness: systemd's boot progress from the node
 * container's log, and the Kubernetes Node's Ready condition from
 * `kubectl get nodes -o json`.
 */

/**
 * kind waits for this in the node's log before it execs anything
 * (common.NodeReachedCgroupsReadyRegexp in kind's
 * pkg/cluster/internal/providers/common): exec into a cgroup v2 node before
 * systemd reaches its multi-user target can break the entrypoint's cgroup
 * setup (kubernetes-sigs/kind#2409). On cgroup v1 the entrypoint logs
 * "detected cgroup v1" instead.
 */
export const SYSTEMD_READY_PATTERN = /Reached target .*Multi-User System.*|detected cgroup v1/;

/** True when a node container's log shows it is safe to exec into. */
export function systemdReady(log: string): boolean {
  return SYSTEMD_READY_PATTERN.test(log);
}

/** One Kubernetes Node and its Ready condition. */
export interface NodeReadiness {
  name: string;
  ready: boolean;
  /** Reason/message of the Ready condition, for "not ready yet" details. */
  reason: string;
}

/**
 * Parses `kubectl get nodes -o json` (a v1 NodeList): Ready is the
 * `status.conditions[type=Ready].status == "True"`.
 */
export function parseNodeReadiness(json: string): NodeReadiness[] {
  const list = JSON.parse(json) as { items?: { metadata?: { name?: string }; status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] } }[] };
  return (list.items ?? []).map((n) => {
    const ready = n.status?.conditions?.find((c) => c.type === "Ready");
    return {
      name: n.metadata?.name ?? "",
      ready: ready?.status === "True",
      reason: ready ? `${ready.reason ?? ""}${ready.message ? `: ${ready.message}` : ""}` : "no Ready condition yet",
    };
  });
}
