/**
 * The docker provider: one "node" container per sandbox, from the project's
 * node image (containerd + runc + runsc), with a labelled volume for
 * containerd's state. Labels on the container and volume are the only record.
 */
import type { ExecOptions, ExecResult, NodeEngine, ProgressListener, ProviderInfo, Sandbox, SandboxFilter, SandboxStop, SandboxProvider, SandboxSpec, Shell, ShellOptions } from "../../provider";
import { DEFAULT_INSTANCE, labelFilters, parseLabels } from "../../labels";
import { SandboxError } from "../../errors";
import { runSteps } from "../../steps";
import { DockerApi, isRemoteDockerHost, type ContainerSummary } from "../common/docker-api";
import { newSandboxId } from "../common/ids";
import { DEFAULT_LIMITS, DEFAULT_NODE_IMAGE } from "./node-spec";
import { openShell, reapShells, runExec } from "../common/exec";
import { detectFence, type CgroupFence } from "./cgroup-fence";
import { NodeEventWatcher } from "./node-events";
import { dockerNodeEngine } from "./node-engine";
import { assessIsolation, DEFAULT_ISOLATION_POLICY, engineProfile, type EngineProfile, type IsolationPolicy, type IsolationReport } from "./engine-profile";
import type { NodeContext, NodeProvisioner } from "./steps/context";
import { NODE_STEPS } from "./steps/sequence";

/**
 * Options of {@link DockerProvider}: configuration comes from the caller (the
 * server builds it from server/env.ts in from-env.ts); the provider reads no
 * environment variables itself.
 */
export interface DockerProviderOptions {
  /** Platform instance (LABS_INSTANCE); default "default". */
  instance?: string;
  /** Node image (LABS_NODE_IMAGE); default runtime-labs/node:dev. */
  image?: string;
  /** Maximum sandboxes of this instance (LABS_MAX_SANDBOXES); default what host memory allows. */
  maxSandboxes?: number;
  /** Default limits per node. */
  limits?: { memoryBytes?: number; cpus?: number; pids?: number };
  /** Default time to wait for a node to be ready. */
  readyTimeoutMs?: number;
  /** Engine access; default dockerode, which honours DOCKER_HOST itself. */
  api?: DockerApi;
  /**
   * Where `api` talks to (unix://, tcp://; DOCKER_HOST): decides whether the
   * engine is on this machine (cgroup fence, host view). Default: what `api`
   * reports.
   */
  endpoint?: string;
  /** Host name recorded on every sandbox (`Sandbox.host`) when this provider is one of several hosts. */
  hostName?: string;
  /**
   * What the engine must offer before a node may start (SANDBOX_ISOLATION,
   * SANDBOX_DISK_MB; docs/isolation.md); default user namespaces and a
   * 4096 MiB disk cap.
   */
  isolation?: Partial<IsolationPolicy>;
  /** Operator-facing lines (the engine event stream dropping and coming back, cgroups that could not be removed). */
  log?: (msg: string) => void;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,39}$/;
const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** Sandbox provider backed by one Docker container per sandbox. */
export class DockerProvider implements SandboxProvider {
  readonly name = "docker";
  readonly environment = "node" as const;
  readonly instance: string;
  readonly image: string;
  /** Host name stamped on sandboxes (multi-host), else undefined. */
  readonly hostName: string | undefined;
  /** Where the engine listens (the `endpoint` option, else what the client reports). */
  private readonly endpoint: string;
  private readonly api: DockerApi;
  private readonly limits: { memoryBytes: number; cpus: number; pids: number };
  private readonly maxOption: number | undefined;
  private readonly readyTimeoutMs: number;
  private fence: Promise<CgroupFence | null> | undefined;
  private profile: Promise<EngineProfile> | undefined;
  readonly isolationPolicy: IsolationPolicy;
  /** Why limits are not fenced on this host, if they are not (for health/docs). */
  fenceUnavailable: string | undefined;
  private readonly events: NodeEventWatcher;
  /** What the creation steps (steps/) use of this provider. */
  private readonly provisioner: NodeProvisioner;
  /** The engine as checks see it (nodeEngine). */
  private readonly engine: NodeEngine;
  private readonly log: ((msg: string) => void) | undefined;

