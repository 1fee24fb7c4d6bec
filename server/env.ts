import path from "node:path";
import { z } from "zod";
import { HostsConfigError, parseDockerHosts } from "./sandbox/providers/docker/hosts";

// Per-user rate limits (server/rate-limits.ts): calls a second, and how many
// may come at once. At least one a second, so "wait a second and try again"
// (and REST's Retry-After: 1) is always true.
function wholeCalls(fallback: number, max: number, unit: string) {
  const expected = `must be a whole number of ${unit}, at least 1`;
  return z.coerce.number({ error: expected }).int(expected).min(1, expected).max(max).default(fallback);
}
const callsPerSecond = (fallback: number) => wholeCalls(fallback, 10_000, "calls a second");
const burstCalls = (fallback: number) => wholeCalls(fallback, 100_000, "calls");

/**
 * Platform configuration, read from the environment once and validated.
 * A bad value stops start-up with a sentence naming the variable and what is
 * expected, rather than failing later somewhere unrelated.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number({ error: "must be a port number, e.g. 3000" }).int("must be a whole number").min(1, "must be between 1 and 65535").max(65535, "must be between 1 and 65535").default(3000),
  // Loopback by default: a lab platform hands out root shells, so exposing it
  // on every interface is a decision the operator makes explicitly.
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  PUBLIC_URL: z.url({ error: "must be an absolute URL such as https://labs.example.com" }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// connection URL (unset it to use the embedded database)")
    .optional(),
  DATA_DIR: z.string().min(1, "must be a directory path").default(".data"),
  LABS_DIR: z.string().min(1, "must be a directory path").default("labs"),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -hex 32`)").optional(),
  LABS_INSTANCE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be lowercase letters, digits and dashes (at most 40)")
    .default("default"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"], { error: "must be one of debug, info, warn, error" }).default("info"),
  // Unset: JSON, except in development on a terminal (server/observability/logger.ts).
  LOG_FORMAT: z.enum(["json", "pretty"], { error: "must be json or pretty" }).optional(),
  // Unset: /api/metrics answers clients on this machine only.
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -hex 32`)").optional(),
  LABS_NODE_IMAGE: z.string().min(1).default("runtime-labs/node:dev"),
  LABS_MAX_SANDBOXES: z.coerce.number({ error: "must be a number of sandboxes" }).int().min(1, "must be at least 1").optional(),
  // Cluster sandboxes (kind; docs/kind.md). kind is looked up when a cluster is created, never at start-up.
  KIND_BIN: z.string().min(1).optional(),
  // The engine kind clusters are made on: the ordinary one (kind nodes are privileged).
  KIND_DOCKER_HOST: z
    .string()
    .regex(/^(unix|tcp):\/\//, "must be a unix:// or tcp:// Docker endpoint")
    .default("unix:///var/run/docker.sock"),
  KIND_NODE_IMAGE: z.string().min(1).default("runtime-labs/kind-node:dev"),
  CLUSTER_POOL_SIZE: z.coerce.number({ error: "must be a number of warm clusters" }).int().min(0, "must be 0 or more").max(20).default(0),
  CLUSTER_MAX_SANDBOXES: z.coerce.number({ error: "must be a number of clusters" }).int().min(1, "must be at least 1").optional(),
  CLUSTER_MAX_CREATING: z.coerce.number({ error: "must be a number of clusters" }).int().min(1, "must be at least 1").max(10).default(1),
  CLUSTER_MEMORY_MB: z.coerce.number({ error: "must be megabytes" }).int().min(1024, "must be at least 1024").default(2048),
  // The one sandbox engine when DOCKER_HOSTS is unset (dockerode reads it too);
  // unset: the sandbox engine's socket if it runs (server/main.ts), else the default socket.
  DOCKER_HOST: z
    .string()
    .regex(/^(unix|npipe|tcp|ssh|https?):\/\//, "must be a Docker endpoint such as unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host")
    .optional(),
  // Several Docker hosts (docs/hosts.md); unset: the one host of DOCKER_HOST.
  DOCKER_HOSTS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      try {
        return parseDockerHosts(value);
      } catch (err) {
        if (!(err instanceof HostsConfigError)) throw err;
        for (const issue of err.issues) ctx.addIssue({ code: "custom", message: `is not valid: ${issue}` });
        return z.NEVER;
      }
    }),
  // How learners' root is contained (docs/isolation.md). userns: nodes start
  // only on a user-namespaced engine; shared-kernel-root: trusted learners only.
  SANDBOX_ISOLATION: z.enum(["userns", "shared-kernel-root"], { error: "must be userns or shared-kernel-root" }).default("userns"),
  // Per-node disk cap (writable layer with containerd's state); 0: none.
  // It counts the node image's files too (about 330 MiB), hence the minimum.
  SANDBOX_DISK_MB: z.coerce
    .number({ error: "must be megabytes" })
    .int()
    .refine((v) => v === 0 || v >= 768, "must be 0 (no cap) or at least 768 (the node image alone takes about 330)")
    .refine((v) => v <= 1_048_576, "must be at most 1048576")
    .default(4096),
  // The sandbox engine's socket, used when DOCKER_HOST(S) are unset and it exists.
  LABS_SANDBOX_SOCKET: z.string().min(1).default("/run/runtime-labs/docker.sock"),
  DOCKER_HOST_PING_MS: z.coerce.number({ error: "must be milliseconds" }).int().min(100, "must be at least 100").max(600_000).default(5_000),
  DOCKER_HOST_DOWN_AFTER: z.coerce.number({ error: "must be a number of missed pings" }).int().min(1, "must be at least 1").max(100).default(3),
  POOL_SIZE: z.coerce.number({ error: "must be a number of warm sandboxes" }).int().min(0, "must be 0 or more").max(50).default(2),
  SESSION_TTL_MINUTES: z.coerce
    .number({ error: "must be minutes" })
    .int()
    .min(5, "must be at least 5")
    .max(24 * 60)
    .default(60),
  SESSION_IDLE_MINUTES: z.coerce
    .number({ error: "must be minutes" })
    .int()
    .min(1, "must be at least 1")
    .max(24 * 60)
    .default(30),
  SESSION_EXTEND_MINUTES: z.coerce
    .number({ error: "must be minutes" })
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_MAX_MINUTES: z.coerce
    .number({ error: "must be minutes" })
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(240),
  // Grading's safety poll (tasks otherwise tick when a command finishes in the learner's terminal; docs/checks.md).
  GRADING_SAFETY_POLL_SECONDS: z.coerce.number({ error: "must be seconds" }).int("must be a whole number of seconds").min(1, "must be at least 1").max(86_400).default(30),
  GRADING_IDLE_POLL_SECONDS: z.coerce.number({ error: "must be seconds" }).int("must be a whole number of seconds").min(1, "must be at least 1").max(86_400).default(120),
  // Follow containerd's events in the nodes of learners at work (server/grading/node-events.ts); 0 turns it off.
  GRADING_NODE_EVENT_MINUTES: z.coerce.number({ error: "must be minutes" }).int("must be a whole number of minutes").min(0, "must be 0 (off) or more").max(1_440).default(10),
  // Off: webhooks refuse loopback, private and link-local destinations (SSRF; docs/api.md).
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.stringbool({ error: "must be 1 or 0 (true or false)" }).default(false),
  // Password guessing: sign-in and sign-up attempts per 10 s from one address
  // (production only; better-auth's limiter). The e2e suite raises it on purpose.
  AUTH_ATTEMPTS_PER_10S: z.coerce
    .number({ error: "must be a whole number of attempts, at least 1" })
    .int("must be a whole number of attempts, at least 1")
    .min(1, "must be a whole number of attempts, at least 1")
    .max(10_000)
    .default(3),
  // "Check now" runs every pending check of a session on its node.
  RATE_LIMIT_CHECK_NOW_PER_SEC: callsPerSecond(5),
  RATE_LIMIT_CHECK_NOW_BURST: burstCalls(10),
  // The lab page's live cgroup tree: one `docker exec` each (the page asks every 3 s).
  RATE_LIMIT_CGROUP_TREE_PER_SEC: callsPerSecond(2),
  RATE_LIMIT_CGROUP_TREE_BURST: burstCalls(5),
  // Every /api/v1 call of one account, tokens and cookie together (a grader walks a cohort's sessions).
  RATE_LIMIT_API_PER_SEC: callsPerSecond(20),
  RATE_LIMIT_API_BURST: burstCalls(40),
});

export type Env = z.infer<typeof envSchema> & {
  /** Absolute form of DATA_DIR. */
  dataDir: string;
  /** Absolute form of LABS_DIR. */
  labsDir: string;
  /** The URL browsers use to reach us; origins are checked against it. */
  publicUrl: string;
};

// Values never echoed in error messages: they may carry passwords.
const SECRET_VARIABLES = new Set(["DATABASE_URL", "AUTH_SECRET", "METRICS_TOKEN"]);

/** Raised when the environment is invalid; `issues` lists every problem. */
export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses and validates a set of variables (process.env by default). */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // Treat empty strings as unset: `FOO= npm start` should mean "default".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => {
        const name = issue.path.join(".");
        const given = SECRET_VARIABLES.has(name) ? undefined : cleaned[name];
        return `${name} ${issue.message}${given !== undefined ? ` (got "${given}")` : ""}`;
      }),
    );
  }
  const e = result.data;
  const hostForUrl = e.HOST === "0.0.0.0" || e.HOST === "::" ? "localhost" : e.HOST;
  return {
    ...e,
    dataDir: path.resolve(e.DATA_DIR),
    labsDir: path.resolve(e.LABS_DIR),
    publicUrl: (e.PUBLIC_URL ?? `http://${hostForUrl}:${e.PORT}`).replace(/\/$/, ""),
  };
}

let cached: Env | undefined;

/** The process's validated configuration, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
