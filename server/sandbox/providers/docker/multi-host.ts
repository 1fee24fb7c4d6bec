/**
 * Node sandboxes spread over several Docker hosts (DOCKER_HOSTS), behind the
 * same SandboxProvider interface as one host.
 *
 * One DockerProvider per host does the real work; this class decides where
 * a new sandbox goes (placement.ts: least loaded healthy host, with loads
 * from host-loads.ts), routes every later call to the host the sandbox is on
 * (sandbox-locator.ts), and watches the hosts' health (host-set.ts,
 * hosts-health.ts). Labels stay the only record of what exists: which host
 * holds a sandbox is remembered in memory as a shortcut and otherwise found
 * by asking the hosts. Sessions learn a host was lost through
 * `onHostChange` and `listByHost`.
 */
import Docker from "dockerode";
import type {
  ExecOptions,
  ExecResult,
  HostChange,
  HostSandboxList,
  HostStatus,
  NodeEngine,
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
import { DEFAULT_INSTANCE } from "../../labels";
import { SandboxError, isSandboxError } from "../../errors";
import { DockerApi } from "../common/docker-api";
import { dockerodeOptions } from "../common/engine-connection";
import { newSandboxId } from "../common/ids";
import type { DockerHostConfig } from "./hosts";
import { HostHealth } from "./hosts-health";
import { HostSet } from "./host-set";
import { HostLoads } from "./host-loads";
import { SandboxLocator } from "./sandbox-locator";
import { placeSandbox } from "./placement";
import { DEFAULT_LIMITS } from "./node-spec";
import { DockerProvider, type DockerProviderOptions } from "./provider";
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

export class MultiHostDockerProvider implements SandboxProvider {
  readonly name = "docker";
  readonly environment = "node" as const;
  readonly instance: string;
  /** The hosts and their health (host-set.ts). */
  private readonly hostSet: HostSet;
  /** Which host holds which sandbox (sandbox-locator.ts). */
  private readonly locator: SandboxLocator;
  /** How full each host is, for placement (host-loads.ts). */
  private readonly loads: HostLoads;
  private readonly log: (msg: string) => void;

  constructor(hosts: DockerHostConfig[], options: MultiHostOptions = {}) {
    if (hosts.length === 0) throw new Error("MultiHostDockerProvider needs at least one host");
    this.instance = options.instance ?? DEFAULT_INSTANCE;
    const pingIntervalMs = options.pingIntervalMs ?? 5_000;
    this.log = options.log ?? (() => {});
    const nodeMemory = options.limits?.memoryBytes ?? DEFAULT_LIMITS.memoryBytes;
    const { defaultMaxSandboxes, pingIntervalMs: _i, pingTimeoutMs: _t, downAfter = 3, log: _l, ...shared } = options;
    const entries = hosts.map((config) => {
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
    this.hostSet = new HostSet(entries, {
      pingIntervalMs,
      pingTimeoutMs: options.pingTimeoutMs ?? Math.min(pingIntervalMs, 5_000),
      log: this.log,
      onDown: (host) => this.locator.forgetHost(host),
    });
    this.locator = new SandboxLocator(this.hostSet, this.instance);
    this.loads = new HostLoads(this.hostSet);
  }

  /** The image nodes are made from (the same on every host). */
  get image(): string {
    return this.hostSet.entries[0]!.provider.image;
  }

  // ---- health (host-set.ts) ------------------------------------------------

  hosts(): HostStatus[] {
    return this.hostSet.statuses();
  }

  onHostChange(listener: (change: HostChange) => void): () => void {
    return this.hostSet.onChange(listener);
  }

  /** Node stops on every host (each host's own event stream, stamped with its name). */
  onSandboxStop(listener: (stop: SandboxStop) => void): () => void {
    const unsubscribers = this.hostSet.entries.map((e) => e.provider.onSandboxStop(listener));
    return () => unsubscribers.forEach((u) => u());
  }

  /** Leftover cgroup fences on every host that answers (only a host on this machine has any). */
  async sweepLeftovers(minAgeMs: number): Promise<string[]> {
    const swept = await Promise.allSettled(this.hostSet.entries.map((e) => e.provider.sweepLeftovers(minAgeMs)));
    return swept.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  }

  /** Pings every host every `pingIntervalMs` until {@link stopHealthChecks}. */
  startHealthChecks(): void {
    this.hostSet.start();
  }

  stopHealthChecks(): void {
    this.hostSet.stop();
  }

  /** One round of pings (a round still running is joined, not doubled). */
  checkHealth(): Promise<void> {
    return this.hostSet.checkHealth();
  }

  // ---- placement -----------------------------------------------------------

  /**
   * Creates the sandbox on the least loaded healthy host. A host that turns
   * out unreachable before anything was made there is skipped and the next
   * best one tried, so one dead host does not fail learners' starts.
   */
  async provision(spec: SandboxSpec = {}, onProgress?: ProgressListener, signal?: AbortSignal): Promise<Sandbox> {
    const id = spec.id ?? newSandboxId();
    const skipped = new Set<string>();
    for (;;) {
      const loads = await this.loads.now(skipped);
      const placement = placeSandbox(loads);
      if (placement.host === null) {
        const none = loads.every((l) => !l.healthy);
        throw none
          ? new SandboxError("DOCKER_UNREACHABLE", "No Docker host is answering, so sandboxes cannot be created right now.", placement.reason)
          : new SandboxError("CAPACITY", "All sandbox places on every host are taken; try again when one is free.", placement.reason);
      }
      const e = this.hostSet.entry(placement.host)!;
      const unreserve = this.loads.reserve(placement.host, id);
      try {
        const sandbox = await e.provider.provision({ ...spec, id }, onProgress, signal);
        this.locator.remember(id, placement.host);
        return sandbox;
      } catch (err) {
        if (!isSandboxError(err, "DOCKER_UNREACHABLE")) throw err;
        this.hostSet.noteFailure(e, err);
        skipped.add(placement.host);
        this.log(`docker host ${placement.host} did not answer while creating ${id}; trying another host`);
      } finally {
        unreserve();
      }
    }
  }

  // ---- finding and routing (sandbox-locator.ts) ----------------------------

  async get(id: string): Promise<Sandbox | null> {
    return (await this.locator.locate(id))?.sandbox ?? null;
  }

  async listByHost(filter: SandboxFilter = {}): Promise<HostSandboxList> {
    const out: HostSandboxList = { sandboxes: [], lost: [], unanswered: [] };
    await Promise.all(
      this.hostSet.entries.map(async (e) => {
        const name = e.config.name;
        if (e.health.state === "down") {
          out.lost.push(name);
          return;
        }
        try {
          for (const s of await e.provider.list(filter)) {
            this.locator.remember(s.id, name);
            out.sandboxes.push(s);
          }
        } catch (err) {
          this.hostSet.noteFailure(e, err);
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
    return this.locator.onHost(id, (p) => p.exec(id, argv, options));
  }

  async openShell(id: string, options: ShellOptions): Promise<Shell> {
    return this.locator.onHost(id, (p) => p.openShell(id, options));
  }

  async reapShells(id: string, keepOwner: string): Promise<number> {
    return this.locator.onHost(id, (p) => p.reapShells(id, keepOwner));
  }

  /**
   * Removes the sandbox from its host. Unknown ids are removed by label from
   * every reachable host (that also catches half-made leftovers). A sandbox
   * on a host that is down cannot be reached: when the host returns, the
   * session reconciler removes it as an orphan.
   */
  async destroy(id: string): Promise<void> {
    const knownEntry = this.locator.take(id);
    if (knownEntry?.health.state === "down") return;
    const targets = knownEntry ? [knownEntry] : this.hostSet.reachable();
    const results = await Promise.allSettled(targets.map((e) => e.provider.destroy(id)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Removes every sandbox of this instance on every reachable host (tests, reapers). */
  async destroyAll(): Promise<number> {
    const counts = await Promise.all(this.hostSet.reachable().map((e) => e.provider.destroyAll()));
    this.locator.clear();
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * The weakest containment among the hosts that answer: one host without
   * user namespaces is enough to say so (its nodes would not start).
   */
  async isolation(): Promise<IsolationReport> {
    const reports: IsolationReport[] = [];
    for (const e of this.hostSet.entries) {
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
      this.hostSet.reachable().map(async (e) => {
        try {
          return { e, info: await e.provider.info() };
        } catch (err) {
          this.hostSet.noteFailure(e, err);
          throw err;
        }
      }),
    );
    const answered = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    if (answered.length === 0) {
      throw new SandboxError(
        "DOCKER_UNREACHABLE",
        "No Docker host is answering, so sandboxes cannot be created right now.",
        this.hostSet.entries.map((e) => `${e.config.name}: ${e.health.lastError ?? "no answer"}`).join("; "),
      );
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

  /**
   * The engine of the sandbox's host (checks use it to read the node from
   * that host): its own provider's, local when its endpoint is a unix socket.
   */
  nodeEngine(sandbox: Sandbox): NodeEngine {
    const e = (sandbox.host && this.hostSet.entry(sandbox.host)) || this.hostSet.entries[0]!;
    return e.provider.nodeEngine(sandbox);
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