  constructor(options: DockerProviderOptions = {}) {
    this.instance = options.instance ?? DEFAULT_INSTANCE;
    this.image = options.image ?? DEFAULT_NODE_IMAGE;
    this.api = options.api ?? new DockerApi();
    this.endpoint = options.endpoint ?? this.api.endpoint;
    this.hostName = options.hostName;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.maxOption = options.maxSandboxes;
    this.readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    this.isolationPolicy = { ...DEFAULT_ISOLATION_POLICY, ...options.isolation };
    this.events = new NodeEventWatcher(this.api, this.instance, this.hostName, options.log);
    this.log = options.log;
    const local = !isRemoteDockerHost(this.endpoint);
    this.engine = dockerNodeEngine(this.api, this.endpoint, local);
    this.provisioner = {
      api: this.api,
      instance: this.instance,
      image: this.image,
      isolationPolicy: this.isolationPolicy,
      endpoint: this.endpoint,
      local,
      info: () => this.info(),
      engineProfile: () => this.engineProfile(),
      forgetEngineProfile: () => {
        this.profile = undefined;
      },
      cgroupFence: () => this.cgroupFence(),
    };
  }

  onSandboxStop(listener: (stop: SandboxStop) => void): () => void {
    return this.events.subscribe(listener);
  }

  /** Creates the node with the steps of steps/sequence.ts, each reported to `onProgress`. */
  async provision(spec: SandboxSpec = {}, onProgress?: ProgressListener, signal?: AbortSignal): Promise<Sandbox> {
    const id = spec.id ?? newSandboxId();
    if (!ID_PATTERN.test(id)) {
      throw new SandboxError("INVALID_SPEC", "The sandbox id is not valid.", `id ${JSON.stringify(id)} must match ${ID_PATTERN}`);
    }
    const ctx: NodeContext = {
      provider: this.provisioner,
      id,
      labels: {
        instance: this.instance,
        sandboxId: id,
        environment: "node",
        provider: this.name,
        pool: spec.pool ?? false,
        createdAt: new Date(),
        sessionId: spec.sessionId,
        labSlug: spec.labSlug,
      },
      volume: `labs-${id}-containerd`,
      containerName: `labs-${id}`,
      memoryBytes: spec.resources?.memoryBytes ?? this.limits.memoryBytes,
      cpus: spec.resources?.cpus ?? this.limits.cpus,
      pids: spec.resources?.pids ?? this.limits.pids,
      readyTimeoutMs: spec.readyTimeoutMs ?? this.readyTimeoutMs,
    };
    await runSteps(NODE_STEPS, ctx, { onProgress, signal, retainOnFailure: spec.retainOnFailure });
    const sandbox = await this.get(id);
    if (!sandbox) throw new SandboxError("PROVISION_FAILED", "The sandbox disappeared right after it was created.", `id ${id}`);
    return sandbox;
  }

  async get(id: string): Promise<Sandbox | null> {
    const found = await this.list_({ sandboxId: id });
    return found[0] ?? null;
  }

  async list(filter: SandboxFilter = {}): Promise<Sandbox[]> {
    return this.list_(filter);
  }

