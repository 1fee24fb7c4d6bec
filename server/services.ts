import Docker from "dockerode";
import { createAuth, type Auth } from "./auth/auth";
import { resolveAuthSecret } from "./auth/secret";
import { resolveDatabaseTarget } from "./db/adapters";
import { openDatabase, type Database } from "./db/database";
import type { Env } from "./env";
import { checkHealth } from "./health";
import { LabAvailability } from "./labs/availability";
import { LabCatalogService } from "./labs/service";
import { LabAuthoringService } from "./labs/authoring";
import { KindProvider } from "./sandbox/providers/kind/provider";
import { DEFAULT_NODE_EVENT_CONFIG } from "./grading/node-events";
import { MultiHostDockerProvider } from "./sandbox/providers/docker/multi-host";
import { createNodeProvider } from "./sandbox/providers/docker/from-env";
import { FastForwardService } from "./grading/fast-forward";
import { GradingService, type GradingConfig } from "./grading/service";
import { DEFAULT_SESSION_CONFIG, type SessionConfig } from "./sessions/config";
import { SessionService } from "./sessions/service";
import { CohortService } from "./cohorts/service";
import { cohortResults } from "./grades/cohort-results";
import { WebhookDispatcher } from "./webhooks/dispatcher";
import { WebhookWorker, type WebhookWorkerConfig } from "./webhooks/worker";
import { bindMetricSources } from "./observability/metrics";
import { platformMetricSources } from "./observability/sources";
import { platformRateLimits, type RateLimits } from "./rate-limits";
import { LtiService } from "./lti/service";

/** Everything with state the platform runs on, created once per process. */
export interface Services {
  env: Env;
  db: Database;
  auth: Auth;
  docker: Docker;
  labs: LabCatalogService;
  /** Labs written on the platform: versions, tests, publishing (server/labs/authoring.ts). */
  authoring: LabAuthoringService;
  /** Which lab environments can start now, for learners and operators (cached a few seconds). */
  availability: LabAvailability;
  sessions: SessionService;
  grading: GradingService;
  /** Catching up: reference solutions of earlier tasks applied on a fresh node, those tasks marked assisted. */
  fastForward: FastForwardService;
  cohorts: CohortService;
  /** Grading events to signed webhook deliveries (dispatcher), and their sender (worker). */
  webhooks: { dispatcher: WebhookDispatcher; worker: WebhookWorker };
  /** LTI 1.3: LMS launches, deep linking, grade passback (subscribed to grading), rosters. */
  lti: LtiService;
  /** Per-user budgets of the expensive calls (checks, cgroup tree, REST). */
  rateLimits: RateLimits;
  /**
   * Open terminals, once the HTTP server's terminal gateway exists (null in
   * processes without one, e.g. the CLI): staff list a learner's terminals to
   * watch them read-only.
   */
  terminals: { list(sessionId: string): { terminalId: string; clients: number }[] } | null;
  startedAt: Date;
  version: string;
  health(): ReturnType<typeof checkHealth>;
  close(): Promise<void>;
}

export interface CreateServicesOptions {
  log?: (msg: string) => void;
  /** Extra origins trusted by auth (e.g. tests on another port). */
  trustedOrigins?: string[];
  /** Overrides of session timing and capacity (tests). */
  sessionConfig?: Partial<SessionConfig>;
  /** Overrides of grading's timing (tests, benchmarks). */
  gradingConfig?: Partial<GradingConfig>;
  /** Overrides of webhook delivery timing (tests). */
  webhookConfig?: Partial<WebhookWorkerConfig>;
}

/**
 * The kind provider for cluster labs. It is built whether or not kind is
 * installed: kind is looked up when a cluster is created, and a missing kind
 * fails that creation with a sentence saying what to install.
 */
function clusterProvider(env: Env, log: (msg: string) => void): KindProvider {
  return new KindProvider({
    instance: env.LABS_INSTANCE,
    image: env.KIND_NODE_IMAGE,
    dataDir: env.dataDir,
    kindBin: env.KIND_BIN,
    // Not configuration: kind runs as the server's child, finding docker on
    // the server's PATH and keeping its state under the server's HOME.
    kindEnvironment: process.env,
    dockerHost: env.KIND_DOCKER_HOST,
    isolation: { required: env.SANDBOX_ISOLATION },
    log,
    maxSandboxes: env.CLUSTER_MAX_SANDBOXES,
    maxCreating: env.CLUSTER_MAX_CREATING,
    memoryBytes: env.CLUSTER_MEMORY_MB * 2 ** 20,
    labImagesFrom: env.LABS_NODE_IMAGE,
  });
}

/** Session rules from the environment. */
export function sessionConfigFromEnv(env: Env): SessionConfig {
  return {
    ...DEFAULT_SESSION_CONFIG,
    ttlMs: env.SESSION_TTL_MINUTES * 60_000,
    idleMs: env.SESSION_IDLE_MINUTES * 60_000,
    extendMs: env.SESSION_EXTEND_MINUTES * 60_000,
    maxLifetimeMs: env.SESSION_MAX_MINUTES * 60_000,
    poolSize: env.POOL_SIZE,
    // With several hosts each has its own capacity (LABS_MAX_SANDBOXES is
    // then the default per host) and the total follows the hosts that answer.
    maxSandboxes: env.DOCKER_HOSTS ? undefined : env.LABS_MAX_SANDBOXES,
    environments: { cluster: { poolSize: env.CLUSTER_POOL_SIZE, maxSandboxes: env.CLUSTER_MAX_SANDBOXES } },
  };
}

