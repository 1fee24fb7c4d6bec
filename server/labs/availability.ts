/**
 * Which lab environments this install can provide now, said twice: a
 * sentence for learners (what it means for them) and the operator's reason
 * (what is missing and how to fix it). The catalog and the lab page hide
 * "Start" for labs whose environment is unavailable; the admin page shows
 * the reasons; sessions.start refuses them with the learner's sentence.
 *
 * The evidence is what provisioning would trip over first: no provider, the
 * kind CLI not found (KIND_BIN or PATH), an engine that cannot contain root
 * as SANDBOX_ISOLATION requires, an engine that refuses to answer. An engine
 * that is only slow (a busy host) is not called unavailable: Start stays,
 * and provisioning says what happens.
 */
import { DomainError } from "../errors";
import type { SandboxEnvironment, SandboxProvider } from "../sandbox/provider";
import { findKind } from "../sandbox/providers/kind/kind-cli";
import { kindMissing } from "../sandbox/providers/kind/kind-errors";

export interface EnvironmentAvailability {
  environment: SandboxEnvironment;
  available: boolean;
  /** Why labs of this environment cannot start here, for learners; null when they can. */
  learnerMessage: string | null;
  /** What is missing and how to fix it, for operators; null when available. */
  operatorReason: string | null;
}

export type Availability = Record<SandboxEnvironment, EnvironmentAvailability>;

export interface AvailabilityDeps {
  /** The configured provider of an environment (SessionService.providerFor). */
  providerFor(environment: SandboxEnvironment): SandboxProvider | undefined;
  /** Where the kind CLI is, or null; defaults to KIND_BIN or PATH as the kind provider looks it up. */
  findKind?: () => string | null;
  /** KIND_BIN as configured, for the operator's sentence. */
  kindBin?: string;
  /** How long to wait for an engine before taking it as slow, not down (default 3 s). */
  timeoutMs?: number;
}

const ENVIRONMENTS: readonly SandboxEnvironment[] = ["node", "cluster"];

// Learners cannot fix any of this and need no engine words: what it means
// for them, and that it is not their doing.
const NODE_DOWN = "Labs cannot start on this server at the moment: it cannot create the node you would work on. Try again later, or tell whoever runs this server.";
const CLUSTER_NOT_SET_UP = "This lab needs a Kubernetes cluster of your own, and this server is not set up to create one.";
const CLUSTER_DOWN = "This lab needs a Kubernetes cluster of your own, and this server cannot create one at the moment. Try again later, or tell whoever runs this server.";

/** A problem found: the learner's sentence and the operator's reason. */
type Problem = { learner: string; operator: string };

/** `fn`'s value or error, or `slow` when it has not settled within `timeoutMs`. */
async function answer<T>(fn: () => Promise<T>, timeoutMs: number): Promise<{ value?: T; error?: Error; slow?: true }> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<{ slow: true }>((resolve) => {
    timer = setTimeout(() => resolve({ slow: true }), timeoutMs);
  });
  try {
    return await Promise.race([fn().then((value) => ({ value }), (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) })), slow]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the provider's engine answers and contains root as the policy requires; null when it does. */
async function engineProblem(provider: SandboxProvider, learner: string, timeoutMs: number): Promise<Problem | null> {
  // Several hosts: none up means nothing can start, whatever else is true.
  const hosts = provider.hosts?.();
  if (hosts && !hosts.some((h) => h.state === "up")) {
    return { learner, operator: `None of the Docker hosts answers (${hosts.map((h) => `${h.name}: ${h.state}${h.lastError ? `, ${h.lastError}` : ""}`).join("; ")}); see docs/hosts.md.` };
  }
  const info = await answer(() => provider.info(), timeoutMs);
  if (info.error) {
    return { learner, operator: `The Docker engine of ${provider.name} sandboxes does not answer (${info.error.message}); start it, or check DOCKER_HOST / KIND_DOCKER_HOST.` };
  }
  if (provider.isolation) {
    const report = await answer(() => provider.isolation!(), timeoutMs);
    if (report.error) return { learner, operator: `The isolation of ${provider.name} sandboxes cannot be read (${report.error.message}).` };
    if (report.value && !report.value.ok) return { learner, operator: `${report.value.message} Fix: ${report.value.fix}.` };
  }
  return null;
}