  private async list_(filter: SandboxFilter & { sandboxId?: string }): Promise<Sandbox[]> {
    const containers = await this.api.listContainers(labelFilters({ instance: this.instance, role: "node", ...filter }));
    const out: Sandbox[] = [];
    for (const c of containers) {
      const s = toSandbox(c);
      if (s && this.hostName) s.host = this.hostName;
      if (s) out.push(s);
    }
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async exec(id: string, argv: string[], options?: ExecOptions): Promise<ExecResult> {
    return runExec(this.api, await this.runningNode(id), argv, options);
  }

  async openShell(id: string, options: ShellOptions): Promise<Shell> {
    return openShell(this.api, await this.runningNode(id), options);
  }

  async reapShells(id: string, keepOwner: string): Promise<number> {
    return reapShells(this.api, await this.runningNode(id), keepOwner);
  }

  /** Container id of the sandbox's node, which must be running. */
  private async runningNode(id: string): Promise<string> {
    const s = await this.get(id);
    if (!s) throw new SandboxError("NOT_FOUND", "This sandbox does not exist (any more).", `sandbox ${id}, instance ${this.instance}`);
    if (s.state !== "running") {
      throw new SandboxError("EXEC_FAILED", "This sandbox's node is not running.", `sandbox ${id} is ${s.state}`);
    }
    return s.nodes[0]!.containerId;
  }

  async destroy(id: string): Promise<void> {
    const filters = labelFilters({ instance: this.instance, sandboxId: id });
    // Containers first: a volume in use cannot be removed.
    for (const c of await this.api.listContainers(filters)) await this.api.removeContainer(c.id);
    for (const v of await this.api.listVolumes(filters)) await this.api.removeVolume(v.name);
    const fence = await this.cgroupFence();
    // The sandbox is gone either way; a fence directory left here is found
    // and removed by reconciliation (sweepLeftovers).
    await fence?.remove(fence.parentFor(this.instance, id)).catch((err: unknown) => this.log?.(`${id}: ${(err as Error).message}; reconciliation will retry`));
  }

  /**
   * Removes the cgroup fence directories of sandboxes that no longer exist
   * (a node removed behind the platform's back, a removal that found the
   * cgroup busy, a server that died between the two). Only directories at
   * least `minAgeMs` old: a fence is made just before its container, and one
   * being made now has no container yet. Returns the sandbox ids cleaned.
   */
  async sweepLeftovers(minAgeMs: number): Promise<string[]> {
    const fence = await this.cgroupFence();
    if (!fence) return [];
    const existing = new Set<string>();
    for (const c of await this.api.listContainers(labelFilters({ instance: this.instance }))) {
      const id = parseLabels(c.labels)?.sandboxId;
      if (id) existing.add(id);
    }
    const swept: string[] = [];
    for (const { sandboxId, ageMs } of await fence.fenced(this.instance)) {
      if (existing.has(sandboxId) || ageMs < minAgeMs) continue;
      try {
        await fence.remove(fence.parentFor(this.instance, sandboxId));
        swept.push(sandboxId);
      } catch (err) {
        this.log?.(`${sandboxId}: ${(err as Error).message}`);
      }
    }
    return swept;
  }

  /** The host cgroup fence, detected once; null where this process cannot manage host cgroups. */
  private cgroupFence(): Promise<CgroupFence | null> {
    this.fence ??= this.api.info().then(async (info) => {
      const { fence, reason } = await detectFence({ dockerHost: this.endpoint, cgroupDriver: info.cgroupDriver });
      this.fenceUnavailable = reason;
      return fence;
    });
    return this.fence;
  }

  /** The engine's isolation profile, read once. */
  private engineProfile(): Promise<EngineProfile> {
    this.profile ??= this.api.engineInfo().then(engineProfile, (err) => {
      this.profile = undefined;
      throw err;
    });
    return this.profile;
  }

  /** How learners' nodes are contained on this engine, judged against the policy. */
  async isolation(): Promise<IsolationReport> {
    return assessIsolation(await this.engineProfile(), this.isolationPolicy, this.endpoint);
  }

  /**
   * The engine every sandbox of this provider runs on, and whether it is on
   * this machine (checks then read the node from the host's /proc and cgroups).
   */
  nodeEngine(_sandbox: Sandbox): NodeEngine {
    return this.engine;
  }

  /**
   * Removes every container and volume of this instance, including partial
   * leftovers whose labels are incomplete (tests, reapers).
   */
  async destroyAll(): Promise<number> {
    const filters = labelFilters({ instance: this.instance });
    const containers = await this.api.listContainers(filters);
    for (const c of containers) await this.api.removeContainer(c.id);
    for (const v of await this.api.listVolumes(filters)) await this.api.removeVolume(v.name);
    // Every fence directory of the instance goes too, also those of
    // sandboxes removed earlier by someone else.
    await this.sweepLeftovers(0);
    return containers.length;
  }

  async info(): Promise<ProviderInfo> {
    const [host, containers] = await Promise.all([this.api.info(), this.api.listContainers(labelFilters({ instance: this.instance, role: "node" }))]);
    // Without a configured maximum, allow what fits in 80% of host memory.
    const max = this.maxOption ?? Math.max(1, Math.floor((host.memoryBytes * 0.8) / this.limits.memoryBytes));
    return {
      provider: this.name,
      instance: this.instance,
      running: containers.filter((c) => c.state === "running" || c.state === "created").length,
      max,
      host,
    };
  }
}

function toSandbox(c: ContainerSummary): Sandbox | null {
  const data = parseLabels(c.labels);
  if (!data) return null;
  const state = c.state === "running" ? "running" : c.state === "created" ? "creating" : "stopped";
  const s: Sandbox = {
    id: data.sandboxId,
    provider: data.provider,
    environment: data.environment,
    instance: data.instance,
    pool: data.pool,
    createdAt: data.createdAt,
    state,
    nodes: [{ name: c.name, containerId: c.id, role: "node" }],
  };
  if (data.sessionId) s.sessionId = data.sessionId;
  if (data.labSlug) s.labSlug = data.labSlug;
  if (data.cgroupVersion) s.cgroupVersion = data.cgroupVersion;
  return s;
}
