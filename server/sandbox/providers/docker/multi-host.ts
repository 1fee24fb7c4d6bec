/**
 * Node sandboxes spread over several Docker hosts (DOCKER_HOSTS), behind the
 * same SandboxProvider interface as one host.
 *
 * One DockerProvider per host does the real work; this class decides where
 * a new sandbox goes (placement.ts: least loaded healthy host), routes every
 * later call to the host the sandbox is on, and watches the hosts' health
 * (hosts-health.ts). Labels stay the only record of what exists: which host
 * holds a sandbox is remembered in memory as a shortcut and otherwise found
 * by asking the hosts. Sessions learn a host was lost through
 * `onHostChange` and `listByHost`.
 */
import { timed } from "../../../health";
import Docker from "dockerode";
import type {
  ExecOptions,
  ExecResult,
  HostChange,
  HostSandboxList,
  HostStatus,
  ProgressListener,
  ProviderInfo,
  Sandbox,
  SandboxFilter,
  SandboxStop,
  SandboxProvider,
  SandboxSpec,
  Shell,
  ShellOptions,
} from "../../provider";
import { defaultInstance } from "../../labels";
import { SandboxError, isSandboxError } from "../../errors";
import { DockerApi } from "./docker-api";
import { dockerodeOptions, isLocalEndpoint, type DockerHostConfig } from "./hosts";
import { HostHealth } from "./hosts-health";
import { placeSandbox, type HostLoad } from "./placement";
import { DEFAULT_LIMITS } from "./node-spec";
import { DockerProvider, newSandboxId, type DockerProviderOptions } from "./provider";
import type { IsolationReport } from "./engine-profile";

/** Options of {@link MultiHostDockerProvider}. */
export interface MultiHostOptions extends Omit<DockerProviderOptions, "api" | "endpoint" | "hostName" | "maxSandboxes"> {
  /** Sandboxes a host may hold when it configures neither max nor memory; default: what its memory allows. */
  defaultMaxSandboxes?: number;
  /** How often each host is pinged; default 5 s. */
  pingIntervalMs?: number;
  /** A ping slower than this counts as failed; default the interval, at most 5 s. */
  pingTimeoutMs?: number;
  /** Consecutive failed pings after which a host is down; default 3. */
  downAfter?: number;
  log?: (msg: string) => void;
}

/** One configured host and what we know about it. */
interface HostEntry {
  config: DockerHostConfig;
  provider: DockerProvider;
  api: DockerApi;
  health: HostHealth;
  /** Capacity in sandboxes, once known. */
  max?: number;
}

/** Sandboxes counted as occupying a place (a stopped node uses no memory). */
const occupies = (s: Sandbox) => s.state !== "stopped";

