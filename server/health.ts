import type Docker from "dockerode";
import type { Database } from "./db/database";
import type { IsolationReport } from "./sandbox/provider";

export interface ComponentHealth {
  status: "up" | "down";
  /** What was reached, or why not, in a sentence. */
  message: string;
  latencyMs: number;
}

export interface HealthReport {
  /** "ok" while the platform can serve (database up); "down" otherwise. */
  status: "ok" | "down";
  /** Whether learners can start sandboxes right now (Docker reachable, isolation as required). */
  sandboxes: "available" | "unavailable";
  version: string;
  uptimeSeconds: number;
  database: ComponentHealth & { kind: "pglite" | "postgres" };
  docker: ComponentHealth & { version?: string; host: string };
  /** How a learner's root is contained (docs/isolation.md); null when the engine does not answer. */
  isolation: IsolationReport | null;
}

/** Runs `fn` with a deadline; reports its value or error and how long it took. */
export async function timed<T>(fn: () => Promise<T>, timeoutMs: number): Promise<{ value?: T; error?: Error; ms: number }> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { value, ms: Math.round(performance.now() - start) };
  } catch (err) {
    return { error: err as Error, ms: Math.round(performance.now() - start) };
  } finally {
    clearTimeout(timer);
  }
}

/** Where dockerode will connect: DOCKER_HOST or the default unix socket. */
export function dockerEndpoint(): string {
  return process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

/**
 * Checks the database and Docker. Docker being absent disables sandboxes but
 * is reported, never thrown: the catalog and accounts still work.
 */
export async function checkHealth(deps: {
  db: Database;
  docker: Docker;
  startedAt: Date;
  version: string;
  /** The node provider's isolation report (sandbox engine), when there is one. */
  isolation?: () => Promise<IsolationReport>;
}): Promise<HealthReport> {
  const [db, docker, isolation] = await Promise.all([
    timed(() => deps.db.ping(), 2000),
    timed(() => deps.docker.version(), 2000),
    deps.isolation ? timed(deps.isolation, 2000) : Promise.resolve({ value: undefined, error: undefined }),
  ]);
  const database = {
    kind: deps.db.target.kind,
    status: db.error ? ("down" as const) : ("up" as const),
    message: db.error ? `Database unreachable: ${db.error.message}` : `Connected to ${deps.db.description}.`,
    latencyMs: db.ms,
  };
  const dockerHealth = {
    host: dockerEndpoint(),
    status: docker.error ? ("down" as const) : ("up" as const),
    version: docker.value?.Version,
    message: docker.error
      ? `Docker is not reachable at ${dockerEndpoint()} (${docker.error.message}); sandboxes cannot start until it is.`
      : `Docker ${docker.value?.Version} answers at ${dockerEndpoint()}.`,
    latencyMs: docker.ms,
  };
  return {
    status: database.status === "up" ? "ok" : "down",
    sandboxes: dockerHealth.status === "up" && (isolation.value?.ok ?? true) ? "available" : "unavailable",
    version: deps.version,
    uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
    database,
    docker: dockerHealth,
    isolation: isolation.value ?? null,
  };
}
