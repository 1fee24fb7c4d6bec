import Docker from "dockerode";
import { createAuth, type Auth } from "./auth/auth";
import { resolveAuthSecret } from "./auth/secret";
import { resolveDatabaseTarget } from "./db/adapters";
import { openDatabase, type Database } from "./db/database";
import type { Env } from "./env";
import { checkHealth } from "./health";
import { LabCatalogService } from "./labs/service";
import { DockerProvider } from "./sandbox/providers/docker/provider";
import { GradingService, type GradingConfig } from "./grading/service";
import { DEFAULT_SESSION_CONFIG, type SessionConfig } from "./sessions/config";
import { SessionService } from "./sessions/service";

/** Everything with state the platform runs on, created once per process. */
export interface Services {
  env: Env;
  db: Database;
  auth: Auth;
  docker: Docker;
  labs: LabCatalogService;
  sessions: SessionService;
  grading: GradingService;
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
  /** Overrides of grading cadence (tests). */
  gradingConfig?: Partial<GradingConfig>;
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
    maxSandboxes: env.LABS_MAX_SANDBOXES,
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
    });
    const docker = new Docker();
    const labs = new LabCatalogService(db.prisma, env.labsDir, { watch: env.NODE_ENV === "development", log });
    const nodeProvider = new DockerProvider({ instance: env.LABS_INSTANCE, image: env.LABS_NODE_IMAGE, maxSandboxes: env.LABS_MAX_SANDBOXES });
    const sessions = new SessionService({
      prisma: db.prisma,
      labs,
      providers: { node: nodeProvider },
      config: { ...sessionConfigFromEnv(env), ...options.sessionConfig },
      log,
    });
    const grading = new GradingService({ prisma: db.prisma, labs, sessions, config: options.gradingConfig, log });
    const sync = await labs.reload();
    log(`catalog: ${sync.created.length + sync.updated.length + sync.unchanged} lab(s), ${sync.problems.length} problem(s)`);
    const startedAt = new Date();
    const version = process.env.npm_package_version ?? "0.1.0";
    return {
      env,
      db,
      auth,
      docker,
      labs,
      sessions,
      grading,
      startedAt,
      version,
      health: () => checkHealth({ db, docker, startedAt, version }),
      close: async () => {
        grading.shutdown();
        await sessions.shutdown();
        await db.close();
      },
    };
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