/** Grading's safety poll from the environment (the rest of its timing is code: server/grading/service.ts). */
export function gradingConfigFromEnv(env: Env): Partial<GradingConfig> {
  return {
    safetyPollMs: env.GRADING_SAFETY_POLL_SECONDS * 1000,
    idleSafetyPollMs: env.GRADING_IDLE_POLL_SECONDS * 1000,
    nodeEvents: env.GRADING_NODE_EVENT_MINUTES > 0 ? { ...DEFAULT_NODE_EVENT_CONFIG, activeWindowMs: env.GRADING_NODE_EVENT_MINUTES * 60_000 } : false,
  };
}

/** Opens the database (migrating it), builds auth, and loads the catalog. */
export async function createServices(env: Env, options: CreateServicesOptions = {}): Promise<Services> {
  const log = options.log ?? (() => {});
  const db = await openDatabase(resolveDatabaseTarget(env.DATABASE_URL, env.dataDir));
  try {
    if (db.migrations.applied.length) log(`applied migrations: ${db.migrations.applied.join(", ")}`);
    const auth = createAuth({
      prisma: db.prisma,
      baseUrl: env.publicUrl,
      secret: resolveAuthSecret(env.AUTH_SECRET, env.dataDir),
      trustedOrigins: options.trustedOrigins,
      attemptsPer10s: env.AUTH_ATTEMPTS_PER_10S,
    });
    const docker = new Docker();
    const labs = new LabCatalogService(db.prisma, env.labsDir, { watch: env.NODE_ENV === "development", log });
    const nodeProvider = createNodeProvider(env, log);
    if (nodeProvider instanceof MultiHostDockerProvider) nodeProvider.startHealthChecks();
    const providers = { node: nodeProvider, cluster: clusterProvider(env, log) };
    const sessions = new SessionService({
      prisma: db.prisma,
      labs,
      providers,
      config: { ...sessionConfigFromEnv(env), ...options.sessionConfig },
      log,
    });
    const availability = new LabAvailability({ providerFor: (e) => sessions.providerFor(e), kindBin: env.KIND_BIN });
    const grading = new GradingService({ prisma: db.prisma, labs, sessions, config: { ...gradingConfigFromEnv(env), ...options.gradingConfig }, log });
    // Webhooks: task.passed and lab.completed become delivery rows; the worker
    // sends them (and any left pending by a previous run) from now on.
    const webhookWorker = new WebhookWorker({ prisma: db.prisma, config: options.webhookConfig, allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS, log });
    const webhookDispatcher = new WebhookDispatcher({ prisma: db.prisma, labs, log, onEnqueued: () => webhookWorker.wake() });
    const detachWebhooks = webhookDispatcher.attach(grading);
    // LTI: grading events become AGS score deliveries to the LMS line items learners launched from.
    const lti = new LtiService({ prisma: db.prisma, auth, labs, publicUrl: env.publicUrl, secret: resolveAuthSecret(env.AUTH_SECRET, env.dataDir), log });
    const cohorts = new CohortService({
      prisma: db.prisma,
      labs,
      grading,
      sessions,
      results: (cohortId) => cohortResults(db.prisma, labs, cohortId),
      // Read late: main.ts installs the terminal gateway after services exist.
      terminals: () => services.terminals,
    });
    const authoring = new LabAuthoringService({ prisma: db.prisma, labs, providerFor: (e) => sessions.providerFor(e), log });
    const sync = await labs.reload();
    log(`catalog: ${sync.created.length + sync.updated.length + sync.unchanged} lab(s), ${sync.problems.length} problem(s)`);
    const startedAt = new Date();
    const version = process.env.npm_package_version ?? "0.1.0";
    // Scrape-time levels of /api/metrics are read from these services until they close.
    const unbindMetrics = bindMetricSources(platformMetricSources({ prisma: db.prisma, sessions, providers, version }));
    webhookWorker.start();
    const stopLti = lti.start(grading);
    const services: Services = {
      env,
      db,
      auth,
      docker,
      labs,
      authoring,
      availability,
      sessions,
      grading,
      fastForward: new FastForwardService({ prisma: db.prisma, labs, sessions, grading }),
      cohorts,
      webhooks: { dispatcher: webhookDispatcher, worker: webhookWorker },
      lti,
      rateLimits: platformRateLimits(env),
      terminals: null,
      startedAt,
      version,
      health: () => checkHealth({ db, docker, startedAt, version, isolation: nodeProvider.isolation.bind(nodeProvider) }),
      close: async () => {
        unbindMetrics();
        await authoring.shutdown();
        await grading.shutdown();
        detachWebhooks();
        await webhookWorker.stop();
        await stopLti();
        await sessions.shutdown();
        if (nodeProvider instanceof MultiHostDockerProvider) nodeProvider.stopHealthChecks();
        await db.close();
      },
    };
    return services;
  } catch (err) {
    await db.close();
    throw err;
  }
}

// The services live on globalThis because this process holds two copies of
// server modules: the one tsx loads for server/main.ts and the one Next
// bundles for route handlers and server components. Both must share one
// database handle (PGlite is single-writer) and one set of live state.
const KEY = Symbol.for("runtime-labs.services");
type GlobalWithServices = typeof globalThis & { [KEY]?: Services };

/** Makes `services` the process-wide instance (called by server/main.ts). */
export function installServices(services: Services | undefined): void {
  (globalThis as GlobalWithServices)[KEY] = services;
}

/** The process-wide services; fails clearly if the server was not started by server/main.ts. */
export function getServices(): Services {
  const services = (globalThis as GlobalWithServices)[KEY];
  if (!services) {
    throw new Error("Platform services are not running: start the app with `npm start` or `npm run dev` (server/main.ts), not `next start`.");
  }
  return services;
}
