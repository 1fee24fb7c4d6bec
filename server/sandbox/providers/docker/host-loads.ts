/**
 * What placement (placement.ts) needs to know about the hosts of a
 * multi-host provider: how full each is, counting sandboxes still being
 * created there, which are reserved before their containers exist.
 */
import type { Sandbox } from "../../provider";
import type { HostEntry, HostSet } from "./host-set";
import type { HostLoad } from "./placement";

/** Sandboxes counted as occupying a place (a stopped node uses no memory). */
const occupies = (s: Sandbox) => s.state !== "stopped";

export class HostLoads {
  /** Sandboxes being created, per host. */
  private readonly pending = new Map<string, Set<string>>();

  constructor(private readonly hosts: HostSet) {}

  /**
   * Counts `id` on `host` until the returned function is called. Call it
   * before any await, so that concurrent placements see this one.
   */
  reserve(host: string, id: string): () => void {
    const pending = this.pending.get(host) ?? new Set<string>();
    this.pending.set(host, pending.add(id));
    return () => pending.delete(id);
  }

  /** The load of every host now; hosts that are not up, fail to answer or are in `exclude` count as unhealthy. */
  async now(exclude: Set<string>): Promise<HostLoad[]> {
    return Promise.all(
      this.hosts.entries.map(async (e): Promise<HostLoad> => {
        const name = e.config.name;
        const unhealthy = { name, healthy: false, sandboxes: 0, maxSandboxes: 0 };
        if (e.health.state !== "up" || exclude.has(name)) return unhealthy;
        try {
          const [sandboxes, max] = await Promise.all([e.provider.list(), this.maxOf(e)]);
          const ids = new Set(sandboxes.filter(occupies).map((s) => s.id));
          for (const id of this.pending.get(name) ?? []) ids.add(id);
          return { name, healthy: e.health.state === "up", sandboxes: ids.size, maxSandboxes: max };
        } catch (err) {
          this.hosts.noteFailure(e, err);
          return unhealthy;
        }
      }),
    );
  }

  private async maxOf(e: HostEntry): Promise<number> {
    e.max ??= (await e.provider.info()).max;
    return e.max;
  }
}
