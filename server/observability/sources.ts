/**
 * Reads the platform's levels for metrics.ts at scrape time: live sessions
 * from the database, sandboxes from the engine's labels, capacity and pool
 * from the session service's memory.
 */
import type { PrismaClient } from "../generated/prisma/client";
import type { SandboxProvider } from "../sandbox/provider";
import { LIVE_STATES } from "../sessions/lifecycle";
import type { SessionService } from "../sessions/service";
import type { MetricSources, SandboxCount, SessionCount } from "./metrics";

export interface PlatformSourceDeps {
  prisma: Pick<PrismaClient, "labSession">;
  sessions: Pick<SessionService, "capacity" | "pools">;
  providers: Partial<Record<string, Pick<SandboxProvider, "name" | "list" | "listByHost" | "hosts">>>;
  version: string;
}

/** Host label of sandboxes on the single default Docker host. */
const DEFAULT_HOST = "default";

/** Metric sources over the platform's services (bound once by createServices). */
export function platformMetricSources(deps: PlatformSourceDeps): MetricSources {
  const environments = () => Object.keys(deps.providers);
  return {
    version: deps.version,
    async sessions(): Promise<SessionCount[]> {
      const rows = await deps.prisma.labSession.groupBy({
        by: ["state", "environment"],
        where: { state: { in: [...LIVE_STATES] } },
        _count: { _all: true },
      });
      // Every live state of every environment appears, zeros included, so
      // dashboards and alerts see 0 rather than no data.
      const counts = new Map<string, SessionCount>();
      for (const environment of environments()) {
        for (const state of LIVE_STATES) counts.set(`${state}/${environment}`, { state, environment, count: 0 });
      }
      for (const r of rows) counts.set(`${r.state}/${r.environment}`, { state: r.state, environment: r.environment, count: r._count._all });
      return [...counts.values()];
    },
    async sandboxes(): Promise<SandboxCount[]> {
      const counts = new Map<string, SandboxCount>();
      const lists = await Promise.all(
        Object.values(deps.providers).map(async (provider) => {
          if (!provider) return [];
          // Several hosts: count what the hosts that answer hold, rather than
          // nothing because one host is silent (labs_sandbox_hosts shows which).
          return provider.listByHost ? (await provider.listByHost()).sandboxes : provider.list();
        }),
      );
      for (const sb of lists.flat()) {
        // Not the pool label: a claimed warm sandbox keeps that label for
        // life, but it belongs to a learner from the claim on.
        const role = deps.sessions.pools.get(sb.environment)?.has(sb.id) ? "pool" : "session";
        const host = sb.host ?? DEFAULT_HOST;
        const k = `${sb.provider}/${sb.environment}/${host}/${sb.state}/${role}`;
        const c = counts.get(k) ?? { provider: sb.provider, environment: sb.environment, host, state: sb.state, role, count: 0 };
        c.count++;
        counts.set(k, c);
      }
      return [...counts.values()];
    },
    hosts: () => Object.values(deps.providers).flatMap((provider) => (provider?.hosts ? provider.hosts().map((h) => ({ provider: provider.name, host: h.name, state: h.state })) : [])),
    capacity: () =>
      deps.sessions.capacity().map((c) => ({
        environment: c.environment,
        max: c.max,
        used: c.used,
        queued: c.queued,
        poolReady: c.warm,
        poolWarming: deps.sessions.pools.get(c.environment)?.warming.size ?? 0,
      })),
  };
}
