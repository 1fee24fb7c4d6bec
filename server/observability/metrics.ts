/**
 * Prometheus metrics of the platform (prom-client), exposed at /api/metrics.
 * docs/observability.md describes every metric.
 *
 * Two kinds:
 * - events, recorded where they happen by small hooks (provisioning, pool
 *   claims, check evaluations, webhook deliveries, HTTP requests);
 * - levels (sessions by state, sandboxes, capacity, pool, terminals), read
 *   from the services when a scrape asks (`renderMetrics`), so no code has
 *   to keep a gauge in step with its own state.
 *
 * The registry and every metric live on globalThis: this process holds two
 * copies of server modules (tsx's for server/main.ts, Next's bundle), and
 * both must count into the same metrics.
 */
import { timed } from "../health";
import { PROBE_PATHS } from "./paths";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Live sessions of one state and environment (from the database). */
export interface SessionCount {
  state: string;
  environment: string;
  count: number;
}

/** Sandboxes that exist, as the engine's labels report them. */
export interface SandboxCount {
  provider: string;
  environment: string;
  /** Docker host it runs on ("default" on a single-host install). */
  host: string;
  /** "creating", "running" or "stopped". */
  state: string;
  /** "pool" while waiting in the warm pool, "session" once handed out. */
  role: "pool" | "session";
  count: number;
}

/** Capacity figures of one environment (in memory, SessionService). */
export interface CapacityFigures {
  environment: string;
  max: number;
  used: number;
  queued: number;
  poolReady: number;
  poolWarming: number;
}

/** One host of a multi-host provider and its health. */
export interface HostHealth {
  provider: string;
  host: string;
  state: "up" | "suspect" | "down";
}

/** Where scrape-time levels come from; each part is optional and bound by whoever owns it. */
export interface MetricSources {
  sessions?: () => Promise<SessionCount[]>;
  sandboxes?: () => Promise<SandboxCount[]>;
  capacity?: () => CapacityFigures[];
  terminals?: () => { shells: number; clients: number };
  /** Health of each host of providers that spread sandboxes over several. */
  hosts?: () => HostHealth[];
  /** The platform's version, shown by labs_build_info. */
  version?: string;
}

/** How a check evaluation ended. */
export type CheckOutcome = "passed" | "failed" | "timeout" | "error";

/**
 * How one webhook delivery attempt ended: delivered (2xx), retry (failed,
 * will be tried again), failed (failed and given up).
 */
export type WebhookOutcome = "delivered" | "retry" | "failed";

/** Longest a scrape waits for one source (database, Docker) before reporting it down. */
const SOURCE_TIMEOUT_MS = 2_000;

