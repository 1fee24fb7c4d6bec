/**
 * Where a new sandbox goes: the least loaded healthy host with room.
 *
 * Load is the share of a host's capacity in use, so a host of 20 with 10
 * sandboxes (0.5) is preferred over a host of 4 with 3 (0.75): hosts fill up
 * evenly in proportion to their size rather than in turn. Ties go to the host
 * listed first, which keeps placement predictable for operators and tests.
 */

/** What placement knows about one host at the moment of choosing. */
export interface HostLoad {
  name: string;
  /** False for a host that missed its last health check or is down: it gets nothing new. */
  healthy: boolean;
  /** Sandboxes on it now, including ones being created. */
  sandboxes: number;
  /** Most sandboxes it may hold. */
  maxSandboxes: number;
}

/** The outcome of a placement: a host, or why none fits. */
export type Placement = { host: string } | { host: null; reason: string };

/** Share of capacity in use (1 or more = full). */
export function loadOf(h: HostLoad): number {
  return h.maxSandboxes > 0 ? h.sandboxes / h.maxSandboxes : Infinity;
}

/** Picks the least loaded healthy host with room; hosts are in configured order. */
export function placeSandbox(hosts: readonly HostLoad[]): Placement {
  let best: HostLoad | null = null;
  for (const h of hosts) {
    if (!h.healthy || h.sandboxes >= h.maxSandboxes) continue;
    if (!best || loadOf(h) < loadOf(best)) best = h;
  }
  if (best) return { host: best.name };
  const healthy = hosts.filter((h) => h.healthy);
  if (healthy.length === 0) {
    return { host: null, reason: `none of the ${hosts.length} Docker host(s) is answering (${hosts.map((h) => h.name).join(", ")})` };
  }
  const used = healthy.reduce((n, h) => n + h.sandboxes, 0);
  const max = healthy.reduce((n, h) => n + h.maxSandboxes, 0);
  return { host: null, reason: `every answering host is full (${used} of ${max} sandboxes on ${healthy.map((h) => h.name).join(", ")})` };
}
