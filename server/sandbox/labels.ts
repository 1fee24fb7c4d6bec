/**
 * Docker labels are the record of what exists (the database records intent).
 * Every container and volume the platform creates carries these labels, and
 * list/destroy/reapers find resources by them alone.
 */
import type { SandboxEnvironment } from "./provider";

const PREFIX = "dev.runtimelabs";

/** Label keys. Values are always strings (Docker's label model). */
export const LABELS = {
  /** Platform instance: separates parallel installations / test runs on one engine. */
  instance: `${PREFIX}.instance`,
  /** Sandbox id. */
  sandbox: `${PREFIX}.sandbox`,
  /** Session the sandbox is bound to, if any. */
  session: `${PREFIX}.session`,
  /** Lab slug the sandbox was made for, if any. */
  lab: `${PREFIX}.lab`,
  /** "node" | "cluster". */
  environment: `${PREFIX}.environment`,
  /** Provider that made it ("docker", "kind", ...). */
  provider: `${PREFIX}.provider`,
  /** "true" while the sandbox sits in the pool, unassigned. */
  pool: `${PREFIX}.pool`,
  /** ISO-8601 creation time. */
  createdAt: `${PREFIX}.created-at`,
  /** "1" or "2": the cgroup version the node runs under (its host's), which lab text and solutions follow. */
  cgroupVersion: `${PREFIX}.cgroup-version`,
  /** What the resource is to the sandbox: "node" container, "containerd-state" volume. */
  role: `${PREFIX}.role`,
} as const;

/**
 * The session label of sandboxes a lab test runs on (`labs test`, the
 * editor's "Test this lab"): they belong to no learner's session, and the
 * reconciler leaves them to their test until LAB_TEST_MAX_MS has passed.
 */
export const LAB_TEST_SESSION_PREFIX = "labtest-";
/** A lab test's sandbox older than this is an orphan (a test that died with its process). */
export const LAB_TEST_MAX_MS = 60 * 60_000;

export function isLabTestSandbox(sessionId: string | undefined): boolean {
  return !!sessionId && sessionId.startsWith(LAB_TEST_SESSION_PREFIX);
}

/** Role of a labelled resource within its sandbox. */
export type ResourceRole = "node" | "containerd-state";

/** The facts recorded on every resource of a sandbox. */
export interface SandboxLabelData {
  instance: string;
  sandboxId: string;
  environment: SandboxEnvironment;
  provider: string;
  pool: boolean;
  createdAt: Date;
  sessionId?: string;
  labSlug?: string;
  cgroupVersion?: 1 | 2;
}

/** Builds the label map for one resource of a sandbox. */
export function buildLabels(data: SandboxLabelData, role: ResourceRole): Record<string, string> {
  const labels: Record<string, string> = {
    [LABELS.instance]: data.instance,
    [LABELS.sandbox]: data.sandboxId,
    [LABELS.environment]: data.environment,
    [LABELS.provider]: data.provider,
    [LABELS.pool]: String(data.pool),
    [LABELS.createdAt]: data.createdAt.toISOString(),
    [LABELS.role]: role,
  };
  if (data.sessionId) labels[LABELS.session] = data.sessionId;
  if (data.labSlug) labels[LABELS.lab] = data.labSlug;
  if (data.cgroupVersion) labels[LABELS.cgroupVersion] = String(data.cgroupVersion);
  return labels;
}

/**
 * Reads the label map back. Returns null when the resource is not a complete
 * sandbox resource (missing instance/sandbox id, unknown environment, bad
 * date): such resources are reported, never guessed at.
 */
export function parseLabels(labels: Record<string, string> | undefined | null): SandboxLabelData | null {
  if (!labels) return null;
  const instance = labels[LABELS.instance];
  const sandboxId = labels[LABELS.sandbox];
  const environment = labels[LABELS.environment];
  const provider = labels[LABELS.provider];
  const createdAt = new Date(labels[LABELS.createdAt] ?? "");
  if (!instance || !sandboxId || !provider) return null;
  if (environment !== "node" && environment !== "cluster") return null;
  if (Number.isNaN(createdAt.getTime())) return null;
  const data: SandboxLabelData = {
    instance,
    sandboxId,
    environment,
    provider,
    pool: labels[LABELS.pool] === "true",
    createdAt,
  };
  const sessionId = labels[LABELS.session];
  const labSlug = labels[LABELS.lab];
  if (sessionId) data.sessionId = sessionId;
  if (labSlug) data.labSlug = labSlug;
  const cgroupVersion = labels[LABELS.cgroupVersion];
  if (cgroupVersion === "1" || cgroupVersion === "2") data.cgroupVersion = Number(cgroupVersion) as 1 | 2;
  return data;
}

/** Criteria for finding resources by label; all given fields must match. */
export interface LabelQuery {
  instance: string;
  sandboxId?: string;
  sessionId?: string;
  labSlug?: string;
  pool?: boolean;
  role?: ResourceRole;
}

/** Docker API `label` filter values ("key=value") for a query. */
export function labelFilters(q: LabelQuery): string[] {
  const out = [`${LABELS.instance}=${q.instance}`];
  if (q.sandboxId !== undefined) out.push(`${LABELS.sandbox}=${q.sandboxId}`);
  if (q.sessionId !== undefined) out.push(`${LABELS.session}=${q.sessionId}`);
  if (q.labSlug !== undefined) out.push(`${LABELS.lab}=${q.labSlug}`);
  if (q.pool !== undefined) out.push(`${LABELS.pool}=${String(q.pool)}`);
  if (q.role !== undefined) out.push(`${LABELS.role}=${q.role}`);
  return out;
}

/** The instance of a provider given none (the server always gives LABS_INSTANCE). */
export const DEFAULT_INSTANCE = "default";

/** The instance name used when none is configured: env LABS_INSTANCE or "default". */
export function defaultInstance(env: Record<string, string | undefined> = process.env): string {
  return env.LABS_INSTANCE?.trim() || DEFAULT_INSTANCE;
}