function buildMetrics() {
  const registry = new Registry();
  // Process and Node.js runtime metrics under their standard names
  // (process_cpu_seconds_total, nodejs_eventloop_lag_seconds, ...), which
  // ready-made dashboards expect.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    sources: {} as MetricSources,
    buildInfo: new Gauge({ name: "labs_build_info", help: "Always 1; labels say which version of the platform runs.", labelNames: ["version"], registers }),
    sessions: new Gauge({ name: "labs_sessions", help: "Live lab sessions by state (requested, provisioning, ready, ending) and environment.", labelNames: ["state", "environment"], registers }),
    sandboxes: new Gauge({
      name: "labs_sandboxes",
      help: "Sandboxes that exist on the engine, by provider, environment, Docker host, state and role (pool or session).",
      labelNames: ["provider", "environment", "host", "state", "role"],
      registers,
    }),
    hosts: new Gauge({
      name: "labs_sandbox_hosts",
      help: "Health of each Docker host of a multi-host provider: 1 for the state it is in (up, suspect, down), 0 for the others.",
      labelNames: ["provider", "host", "state"],
      registers,
    }),
    capacity: new Gauge({ name: "labs_sandbox_capacity", help: "Sandboxes this server may hold per environment (pool included).", labelNames: ["environment"], registers }),
    inUse: new Gauge({ name: "labs_sandboxes_in_use", help: "Sandboxes counted against capacity per environment: bound to sessions, being made, or pooled.", labelNames: ["environment"], registers }),
    queued: new Gauge({ name: "labs_session_queue_length", help: "Sessions waiting for capacity per environment.", labelNames: ["environment"], registers }),
    pool: new Gauge({ name: "labs_pool_sandboxes", help: "Warm pool sandboxes per environment: ready to hand out, or warming up.", labelNames: ["environment", "state"], registers }),
    terminals: new Gauge({ name: "labs_terminals_active", help: "Terminal shells open in sandboxes on this server.", registers }),
    terminalClients: new Gauge({ name: "labs_terminal_clients", help: "Browser connections attached to those terminals (several tabs and watchers share one shell).", registers }),
    sourceUp: new Gauge({
      name: "labs_metrics_source_up",
      help: "1 when the last scrape could read this source (sessions: database; sandboxes: Docker), 0 when it could not.",
      labelNames: ["source"],
      registers,
    }),
    provisioning: new Histogram({
      name: "labs_sandbox_provision_duration_seconds",
      help: "Time to create a sandbox, by provider, purpose (session: a learner waits; pool: warming) and outcome (success, failure).",
      labelNames: ["provider", "purpose", "outcome"],
      buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    }),
    poolClaims: new Counter({ name: "labs_pool_claims_total", help: "Sessions that got a warm sandbox from the pool at once.", labelNames: ["environment"], registers }),
    checks: new Histogram({
      name: "labs_check_evaluation_duration_seconds",
      help: "Check evaluations by check type and outcome (passed, failed, timeout, error), retries included; _count is the number of evaluations.",
      labelNames: ["type", "outcome"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    gradingRuns: new Counter({
      name: "labs_grading_runs_total",
      help: "Evaluations of a session's pending tasks, by what caused them (command, check, grade, poll).",
      labelNames: ["cause"],
      registers,
    }),
    webhookDeliveries: new Counter({
      name: "labs_webhook_deliveries_total",
      help: "Webhook delivery attempts by event and outcome (delivered, retry, failed).",
      labelNames: ["event", "outcome"],
      registers,
    }),
    webhookDuration: new Histogram({
      name: "labs_webhook_delivery_duration_seconds",
      help: "Time of one webhook delivery attempt (request to response or error), by event and outcome.",
      labelNames: ["event", "outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    http: new Histogram({
      name: "labs_http_request_duration_seconds",
      help: "HTTP requests served, by method, area of the app and status class; _count is the number of requests.",
      labelNames: ["method", "area", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

type Metrics = ReturnType<typeof buildMetrics>;
const KEY = Symbol.for("runtime-labs.metrics");
type GlobalWithMetrics = typeof globalThis & { [KEY]?: Metrics };

function metrics(): Metrics {
  const g = globalThis as GlobalWithMetrics;
  g[KEY] ??= buildMetrics();
  return g[KEY];
}

/** The process-wide registry. Serve it through `renderMetrics`, which reads the levels first. */
export function metricsRegistry(): Registry {
  return metrics().registry;
}

/**
 * Makes `sources` the place scrape-time levels are read from. Returns a
 * function that unbinds them again (only those still bound by this call).
 */
export function bindMetricSources(sources: MetricSources): () => void {
  const bound = metrics().sources;
  Object.assign(bound, sources);
  if (sources.version) {
    metrics().buildInfo.reset();
    metrics().buildInfo.set({ version: sources.version }, 1);
  }
  return () => {
    for (const key of Object.keys(sources) as (keyof MetricSources)[]) {
      if (bound[key] === sources[key]) delete bound[key];
    }
  };
}

/** Reads every bound source into its gauges; a source that fails is reported by labs_metrics_source_up. */
async function refreshLevels(): Promise<void> {
  const m = metrics();
  const { sessions, sandboxes, capacity, terminals } = m.sources;
  const read = async <T>(name: string, source: (() => Promise<T>) | undefined, gauge: Gauge, apply: (value: T) => void) => {
    if (!source) {
      // Nothing bound (services closed, or never created): nothing to report.
      gauge.reset();
      m.sourceUp.remove({ source: name });
      return;
    }
    try {
      const r = await timed(source, SOURCE_TIMEOUT_MS);
      if (r.error) throw r.error;
      const value = r.value as T;
      gauge.reset();
      apply(value);
      m.sourceUp.set({ source: name }, 1);
    } catch {
      // Stale numbers would look like real ones: drop them and say the source is down.
      gauge.reset();
      m.sourceUp.set({ source: name }, 0);
    }
  };
  await Promise.all([
    read("sessions", sessions, m.sessions, (rows) => rows.forEach((r) => m.sessions.set({ state: r.state, environment: r.environment }, r.count))),
    read("sandboxes", sandboxes, m.sandboxes, (rows) =>
      rows.forEach((r) => m.sandboxes.set({ provider: r.provider, environment: r.environment, host: r.host, state: r.state, role: r.role }, r.count)),
    ),
  ]);
  for (const g of [m.capacity, m.inUse, m.queued, m.pool, m.terminals, m.terminalClients, m.hosts]) g.reset();
  for (const h of m.sources.hosts?.() ?? []) {
    for (const state of ["up", "suspect", "down"] as const) m.hosts.set({ provider: h.provider, host: h.host, state }, h.state === state ? 1 : 0);
  }
  if (capacity) {
    for (const c of capacity()) {
      m.capacity.set({ environment: c.environment }, c.max);
      m.inUse.set({ environment: c.environment }, c.used);
      m.queued.set({ environment: c.environment }, c.queued);
      m.pool.set({ environment: c.environment, state: "ready" }, c.poolReady);
      m.pool.set({ environment: c.environment, state: "warming" }, c.poolWarming);
    }
  }
  if (terminals) {
    const t = terminals();
    m.terminals.set(t.shells);
    m.terminalClients.set(t.clients);
  }
}

/** The Prometheus text exposition of every metric, levels read just now. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  await refreshLevels();
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}

// ---- event hooks ---------------------------------------------------------

/**
 * Runs `provision` and records how long it took and whether it worked.
 * `purpose` says who waited: a learner ("session") or the warm pool ("pool").
 */
export async function timeProvisioning<T>(labels: { provider: string; purpose: "session" | "pool" }, provision: () => Promise<T>): Promise<T> {
  const end = metrics().provisioning.startTimer(labels);
  try {
    const sandbox = await provision();
    end({ outcome: "success" });
    return sandbox;
  } catch (err) {
    end({ outcome: "failure" });
    throw err;
  }
}

/** Counts a session served from the warm pool. */
export function recordPoolClaim(environment: string): void {
  metrics().poolClaims.inc({ environment });
}

/** Counts one evaluation of a session's pending tasks (server/grading/scheduler.ts). */
export function recordGradingRun(cause: string): void {
  metrics().gradingRuns.inc({ cause });
}

/** What a check result says about how it ended (see evaluateCheck's result shapes). */
export function checkOutcome(result: { passed: boolean; evidence: Record<string, unknown> }): CheckOutcome {
  if (result.passed) return "passed";
  if (result.evidence.timedOut === true) return "timeout";
  // evaluateCheck reports an engine or sandbox failure as evidence.error.
  if (result.evidence.error !== undefined) return "error";
  return "failed";
}

/**
 * Runs one check evaluation and records its duration (measured here, finer
 * than the result's whole milliseconds) by check type and outcome.
 */
export async function timeCheckEvaluation<R extends { passed: boolean; evidence: Record<string, unknown> }>(type: string, evaluate: () => Promise<R>): Promise<R> {
  const started = performance.now();
  const result = await evaluate();
  metrics().checks.observe({ type, outcome: checkOutcome(result) }, (performance.now() - started) / 1000);
  return result;
}

/**
 * Records one webhook delivery attempt. For the webhook sender: call it
 * once per HTTP attempt with the event name (e.g. "task.passed"), the
 * outcome, and the attempt's duration in milliseconds.
 */
export function recordWebhookDelivery(delivery: { event: string; outcome: WebhookOutcome; durationMs: number }): void {
  const labels = { event: delivery.event, outcome: delivery.outcome };
  metrics().webhookDeliveries.inc(labels);
  metrics().webhookDuration.observe(labels, delivery.durationMs / 1000);
}

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The part of the app a path belongs to. A small fixed set, so a client
 * inventing paths cannot create new time series.
 */
export function requestArea(pathname: string): string {
  if (pathname.startsWith("/api/trpc")) return "trpc";
  if (pathname.startsWith("/api/auth")) return "auth";
  if (PROBE_PATHS.includes(pathname)) return "ops";
  if (pathname.startsWith("/api/")) return "api";
  if (pathname.startsWith("/_next/")) return "next";
  return "page";
}

/** Records one served HTTP request. */
export function recordHttpRequest(request: { method: string; pathname: string; status: number; durationMs: number }): void {
  const method = KNOWN_METHODS.has(request.method) ? request.method : "OTHER";
  const status = `${Math.floor(request.status / 100)}xx`;
  metrics().http.observe({ method, area: requestArea(request.pathname), status }, request.durationMs / 1000);
}