export class MultiHostDockerProvider implements SandboxProvider {
  readonly name = "docker";
  readonly environment = "node" as const;
  readonly instance: string;
  private readonly entries: HostEntry[];
  /** Which host a sandbox is on (a cache; labels on the hosts are the truth). */
  private readonly located = new Map<string, string>();
  /** Sandboxes being created, per host: counted by placement before their containers exist. */
  private readonly pending = new Map<string, Set<string>>();
  private readonly listeners = new Set<(change: HostChange) => void>();
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly log: (msg: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private pinging: Promise<void> | null = null;

  constructor(hosts: DockerHostConfig[], options: MultiHostOptions = {}) {
    if (hosts.length === 0) throw new Error("MultiHostDockerProvider needs at least one host");
    this.instance = options.instance ?? defaultInstance();
    this.pingIntervalMs = options.pingIntervalMs ?? 5_000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? Math.min(this.pingIntervalMs, 5_000);
    this.log = options.log ?? (() => {});
    const nodeMemory = options.limits?.memoryBytes ?? DEFAULT_LIMITS.memoryBytes;
    const { defaultMaxSandboxes, pingIntervalMs: _i, pingTimeoutMs: _t, downAfter = 3, log: _l, ...shared } = options;
    this.entries = hosts.map((config) => {
      const api = new DockerApi(new Docker(dockerodeOptions(config)));
      const configured = configuredMax(config, nodeMemory);
      const provider = new DockerProvider({
        ...shared,
        instance: this.instance,
        api,
        endpoint: config.endpoint,
        hostName: config.name,
        maxSandboxes: configured ?? defaultMaxSandboxes,
        log: this.log,
      });
      return { config, api, provider, health: new HostHealth(downAfter), max: configured ?? defaultMaxSandboxes };
    });
  }

  /** The image nodes are made from (the same on every host). */
  get image(): string {
    return this.entries[0]!.provider.image;
  }

  // ---- health ------------------------------------------------------------

  hosts(): HostStatus[] {
    return this.entries.map((e) => {
      const status: HostStatus = { name: e.config.name, endpoint: e.config.endpoint, state: e.health.state, failures: e.health.failures };
      if (e.health.lastError) status.lastError = e.health.lastError;
      return status;
    });
  }

  onHostChange(listener: (change: HostChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Node stops on every host (each host's own event stream, stamped with its name). */
  onSandboxStop(listener: (stop: SandboxStop) => void): () => void {
    const unsubscribers = this.entries.map((e) => e.provider.onSandboxStop(listener));
    return () => unsubscribers.forEach((u) => u());
  }

  /** Pings every host every `pingIntervalMs` until {@link stopHealthChecks}. */
  startHealthChecks(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkHealth(), this.pingIntervalMs);
    this.timer.unref();
  }

  stopHealthChecks(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of pings (a round still running is joined, not doubled). */
  checkHealth(): Promise<void> {
    this.pinging ??= Promise.all(this.entries.map((e) => this.ping(e)))
      .then(() => {})
      .finally(() => {
        this.pinging = null;
      });
    return this.pinging;
  }

  private async ping(e: HostEntry): Promise<void> {
    const r = await timed(() => e.api.ping(), this.pingTimeoutMs);
    const error = r.error ? (isSandboxError(r.error) && r.error.detail ? r.error.detail : r.error.message) : undefined;
    const change = e.health.recordPing(error === undefined, error);
    if (!change) return;
    const name = e.config.name;
    if (change === "down") {
      this.log(`docker host ${name} is down after ${e.health.failures} missed pings (${error})`);
      for (const [id, host] of this.located) if (host === name) this.located.delete(id);
    } else {
      this.log(`docker host ${name} answers again`);
    }
    for (const listener of this.listeners) {
      try {
        listener(change === "down" ? { host: name, state: "down", detail: error } : { host: name, state: "up" });
      } catch (err) {
        this.log(`a host-change listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Notes a failed call: connection failures make the host suspect (no new sandboxes). */
  private noteFailure(e: HostEntry, err: unknown): void {
    if (isSandboxError(err, "DOCKER_UNREACHABLE")) e.health.markSuspect(err.detail ?? err.message);
  }

  private entry(name: string): HostEntry | undefined {
    return this.entries.find((e) => e.config.name === name);
  }

  /** Hosts we may talk to: all but those marked down. */
  private reachable(): HostEntry[] {
    return this.entries.filter((e) => e.health.state !== "down");
  }

  // ---- placement -----------------------------------------------------------

  private async maxOf(e: HostEntry): Promise<number> {
    e.max ??= (await e.provider.info()).max;
    return e.max;
  }

  /** The load of every host now; hosts that fail to answer count as unhealthy. */
  private async loads(exclude: Set<string>): Promise<HostLoad[]> {
    return Promise.all(
      this.entries.map(async (e): Promise<HostLoad> => {
        const name = e.config.name;
        const unhealthy = { name, healthy: false, sandboxes: 0, maxSandboxes: 0 };
        if (e.health.state !== "up" || exclude.has(name)) return unhealthy;
        try {
          const [sandboxes, max] = await Promise.all([e.provider.list(), this.maxOf(e)]);
          const ids = new Set(sandboxes.filter(occupies).map((s) => s.id));
          for (const id of this.pending.get(name) ?? []) ids.add(id);
          return { name, healthy: e.health.state === "up", sandboxes: ids.size, maxSandboxes: max };
        } catch (err) {
          this.noteFailure(e, err);
          return unhealthy;
        }
      }),
    );
  }

  /**
   * Creates the sandbox on the least loaded healthy host. A host that turns
   * out unreachable before anything was made there is skipped and the next
   * best one tried, so one dead host does not fail learners' starts.
   */
  async provision(spec: SandboxSpec = {}, onProgress?: ProgressListener, signal?: AbortSignal): Promise<Sandbox> {
    const id = spec.id ?? newSandboxId();
    const skipped = new Set<string>();
    for (;;) {
      const loads = await this.loads(skipped);
      const placement = placeSandbox(loads);
      if (placement.host === null) {
        const none = loads.every((l) => !l.healthy);
        throw none
          ? new SandboxError("DOCKER_UNREACHABLE", "No Docker host is answering, so sandboxes cannot be created right now.", placement.reason)
          : new SandboxError("CAPACITY", "All sandbox places on every host are taken; try again when one is free.", placement.reason);
      }
      const e = this.entry(placement.host)!;
      // Reserved before any await, so concurrent placements see this one.
      const pending = this.pending.get(placement.host) ?? new Set<string>();
      this.pending.set(placement.host, pending.add(id));
      try {
        const sandbox = await e.provider.provision({ ...spec, id }, onProgress, signal);
        this.located.set(id, placement.host);
        return sandbox;
      } catch (err) {
        if (!isSandboxError(err, "DOCKER_UNREACHABLE")) throw err;
        this.noteFailure(e, err);
        skipped.add(placement.host);
        this.log(`docker host ${placement.host} did not answer while creating ${id}; trying another host`);
      } finally {
        pending.delete(id);
      }
    }
  }

  // ---- finding and routing -------------------------------------------------

  /**
   * The host a sandbox is on: the remembered one, else the first host whose
   * labels name it. Null when no reachable host has it; throws when it was not
   * found but a host that might hold it did not answer.
   */
  private async locate(id: string): Promise<{ entry: HostEntry; sandbox: Sandbox } | null> {
    const known = this.located.get(id);
    const knownEntry = known ? this.entry(known) : undefined;
    if (knownEntry && knownEntry.health.state !== "down") {
      try {
        const sandbox = await knownEntry.provider.get(id);
        if (sandbox) return { entry: knownEntry, sandbox };
        this.located.delete(id);
        return null;
      } catch (err) {
        this.noteFailure(knownEntry, err);
        throw err;
      }
    }
    const asked = this.reachable();
    const results = await Promise.allSettled(asked.map(async (e) => ({ entry: e, sandbox: await e.provider.get(id) })));
    let failure: unknown;
    for (const [i, r] of results.entries()) {
      if (r.status === "fulfilled" && r.value.sandbox) {
        this.located.set(id, r.value.entry.config.name);
        return { entry: r.value.entry, sandbox: r.value.sandbox };
      }
      if (r.status === "rejected") {
        this.noteFailure(asked[i]!, r.reason);
        failure ??= r.reason;
      }
    }
    if (failure) throw failure;
    return null;
  }

  private async requireHost(id: string): Promise<HostEntry> {
    const found = await this.locate(id);
    if (!found) throw new SandboxError("NOT_FOUND", "This sandbox does not exist (any more).", `sandbox ${id}, instance ${this.instance}, on none of the reachable hosts`);
    return found.entry;
  }

  async get(id: string): Promise<Sandbox | null> {
    return (await this.locate(id))?.sandbox ?? null;
  }

  async listByHost(filter: SandboxFilter = {}): Promise<HostSandboxList> {
    const out: HostSandboxList = { sandboxes: [], lost: [], unanswered: [] };
    await Promise.all(
      this.entries.map(async (e) => {
        const name = e.config.name;
        if (e.health.state === "down") {
          out.lost.push(name);
          return;
        }
        try {
          for (const s of await e.provider.list(filter)) {
            this.located.set(s.id, name);
            out.sandboxes.push(s);
          }
        } catch (err) {
          this.noteFailure(e, err);
          out.unanswered.push(name);
        }
      }),
    );
    out.sandboxes.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return out;
  }

  /**
   * Sandboxes on every reachable host. Fails when a host not yet marked down
   * does not answer: a partial list would read as "those sandboxes are gone".
   */
  async list(filter: SandboxFilter = {}): Promise<Sandbox[]> {
    const r = await this.listByHost(filter);
    if (r.unanswered.length) {
      throw new SandboxError(
        "DOCKER_UNREACHABLE",
        "Docker is not reachable, so sandboxes cannot be created or used right now.",
        `docker host(s) ${r.unanswered.join(", ")} did not answer while listing sandboxes`,
      );
    }
    return r.sandboxes;
  }

  async exec(id: string, argv: string[], options?: ExecOptions): Promise<ExecResult> {
    return this.onHost(id, (p) => p.exec(id, argv, options));
  }

  async openShell(id: string, options: ShellOptions): Promise<Shell> {
    return this.onHost(id, (p) => p.openShell(id, options));
  }

  async reapShells(id: string, keepOwner: string): Promise<number> {
    return this.onHost(id, (p) => p.reapShells(id, keepOwner));
  }

  /**
   * Runs `fn` on the sandbox's host. A known host is asked directly (its
   * provider looks the sandbox up itself, so locating it first would list
   * containers twice per check command); only when the host says NOT_FOUND,
   * or the host is unknown, are the hosts searched.
   */
  private async onHost<T>(id: string, fn: (provider: DockerProvider) => Promise<T>): Promise<T> {
    const known = this.located.get(id);
    const entry = known ? this.entry(known) : undefined;
    if (entry && entry.health.state !== "down") {
      try {
        return await fn(entry.provider);
      } catch (err) {
        this.noteFailure(entry, err);
        if (!isSandboxError(err, "NOT_FOUND")) throw err;
        this.located.delete(id);
      }
    }
    return fn((await this.requireHost(id)).provider);
  }

  /**
   * Removes the sandbox from its host. Unknown ids are removed by label from
   * every reachable host (that also catches half-made leftovers). A sandbox
   * on a host that is down cannot be reached: when the host returns, the
   * session reconciler removes it as an orphan.
   */
  async destroy(id: string): Promise<void> {
    const known = this.located.get(id);
    const knownEntry = known ? this.entry(known) : undefined;
    this.located.delete(id);
    if (knownEntry?.health.state === "down") return;
    const targets = knownEntry ? [knownEntry] : this.reachable();
    const results = await Promise.allSettled(targets.map((e) => e.provider.destroy(id)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Removes every sandbox of this instance on every reachable host (tests, reapers). */
  async destroyAll(): Promise<number> {
    const counts = await Promise.all(this.reachable().map((e) => e.provider.destroyAll()));
    this.located.clear();
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * The weakest containment among the hosts that answer: one host without
   * user namespaces is enough to say so (its nodes would not start).
   */
  async isolation(): Promise<IsolationReport> {
    const reports: IsolationReport[] = [];
    for (const e of this.entries) {
      if (e.health.state === "down") continue;
      const r = await e.provider.isolation().catch(() => null);
      if (r) reports.push({ ...r, message: `${e.config.name}: ${r.message}` });
    }
    if (!reports.length) throw new SandboxError("DOCKER_UNREACHABLE", "No Docker host answers, so isolation cannot be read.");
    const failing = reports.find((r) => !r.ok);
    if (failing) return failing;
    return reports.find((r) => r.level === "shared-kernel-root") ?? reports.find((r) => r.diskQuotaMb === null) ?? reports[0]!;
  }

  /** Capacity over the hosts that answer; a lost host's places do not count. */
  async info(): Promise<ProviderInfo> {
    const results = await Promise.allSettled(
      this.reachable().map(async (e) => {
        try {
          return { e, info: await e.provider.info() };
        } catch (err) {
          this.noteFailure(e, err);
          throw err;
        }
      }),
    );
    const answered = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    if (answered.length === 0) {
      throw new SandboxError("DOCKER_UNREACHABLE", "No Docker host is answering, so sandboxes cannot be created right now.", this.entries.map((e) => `${e.config.name}: ${e.health.lastError ?? "no answer"}`).join("; "));
    }
    for (const { e, info } of answered) e.max ??= info.max;
    return {
      provider: this.name,
      instance: this.instance,
      running: answered.reduce((n, a) => n + a.info.running, 0),
      max: answered.reduce((n, a) => n + a.info.max, 0),
      host: {
        memoryBytes: answered.reduce((n, a) => n + a.info.host.memoryBytes, 0),
        cpus: answered.reduce((n, a) => n + a.info.host.cpus, 0),
      },
    };
  }

  /** The engine of the sandbox's host (checks use it to read the node from that host). */
  dockerEngine(sandbox: Sandbox): { docker: Docker; endpoint: string; local: boolean } {
    const e = (sandbox.host && this.entry(sandbox.host)) || this.entries[0]!;
    return { docker: e.api.docker, endpoint: e.config.endpoint, local: isLocalEndpoint(e.config.endpoint) };
  }
}

/**
 * A host's configured capacity in sandboxes (max and memory budget, the
 * smaller), if any. A memory budget too small for one node is a configuration
 * mistake and says so rather than leaving the host silently unused.
 */
export function configuredMax(host: DockerHostConfig, nodeMemoryBytes: number): number | undefined {
  let byMemory: number | undefined;
  if (host.memoryBytes !== undefined) {
    byMemory = Math.floor(host.memoryBytes / nodeMemoryBytes);
    if (byMemory < 1) {
      const mib = (b: number) => `${Math.round(b / 1024 ** 2)} MiB`;
      throw new Error(`Docker host "${host.name}": memory ${mib(host.memoryBytes)} is less than one node's memory limit (${mib(nodeMemoryBytes)}); raise memory or leave it out.`);
    }
  }
  if (host.maxSandboxes === undefined) return byMemory;
  return byMemory === undefined ? host.maxSandboxes : Math.min(host.maxSandboxes, byMemory);
}