async function nodeProblem(deps: AvailabilityDeps, timeoutMs: number): Promise<Problem | null> {
  const provider = deps.providerFor("node");
  if (!provider) return { learner: NODE_DOWN, operator: "No sandbox provider is configured for node labs (Docker)." };
  return engineProblem(provider, NODE_DOWN, timeoutMs);
}

async function clusterProblem(deps: AvailabilityDeps, timeoutMs: number): Promise<Problem | null> {
  const provider = deps.providerFor("cluster");
  if (!provider) return { learner: CLUSTER_NOT_SET_UP, operator: "No kind provider is configured for cluster labs." };
  const kind = (deps.findKind ?? (() => findKind(deps.kindBin ? { KIND_BIN: deps.kindBin } : process.env)))();
  if (!kind) return { learner: CLUSTER_NOT_SET_UP, operator: kindMissing(deps.kindBin).message };
  // Refused by policy (privileged kind nodes under SANDBOX_ISOLATION=userns)
  // is a set-up matter for learners too, not a passing outage.
  const isolation = await answer(() => provider.isolation?.() ?? Promise.resolve(null), timeoutMs);
  if (isolation.value && !isolation.value.ok) return { learner: CLUSTER_NOT_SET_UP, operator: `${isolation.value.message} Fix: ${isolation.value.fix}.` };
  return engineProblem(provider, CLUSTER_DOWN, timeoutMs);
}

/** Every environment's availability, checked now (an engine slower than `timeoutMs` counts as answering). */
export async function checkAvailability(deps: AvailabilityDeps): Promise<Availability> {
  const timeoutMs = deps.timeoutMs ?? 3_000;
  const [node, cluster] = await Promise.all([nodeProblem(deps, timeoutMs), clusterProblem(deps, timeoutMs)]);
  const problems: Record<SandboxEnvironment, Problem | null> = { node, cluster };
  const out = {} as Availability;
  for (const environment of ENVIRONMENTS) {
    const p = problems[environment];
    out[environment] = { environment, available: !p, learnerMessage: p?.learner ?? null, operatorReason: p?.operator ?? null };
  }
  return out;
}

/** Availability as the API gives it: the operator's reason only for admins. */
export type AvailabilityView = Record<SandboxEnvironment, Omit<EnvironmentAvailability, "operatorReason"> & { operatorReason?: string | null }>;

/** Availability without operator reasons: what learners (and the browser) are told. */
export function forLearners(a: Availability): AvailabilityView {
  const strip = ({ operatorReason: _operatorReason, ...rest }: EnvironmentAvailability) => rest;
  return { node: strip(a.node), cluster: strip(a.cluster) };
}

/**
 * {@link checkAvailability} remembered for a few seconds: the catalog and
 * every lab page ask, and an engine's answer does not change per request.
 * Concurrent callers share one check.
 */
export class LabAvailability {
  private last: { at: number; value: Promise<Availability> } | null = null;

  constructor(
    private readonly deps: AvailabilityDeps,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  check(): Promise<Availability> {
    const t = this.now();
    if (this.last && t - this.last.at < this.ttlMs) return this.last.value;
    const value = checkAvailability(this.deps);
    this.last = { at: t, value };
    // A failed check is not remembered.
    value.catch(() => {
      if (this.last?.value === value) this.last = null;
    });
    return value;
  }

  /**
   * Throws UNAVAILABLE with the learner's sentence when labs of
   * `environment` cannot start here. The error's detail (which reaches the
   * browser) points at the admin page rather than carrying the operator's reason.
   */
  async assertAvailable(environment: SandboxEnvironment): Promise<void> {
    const a = (await this.check())[environment];
    if (!a.available) throw new DomainError("UNAVAILABLE", a.learnerMessage!, `${environment} labs are unavailable on this install; admins see why on /admin`);
  }
}
