/**
 * Readiness: may this server take traffic? Unlike /api/health (a report for
 * people), the answer is yes or no with reasons, for load balancers and
 * orchestrators: ready when the database answers, the lab catalog has labs,
 * Docker answers (when sandboxes are configured) and the server is not
 * shutting down. The `labs` check only informs: labs with problems are
 * counted, but they never make the server unready (the good labs serve).
 */
import { timed } from "../health";
import { readinessMessage } from "../labs/report";
import type { Services } from "../services";

export interface ReadinessCheck {
  ok: boolean;
  /** What was found, in a sentence. */
  message: string;
  latencyMs: number;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
  /** The messages of the failing checks: why the server is not ready. */
  reasons: string[];
}

/** Longest one dependency may take before it counts as not answering. */
const CHECK_TIMEOUT_MS = 2_000;

async function probe(fn: () => Promise<string>, failure: (err: Error) => string): Promise<ReadinessCheck> {
  const r = await timed(fn, CHECK_TIMEOUT_MS);
  return r.error ? { ok: false, message: failure(r.error), latencyMs: r.ms } : { ok: true, message: r.value!, latencyMs: r.ms };
}

export type ReadinessDeps = Pick<Services, "db" | "labs" | "sessions" | "docker">;

/** Labs served and labs with problems, as of the catalog's last load; always ok. */
function labsCheck(labs: ReadinessDeps["labs"]): ReadinessCheck {
  try {
    return { ok: true, message: readinessMessage(labs.status()), latencyMs: 0 };
  } catch (err) {
    // Counting is a report, not a dependency: failing to count is said, not fatal.
    return { ok: true, message: `Lab problems could not be counted (${(err as Error).message}).`, latencyMs: 0 };
  }
}

/** Checks every dependency at once and says whether the server is ready. */
export async function checkReadiness(services: ReadinessDeps, options: { shuttingDown?: boolean } = {}): Promise<ReadinessReport> {
  // Sandboxes are configured once the session service has booted with at
  // least one provider; without any, Docker is not needed to serve.
  const sandboxesConfigured = services.sessions.capacity().length > 0;
  const [database, catalog, docker] = await Promise.all([
    probe(
      async () => {
        await services.db.ping();
        return `The database (${services.db.description}) answers.`;
      },
      (err) => `The database does not answer (${err.message}); check DATABASE_URL and that the database server is running.`,
    ),
    probe(
      async () => {
        const labs = await services.labs.list();
        if (!labs.length) throw new Error("it has no labs");
        return `The lab catalog has ${labs.length} lab(s).`;
      },
      (err) => `The lab catalog is not loaded (${err.message}); check LABS_DIR and run \`npx labs validate\`.`,
    ),
    sandboxesConfigured
      ? probe(
          async () => {
            // Several Docker hosts (DOCKER_HOSTS): ready while at least one answers.
            const hosts = services.sessions.providerFor("node")?.hosts?.();
            if (hosts) {
              const up = hosts.filter((h) => h.state === "up").map((h) => h.name);
              if (!up.length) throw new Error(`none of the Docker hosts answers (${hosts.map((h) => `${h.name}: ${h.state}`).join(", ")})`);
              const others = hosts.filter((h) => h.state !== "up").map((h) => `${h.name} is ${h.state}`);
              return `Docker answers on ${up.join(", ")}${others.length ? `; ${others.join(", ")}` : ""}.`;
            }
            await services.docker.ping();
            return "Docker answers.";
          },
          (err) => `Docker does not answer (${err.message}); sandboxes cannot start until it does.`,
        )
      : Promise.resolve({ ok: true, message: "No sandbox provider is configured, so Docker is not needed.", latencyMs: 0 }),
  ]);
  const checks: Record<string, ReadinessCheck> = { database, catalog, labs: labsCheck(services.labs), docker };
  // Sandboxes must not start on an engine that cannot contain root: not
  // ready until it can (the catalog still serves; /api/health says why).
  const isolate = services.sessions.providerFor("node")?.isolation;
  if (sandboxesConfigured && docker.ok && isolate) {
    checks.isolation = await probe(
      async () => {
        const r = await isolate.call(services.sessions.providerFor("node"));
        if (!r.ok) throw new Error(`${r.message} Fix: ${r.fix}`);
        return `Isolation ${r.level}: ${r.message}`;
      },
      (err) => err.message,
    );
  }
  if (options.shuttingDown) checks.shutdown = { ok: false, message: "The server is shutting down.", latencyMs: 0 };
  const reasons = Object.values(checks)
    .filter((c) => !c.ok)
    .map((c) => c.message);
  return { ready: reasons.length === 0, checks, reasons };
}
