/**
 * The docker provider: one "node" container per sandbox, from the project's
 * node image (containerd + runc + runsc), with a labelled volume for
 * containerd's state. Labels on the container and volume are the only record.
 */
import { randomBytes } from "node:crypto";
import type {
  ExecOptions,
  ExecResult,
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
import { buildLabels, defaultInstance, labelFilters, parseLabels, type SandboxLabelData } from "../../labels";
import { SandboxError } from "../../errors";
import { runSteps, type Step } from "../../steps";
import type Docker from "dockerode";
import { DockerApi, isRemoteDockerHost, type ContainerSummary } from "./docker-api";
import { DEFAULT_LIMITS, DEFAULT_NODE_IMAGE, nodeContainerOptions } from "./node-spec";
import { openShell, reapShells, runExec } from "./exec";
import { detectFence, type CgroupFence } from "./cgroup-fence";
import { handOverNodeCgroups, inUserNamespace } from "./cgroup-handover";
import { readFile } from "node:fs/promises";
import { NodeEventWatcher } from "./node-events";
import { assessIsolation, engineProfile, isolationPolicyFromEnv, type EngineProfile, type IsolationPolicy, type IsolationReport } from "./engine-profile";

/** Options of {@link DockerProvider}. */
export interface DockerProviderOptions {
  /** Platform instance; default env LABS_INSTANCE or "default". */
  instance?: string;
  /** Node image; default runtime-labs/node:dev (env LABS_NODE_IMAGE). */
  image?: string;
  /** Maximum sandboxes of this instance; default env LABS_MAX_SANDBOXES or what host memory allows. */
  maxSandboxes?: number;
  /** Default limits per node. */
  limits?: { memoryBytes?: number; cpus?: number; pids?: number };
  /** Default time to wait for a node to be ready. */
  readyTimeoutMs?: number;
  /** Engine access; default dockerode honouring DOCKER_HOST. */
  api?: DockerApi;
  /**
   * Where `api` talks to (unix://, tcp://), when not DOCKER_HOST: decides
   * whether the engine is on this machine (cgroup fence, host view).
   */
  endpoint?: string;
  /** Host name recorded on every sandbox (`Sandbox.host`) when this provider is one of several hosts. */
  hostName?: string;
  /**
   * What the engine must offer before a node may start (docs/isolation.md);
   * default from SANDBOX_ISOLATION and SANDBOX_DISK_MB.
   */
  isolation?: Partial<IsolationPolicy>;
  /** Operator-facing lines (the engine event stream dropping and coming back). */
  log?: (msg: string) => void;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,39}$/;
const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** Working state of one provisioning run, shared by its steps. */
interface ProvisionContext {
  id: string;
  labels: SandboxLabelData;
  volume: string;
  containerName: string;
  containerId?: string;
  memoryBytes: number;
  cpus: number;
  pids: number;
  readyTimeoutMs: number;
  /** Host-side parent cgroup, when the fence is available. */
  cgroupParent?: string;
  /** The engine's profile, read by the first step. */
  engine?: EngineProfile;
}

/** Sandbox provider backed by one Docker container per sandbox. */
export class DockerProvider implements SandboxProvider {
  readonly name = "docker";
  readonly environment = "node" as const;
  readonly instance: string;
  readonly image: string;
  /** Host name stamped on sandboxes (multi-host), else undefined. */
  readonly hostName: string | undefined;
  private readonly endpoint: string | undefined;
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

  constructor(options: DockerProviderOptions = {}) {
    this.instance = options.instance ?? defaultInstance();
    this.image = options.image ?? process.env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE;
    this.api = options.api ?? new DockerApi();
    this.endpoint = options.endpoint;
    this.hostName = options.hostName;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const envMax = Number(process.env.LABS_MAX_SANDBOXES);
    this.maxOption = options.maxSandboxes ?? (Number.isFinite(envMax) && envMax > 0 ? envMax : undefined);
    this.readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    this.isolationPolicy = { ...isolationPolicyFromEnv(), ...options.isolation };
    this.events = new NodeEventWatcher(this.api, this.instance, this.hostName, options.log);
  }

  onSandboxStop(listener: (stop: SandboxStop) => void): () => void {
    return this.events.subscribe(listener);
  }

  async provision(spec: SandboxSpec = {}, onProgress?: ProgressListener, signal?: AbortSignal): Promise<Sandbox> {
    const id = spec.id ?? newSandboxId();
    if (!ID_PATTERN.test(id)) {
      throw new SandboxError("INVALID_SPEC", "The sandbox id is not valid.", `id ${JSON.stringify(id)} must match ${ID_PATTERN}`);
    }
    const ctx: ProvisionContext = {
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
    await runSteps(this.steps(), ctx, { onProgress, signal, retainOnFailure: spec.retainOnFailure });
    const sandbox = await this.get(id);
    if (!sandbox) throw new SandboxError("PROVISION_FAILED", "The sandbox disappeared right after it was created.", `id ${id}`);
    return sandbox;
  }

  /** The provisioning steps, in order. */
  private steps(): Step<ProvisionContext>[] {
    return [
      {
        name: "check capacity",
        run: async () => {
          const info = await this.info();
          if (info.running >= info.max) {
            throw new SandboxError(
              "CAPACITY",
              "All sandbox places on this host are taken; try again when one is free.",
              `${info.running} of ${info.max} sandboxes of instance ${this.instance} exist`,
            );
          }
        },
      },
      {
        // Before anything is created: an engine that cannot contain root
        // (no user namespace, no disk cap) gets no node, with the fix.
        name: "check isolation",
        run: async (ctx) => {
          ctx.engine = await this.engineProfile();
          // Recorded on the node: the learner's lab text follows it (server/labs/cgroup-variants.ts).
          ctx.labels.cgroupVersion = ctx.engine.cgroupVersion;
          const report = assessIsolation(ctx.engine, this.isolationPolicy, this.endpointName());
          if (!report.ok) throw new SandboxError("ISOLATION", report.message, `fix: ${report.fix}`);
          if (ctx.engine.isolation === "userns" && !this.isLocal()) {
            throw new SandboxError(
              "ISOLATION",
              "User-namespaced nodes need the platform on the same machine as their Docker engine (it hands each node its own cgroup).",
              `engine ${this.endpointName()} is remote`,
            );
          }
        },
      },
      {
        name: "check node image",
        run: async () => {
          if ((await this.api.imageLabels(this.image)) === null) {
            throw new SandboxError(
              "IMAGE_MISSING",
              `The node image ${this.image} is not built; run \`npm run images\`.`,
              `docker image inspect ${this.image}: no such image`,
            );
          }
        },
      },
      {
        // Only where containerd's overlayfs cannot sit in the node's layer
        // (overlay2 engines); elsewhere the state stays in the layer, under its cap.
        name: "create state volume",
        run: async (ctx) => {
          if (ctx.engine!.stateInLayer) return;
          // overlay2 on XFS with project quotas caps volumes too (not
          // exercised on our machines: their kernel has no XFS quotas).
          const sizeMb = ctx.engine!.diskQuota ? this.isolationPolicy.diskMb || undefined : undefined;
          await this.api.createVolume(ctx.volume, buildLabels(ctx.labels, "containerd-state"), sizeMb);
        },
        undo: (ctx) => this.api.removeVolume(ctx.volume),
      },
      {
        // A host-side parent cgroup with the node's limits: root in the node
        // can raise its own cgroup's limits, never this one's.
        name: "fence resources",
        run: async (ctx) => {
          const fence = await this.cgroupFence();
          if (!fence) return;
          ctx.cgroupParent = fence.parentFor(this.instance, ctx.id);
          await fence.create(ctx.cgroupParent, { memoryBytes: ctx.memoryBytes, cpus: ctx.cpus, pids: ctx.pids });
        },
        undo: async (ctx) => {
          if (ctx.cgroupParent) await (await this.cgroupFence())?.remove(ctx.cgroupParent).catch(() => {});
        },
      },
      {
        name: "create node container",
        run: async (ctx) => {
          ctx.containerId = await this.api.createContainer(
            nodeContainerOptions({
              name: ctx.containerName,
              hostname: `node-${ctx.id}`,
              image: this.image,
              labels: buildLabels(ctx.labels, "node"),
              stateVolume: ctx.engine!.stateInLayer ? undefined : ctx.volume,
              diskMb: this.isolationPolicy.diskMb || undefined,
              memoryBytes: ctx.memoryBytes,
              cpus: ctx.cpus,
              pids: ctx.pids,
              cgroupParent: ctx.cgroupParent,
            }),
          );
        },
        // By name: also covers a create that succeeded after we gave up on it.
        undo: (ctx) => this.api.removeContainer(ctx.containerId ?? ctx.containerName),
      },
      {
        name: "start node",
        run: (ctx) => this.api.startContainer(ctx.containerId!),
      },
      {
        // userns: the node's own cgroup directories (not its limit files) go
        // to the node's remapped root, so containerd can nest containers.
        name: "hand over cgroups",
        run: async (ctx) => {
          if (ctx.engine!.isolation !== "userns") return;
          const owner = ctx.engine!.remappedRoot;
          if (!owner) {
            throw new SandboxError("PROVISION_FAILED", "The node's engine remaps users, but not in a way the platform can read.", "docker info: DockerRootDir has no <uid>.<gid> suffix");
          }
          const pid = await this.api.containerPid(ctx.containerId!);
          if (!pid) throw new SandboxError("PROVISION_FAILED", "The node stopped while starting.", await this.api.describeContainer(ctx.containerId!));
          // The engine's profile is read once; the node itself is the authority
          // (an engine restarted without userns-remap must not pass as one with it).
          if (!inUserNamespace(await readFile(`/proc/${pid}/uid_map`, "utf8"))) {
            this.profile = undefined;
            throw new SandboxError("ISOLATION", "The node is not in a user namespace although its engine said it would be; sandboxes stop until the engine is checked again.", `pid ${pid}: uid_map is the host's`);
          }
          await handOverNodeCgroups(pid, ctx.containerId!, owner);
        },
      },
      {
        name: "wait for containerd",
        run: (ctx, signal) => this.waitReady(ctx, signal),
      },
    ];
  }

  /**
   * Ready means: node-init finished (cgroups remounted, lab images imported)
   * and containerd answers. One exec polls inside the node every 20 ms, which
   * costs far less than one exec per poll.
   */
  private async waitReady(ctx: ProvisionContext, signal: AbortSignal): Promise<void> {
    const polls = Math.ceil(ctx.readyTimeoutMs / 20);
    const script = [
      "i=0",
      `while [ ! -f /run/labs/ready ]; do [ -f /run/labs/failed ] && { cat /run/labs/failed >&2; exit 3; }; i=$((i+1)); [ $i -gt ${polls} ] && exit 2; sleep 0.02; done`,
      "ctr version >/dev/null",
    ].join("\n");
    let res: ExecResult;
    try {
      res = await runExec(this.api, ctx.containerId!, ["/bin/sh", "-c", script], {
        timeoutMs: ctx.readyTimeoutMs + 2_000,
        signal,
      });
    } catch (err) {
      if (err instanceof SandboxError && err.code !== "EXEC_FAILED") throw err;
      throw new SandboxError(
        "PROVISION_FAILED",
        "The node stopped while starting.",
        `${await this.api.describeContainer(ctx.containerId!)}; ${(err as Error).message}`,
      );
    }
    if (res.exitCode !== 0) {
      const why =
        res.exitCode === 2 || res.timedOut
          ? `not ready after ${ctx.readyTimeoutMs} ms`
          : `readiness check exited ${res.exitCode}: ${res.stderr.trim()}`;
      throw new SandboxError(
        "PROVISION_FAILED",
        "The node started but containerd did not become ready.",
        `${why}; ${await this.api.describeContainer(ctx.containerId!)}`,
      );
    }
  }

  async get(id: string): Promise<Sandbox | null> {
    const found = await this.list_({ sandboxId: id });
    return found[0] ?? null;
  }

  async list(filter: SandboxFilter = {}): Promise<Sandbox[]> {
    return this.list_(filter);
  }

  private async list_(filter: SandboxFilter & { sandboxId?: string }): Promise<Sandbox[]> {
    const containers = await this.api.listContainers(
      labelFilters({ instance: this.instance, role: "node", ...filter }),
    );
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
    await fence?.remove(fence.parentFor(this.instance, id)).catch(() => {});
  }

  /** The host cgroup fence, detected once; null where this process cannot manage host cgroups. */
  private cgroupFence(): Promise<CgroupFence | null> {
    this.fence ??= this.api.info().then(async (info) => {
      const { fence, reason } = await detectFence({ dockerHost: this.endpoint ?? process.env.DOCKER_HOST, cgroupDriver: info.cgroupDriver });
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
    return assessIsolation(await this.engineProfile(), this.isolationPolicy, this.endpointName());
  }

  private endpointName(): string {
    return this.endpoint ?? process.env.DOCKER_HOST ?? this.api.endpoint;
  }

  private isLocal(): boolean {
    return !isRemoteDockerHost(this.endpointName());
  }

  /**
   * The engine a sandbox of this provider runs on, and whether it is on this
   * machine (checks then read the node from the host's /proc and cgroups).
   */
  dockerEngine(_sandbox: Sandbox): { docker: Docker; endpoint: string; local: boolean } {
    return { docker: this.api.docker, endpoint: this.endpointName(), local: this.isLocal() };
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
    const fence = await this.cgroupFence();
    for (const c of containers) {
      const id = parseLabels(c.labels)?.sandboxId;
      if (fence && id) await fence.remove(fence.parentFor(this.instance, id)).catch(() => {});
    }
    return containers.length;
  }

  async info(): Promise<ProviderInfo> {
    const [host, containers] = await Promise.all([
      this.api.info(),
      this.api.listContainers(labelFilters({ instance: this.instance, role: "node" })),
    ]);
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

/** A new random sandbox id: 10 lowercase base-36 characters. */
export function newSandboxId(): string {
  const bytes = randomBytes(10);
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
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

