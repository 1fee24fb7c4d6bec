/**
 * The kind provider: one real single-node Kubernetes cluster per sandbox
 * (kubelet -> CRI -> containerd -> runc, and runsc through the `gvisor`
 * RuntimeClass), created with the kind CLI. kind labels its node containers
 * (io.x-k8s.kind.cluster / io.x-k8s.kind.role) but cannot carry ours, so
 * each sandbox also has a small labelled "record" volume with the platform's
 * labels; list joins the two. The terminal and checks exec into the
 * control-plane node, where kind sets KUBECONFIG so kubectl and crictl work
 * without flags.
 */
import { existsSync, readFileSync } from "node:fs";
import type {
  ExecOptions,
  ExecResult,
  ProgressListener,
  ProviderInfo,
  Sandbox,
  SandboxFilter,
  SandboxNode,
  SandboxProvider,
  SandboxSpec,
  Shell,
  ShellOptions,
} from "../../provider";
import { buildLabels, defaultInstance, labelFilters, LABELS, parseLabels, type SandboxLabelData } from "../../labels";
import { SandboxError, describeError } from "../../errors";
import { runSteps, type Step } from "../../steps";
import Docker from "dockerode";
import { DockerApi, isRemoteDockerHost, type ContainerSummary } from "../docker/docker-api";
import { openShell, reapShells, runExec } from "../docker/exec";
import { newSandboxId } from "../docker/provider";
import { DEFAULT_NODE_IMAGE } from "../docker/node-spec";
import { dockerodeOptions } from "../docker/hosts";
import { findKind, KindCli, kindVersionProblem, parseKindVersion } from "./kind-cli";
import { classifyCreateFailure, dockerUnreachable, inotifyVerdict, kindMissing, outOfMemory } from "./kind-errors";
import { clusterConfig, renderClusterConfig, runtimeClassManifest } from "./cluster-config";
import { clusterName, KIND_CLUSTER_LABEL, KIND_ROLE_LABEL } from "./kind-labels";
import { networkCreateOptions, networkPlan, NETWORK_ROLE, type NetworkPlan } from "./network-plan";
import { parseNodeReadiness, systemdReady } from "./node-status";
import { KubeconfigStore } from "./kubeconfig-store";
import { CreationSlots } from "./creation-slots";
import { preloadLabImages } from "./preload";
import { isolationPolicyFromEnv, type IsolationLevel, type IsolationReport } from "../docker/engine-profile";

/** Default node image: kindest/node plus gVisor (images/kind-node, scripts/build-kind-image.sh). */
export const DEFAULT_KIND_NODE_IMAGE = "runtime-labs/kind-node:dev";
/** Memory limit per cluster node when none is configured. */
export const DEFAULT_CLUSTER_MEMORY_BYTES = 2 * 2 ** 30;
/** Label role of a sandbox's record volume. */
export const RECORD_ROLE = "cluster-record";
/** Where the lab images tar sits in the node image (images/node/Dockerfile). */

/** Options of {@link KindProvider}. */
export interface KindProviderOptions {
  /** Platform instance; default env LABS_INSTANCE or "default". */
  instance?: string;
  /** Node image given to kind; default runtime-labs/kind-node:dev. */
  image?: string;
  /** Where kubeconfigs are kept (DATA_DIR). */
  dataDir: string;
  /** Path of kind; default KIND_BIN or PATH, looked up at provisioning time. */
  kindBin?: string;
  /** Maximum clusters of this instance; default what host memory allows. */
  maxSandboxes?: number;
  /** Clusters being created at once, at most; the others wait their turn. Default 1. */
  maxCreating?: number;
  /** Memory limit of each cluster's node, enforced with `docker update`. */
  memoryBytes?: number;
  /** Image whose /opt/labs/images/lab-images.tar is preloaded into every cluster; default the node image. */
  labImagesFrom?: string;
  /** Put each cluster on its own Docker network (default true; see network-plan.ts). */
  isolateNetwork?: boolean;
  /** Time to wait for systemd and for the Node to be Ready. */
  readyTimeoutMs?: number;
  /**
   * The engine kind creates clusters on; default KIND_DOCKER_HOST or the
   * host's ordinary engine (unix:///var/run/docker.sock). Never the sandbox
   * engine that DOCKER_HOST may point at: kind nodes are privileged, which a
   * user-namespaced engine refuses (docs/isolation.md).
   */
  dockerHost?: string;
  /**
   * The weakest isolation sandboxes may start at (SANDBOX_ISOLATION). kind
   * nodes are privileged: clusters start only when it is shared-kernel-root.
   */
  isolation?: { required: IsolationLevel };
  /** Warnings (e.g. low inotify limits) go here; default none. */
  log?: (msg: string) => void;
  api?: DockerApi;
}

/** Where kind clusters are made unless told otherwise. */
export const DEFAULT_KIND_DOCKER_HOST = "unix:///var/run/docker.sock";

/** Working state of one provisioning run. */
interface ProvisionContext {
  id: string;
  cluster: string;
  labels: SandboxLabelData;
  record: string;
  network: NetworkPlan | null;
  kubeconfig: string;
  kind?: KindCli;
  controlPlane?: string;
  memoryBytes: number;
  readyTimeoutMs: number;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,39}$/;

/** Sandbox provider backed by one kind cluster per sandbox. */
export class KindProvider implements SandboxProvider {
  readonly name = "kind";
  readonly environment = "cluster" as const;
  readonly instance: string;
  readonly image: string;
  readonly kubeconfigs: KubeconfigStore;
  private readonly api: DockerApi;
  private readonly slots: CreationSlots;
  /** The engine kind and this provider talk to. */
  readonly dockerHost: string;
  private readonly log: (msg: string) => void;

  constructor(private readonly options: KindProviderOptions) {
    this.instance = options.instance ?? defaultInstance();
    this.image = options.image ?? DEFAULT_KIND_NODE_IMAGE;
    this.dockerHost = options.dockerHost ?? (process.env.KIND_DOCKER_HOST || DEFAULT_KIND_DOCKER_HOST);
    this.log = options.log ?? (() => {});
    this.api = options.api ?? new DockerApi(new Docker(dockerodeOptions({ name: "kind", endpoint: this.dockerHost })));
    this.kubeconfigs = new KubeconfigStore(options.dataDir);
    this.slots = new CreationSlots(options.maxCreating ?? 1);
  }

  private get memoryBytes(): number {
    return this.options.memoryBytes ?? DEFAULT_CLUSTER_MEMORY_BYTES;
  }

  /** Path of the kubeconfig the platform keeps for a sandbox's cluster. */
  kubeconfigPath(id: string): string {
    return this.kubeconfigs.pathFor(clusterName(id));
  }

  async provision(spec: SandboxSpec = {}, onProgress?: ProgressListener, signal?: AbortSignal): Promise<Sandbox> {
    const id = spec.id ?? newSandboxId();
    if (!ID_PATTERN.test(id)) {
      throw new SandboxError("INVALID_SPEC", "The sandbox id is not valid.", `id ${JSON.stringify(id)} must match ${ID_PATTERN}`);
    }
    const labels: SandboxLabelData = {
      instance: this.instance,
      sandboxId: id,
      environment: "cluster",
      provider: this.name,
      pool: spec.pool ?? false,
      createdAt: new Date(),
      sessionId: spec.sessionId,
      labSlug: spec.labSlug,
    };
    const cluster = clusterName(id);
    const ctx: ProvisionContext = {
      id,
      cluster,
      labels,
      record: `labs-${id}-kind`,
      network: this.options.isolateNetwork === false ? null : networkPlan(labels),
      kubeconfig: this.kubeconfigs.pathFor(cluster),
      memoryBytes: spec.resources?.memoryBytes ?? this.memoryBytes,
      readyTimeoutMs: spec.readyTimeoutMs ?? this.options.readyTimeoutMs ?? 180_000,
    };
    await runSteps(this.steps(), ctx, { onProgress, signal, retainOnFailure: spec.retainOnFailure });
    const sandbox = await this.get(id);
    if (!sandbox) throw new SandboxError("PROVISION_FAILED", "The cluster disappeared right after it was created.", `cluster ${cluster}`);
    return sandbox;
  }

  /** The provisioning steps, in order (each named for learners' progress display). */
  private steps(): Step<ProvisionContext>[] {
    let release: (() => void) | undefined;
    return [
      {
        name: "check kind",
        run: async (ctx) => {
          const explicit = this.options.kindBin ?? (process.env.KIND_BIN?.trim() || undefined);
          const bin = findKind(explicit ? { KIND_BIN: explicit } : process.env);
          if (!bin) throw kindMissing(explicit);
          ctx.kind = new KindCli(bin, { DOCKER_HOST: this.dockerHost });
          const v = await ctx.kind.version().catch((err: unknown) => ({ exitCode: -1, stderr: describeError(err), stdout: "" }));
          if (v.exitCode !== 0) throw new SandboxError("PROVISION_FAILED", `${bin} does not run as kind; reinstall kind or fix KIND_BIN.`, `kind version: ${v.stderr.trim()}`);
          const tooOld = kindVersionProblem(parseKindVersion(v.stdout));
          if (tooOld) throw new SandboxError("PROVISION_FAILED", tooOld, `${bin}: ${v.stdout.trim()}`);
        },
      },
      {
        // Never silently: a kind node is a privileged container, so root in
        // a cluster lab is root on the host (docs/isolation.md).
        name: "check isolation",
        run: async () => {
          const report = await this.isolation();
          if (!report.ok) throw new SandboxError("ISOLATION", report.message, `fix: ${report.fix}`);
        },
      },
      {
        name: "check Docker",
        run: async () => {
          try {
            await this.api.ping();
          } catch (err) {
            throw dockerUnreachable(describeError(err));
          }
          const limits = readInotifyLimits();
          const verdict = limits && inotifyVerdict(limits);
          if (verdict?.action === "refuse") throw verdict.error;
          if (verdict) this.log(`inotify limits are below kind's recommendation (${verdict.error.detail}): ${verdict.error.message}`);
        },
      },
      {
        name: "wait for a creation slot",
        run: async (_ctx, signal) => {
          release = await this.slots.acquire(signal);
        },
        undo: async () => {
          release?.();
          release = undefined;
        },
      },
      {
        name: "check capacity",
        run: async (ctx) => {
          const info = await this.info();
          if (info.running >= info.max) {
            throw new SandboxError(
              "CAPACITY",
              "All cluster places on this host are taken; try again when one is free.",
              `${info.running} of ${info.max} clusters of instance ${this.instance} exist`,
            );
          }
          const budget = Math.floor(info.host.memoryBytes * 0.8) - info.running * this.memoryBytes;
          if (budget < ctx.memoryBytes) throw outOfMemory(ctx.memoryBytes, budget);
        },
      },
      {
        name: "record sandbox",
        run: (ctx) => this.api.createVolume(ctx.record, { ...buildLabels(ctx.labels, "node"), [LABELS.role]: RECORD_ROLE }),
        undo: (ctx) => this.api.removeVolume(ctx.record),
      },
      {
        name: "create network",
        run: async (ctx) => {
          if (ctx.network) await this.api.docker.createNetwork(networkCreateOptions(ctx.network));
        },
        undo: async (ctx) => {
          if (ctx.network) await this.removeNetworks(ctx.id);
        },
      },
      {
        name: "create cluster",
        run: async (ctx, signal) => {
          const yaml = renderClusterConfig(clusterConfig({ name: ctx.cluster, image: this.image, nodeLabels: { "runtimelabs.dev/sandbox": ctx.id } }));
          const run = await ctx.kind!.createCluster(ctx.cluster, yaml, ctx.kubeconfig, { env: ctx.network?.kindEnv, signal });
          if (run.exitCode !== 0) throw classifyCreateFailure(run, this.image);
          ctx.controlPlane = (await this.nodesOf(ctx.cluster)).find((n) => n.role === "control-plane")?.containerId;
          if (!ctx.controlPlane) throw new SandboxError("PROVISION_FAILED", "kind reported success but the cluster has no control-plane node.", `cluster ${ctx.cluster}`);
        },
        undo: async (ctx) => {
          await this.removeNodes(ctx.cluster);
          this.kubeconfigs.remove(ctx.cluster);
        },
      },
      {
        name: "limit memory",
        run: async (ctx) => {
          for (const n of await this.nodesOf(ctx.cluster)) {
            await this.api.docker.getContainer(n.containerId).update({ Memory: ctx.memoryBytes, MemorySwap: ctx.memoryBytes });
          }
        },
      },
      {
        name: "wait for systemd",
        run: (ctx, signal) => this.waitForSystemd(ctx.controlPlane!, ctx.readyTimeoutMs, signal),
      },
      {
        name: "prepare node",
        run: async (ctx) => {
          // /run is a tmpfs in kind nodes: the exec helpers' pid directories
          // are made at every start. The helpers come with the node image.
          const r = await this.rawExec(ctx.controlPlane!, ["/bin/sh", "-c", "mkdir -p /run/labs/exec /run/labs/shells && test -x /usr/local/bin/labs-run"]);
          if (r !== 0) {
            throw new SandboxError(
              "IMAGE_MISSING",
              `The kind node image ${this.image} lacks the platform's helpers; build it with \`bash scripts/build-kind-image.sh\`.`,
              "/usr/local/bin/labs-run missing in the control-plane node",
            );
          }
        },
      },
      {
        name: "install RuntimeClass gvisor",
        run: async (ctx) => {
          const r = await runExec(this.api, ctx.controlPlane!, ["kubectl", "apply", "-f", "-"], { stdin: runtimeClassManifest(), timeoutMs: 60_000 });
          if (r.exitCode !== 0) throw new SandboxError("PROVISION_FAILED", "The gvisor RuntimeClass could not be installed.", r.stderr.trim());
        },
      },
      {
        name: "wait for node Ready",
        run: (ctx, signal) => this.waitNodeReady(ctx.controlPlane!, ctx.readyTimeoutMs, signal),
      },
      {
        name: "preload lab images",
        run: (ctx) => this.preloadLabImages(ctx.controlPlane!),
      },
      {
        name: "done",
        run: async () => {
          release?.();
          release = undefined;
        },
      },
    ];
  }

  /** Polls the node container's log until systemd is far enough (see node-status.ts). */
  private async waitForSystemd(containerId: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = await this.nodeLog(containerId);
      if (systemdReady(log)) return;
      if (signal.aborted) throw new SandboxError("ABORTED", "Creating the sandbox was cancelled.", "while waiting for systemd");
      if (Date.now() > deadline) {
        throw new SandboxError("PROVISION_FAILED", "The cluster node did not finish booting.", `no "Multi-User System" in the node log after ${timeoutMs} ms`);
      }
      await sleep(250);
    }
  }

  private async nodeLog(containerId: string): Promise<string> {
    const buf = (await this.api.docker.getContainer(containerId).logs({ stdout: true, stderr: true, tail: 2000 })) as unknown as Buffer;
    return Buffer.isBuffer(buf) ? buf.toString("utf8") : String(buf);
  }

  /** Polls `kubectl get nodes -o json` in the node until every Node is Ready. */
  private async waitNodeReady(containerId: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer yet";
    while (Date.now() < deadline) {
      if (signal.aborted) throw new SandboxError("ABORTED", "Creating the sandbox was cancelled.", "while waiting for the node");
      const r = await runExec(this.api, containerId, ["kubectl", "get", "nodes", "-o", "json"], { timeoutMs: 20_000 });
      if (r.exitCode === 0) {
        const nodes = parseNodeReadiness(r.stdout);
        if (nodes.length > 0 && nodes.every((n) => n.ready)) return;
        last = nodes.map((n) => `${n.name}: ${n.reason}`).join("; ") || "no nodes registered";
      } else last = r.stderr.trim();
      await sleep(1_000);
    }
    throw new SandboxError("PROVISION_FAILED", "The cluster's node did not become Ready in time.", last);
  }

  /**
   * Copies the lab images tar out of the node image and imports it into the
   * cluster node's containerd (k8s.io namespace), as `kind load
   * image-archive` does (kind's nodeutils.LoadImageArchive runs `ctr
   * --namespace=k8s.io images import`). Docker's archive API carries it
   * from one container to the other; nothing is written on the host.
   */
  private async preloadLabImages(controlPlane: string): Promise<void> {
    await preloadLabImages(this.api, controlPlane, this.options.labImagesFrom ?? process.env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE, this.instance);
  }

  /** An exec without the platform's helpers (used before they are known to exist); returns the exit code. */
  private async rawExec(containerId: string, cmd: string[]): Promise<number | null> {
    const started = await this.api.startExec(containerId, { cmd, tty: false, stdin: false });
    started.stream.resume();
    await new Promise<void>((resolve) => {
      started.stream.once("end", resolve);
      started.stream.once("close", resolve);
      started.stream.once("error", resolve);
    });
    for (let i = 0; i < 50; i++) {
      const s = await started.exitCode();
      if (!s.running) return s.exitCode;
      await sleep(20);
    }
    return null;
  }

  async get(id: string): Promise<Sandbox | null> {
    return (await this.list_({ sandboxId: id }))[0] ?? null;
  }

  async list(filter: SandboxFilter = {}): Promise<Sandbox[]> {
    return this.list_(filter);
  }

  /** Records (our labels) joined with node containers (kind's labels). */
  private async list_(filter: SandboxFilter & { sandboxId?: string }): Promise<Sandbox[]> {
    const [records, nodes] = await Promise.all([
      this.api.listVolumes([...labelFilters({ instance: this.instance, ...filter }), `${LABELS.role}=${RECORD_ROLE}`]),
      // One sandbox (get, and every exec through it): only its cluster's nodes.
      this.api.listContainers([filter.sandboxId ? `${KIND_CLUSTER_LABEL}=${clusterName(filter.sandboxId)}` : KIND_CLUSTER_LABEL]),
    ]);
    const byCluster = groupNodes(nodes);
    const out: Sandbox[] = [];
    for (const r of records) {
      const data = parseLabels(r.labels);
      if (!data) continue;
      out.push(toSandbox(data, byCluster.get(clusterName(data.sandboxId)) ?? []));
    }
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  private async nodesOf(cluster: string): Promise<SandboxNode[]> {
    return groupNodes(await this.api.listContainers([`${KIND_CLUSTER_LABEL}=${cluster}`])).get(cluster)?.map((n) => n.node) ?? [];
  }

  async exec(id: string, argv: string[], options?: ExecOptions): Promise<ExecResult> {
    return runExec(this.api, await this.controlPlaneOf(id), argv, options);
  }

  async openShell(id: string, options: ShellOptions): Promise<Shell> {
    return openShell(this.api, await this.controlPlaneOf(id), options);
  }

  async reapShells(id: string, keepOwner: string): Promise<number> {
    return reapShells(this.api, await this.controlPlaneOf(id), keepOwner);
  }

  /** Container id of the sandbox's running control-plane node. */
  private async controlPlaneOf(id: string): Promise<string> {
    const s = await this.get(id);
    if (!s) throw new SandboxError("NOT_FOUND", "This sandbox does not exist (any more).", `sandbox ${id}, instance ${this.instance}`);
    const cp = s.nodes.find((n) => n.role === "control-plane");
    if (s.state !== "running" || !cp) {
      throw new SandboxError("EXEC_FAILED", "This cluster's control-plane node is not running.", `sandbox ${id} is ${s.state}`);
    }
    return cp.containerId;
  }

  /**
   * Removes the cluster's node containers the way `kind delete cluster` does
   * (kind's DeleteNodes is `docker rm -f -v <nodes>`), then its network, its
   * kubeconfig and its record. Works without the kind binary. Idempotent.
   */
  async destroy(id: string): Promise<void> {
    const cluster = clusterName(id);
    await this.removeNodes(cluster);
    await this.removeNetworks(id);
    this.kubeconfigs.remove(cluster);
    for (const v of await this.api.listVolumes([...labelFilters({ instance: this.instance, sandboxId: id }), `${LABELS.role}=${RECORD_ROLE}`])) {
      await this.api.removeVolume(v.name);
    }
  }

  /**
   * Clusters of this instance that have lost their record: a crash while
   * kind was still creating nodes, or a rollback racing kind. Our record is
   * gone, but the cluster's network still carries our instance and sandbox
   * labels (kind's node containers cannot carry ours), so those clusters are
   * found by their network and removed once older than `graceMs`. Clusters
   * without a network of ours (isolateNetwork off) are never touched: on a
   * shared engine they may belong to another install.
   */
  async reapUnrecorded(graceMs: number): Promise<string[]> {
    const [records, networks] = await Promise.all([
      this.api.listVolumes([...labelFilters({ instance: this.instance }), `${LABELS.role}=${RECORD_ROLE}`]),
      this.api.docker.listNetworks({ filters: { label: [...labelFilters({ instance: this.instance }), `${LABELS.role}=${NETWORK_ROLE}`] } }),
    ]);
    const recorded = new Set(records.map((r) => parseLabels(r.labels)?.sandboxId).filter(Boolean));
    const reaped: string[] = [];
    for (const n of networks) {
      const id = n.Labels?.[LABELS.sandbox];
      if (!id || recorded.has(id)) continue;
      if (Date.now() - new Date(n.Created).getTime() < graceMs) continue;
      await this.removeNodes(clusterName(id));
      await this.removeNetworks(id);
      this.kubeconfigs.remove(clusterName(id));
      reaped.push(id);
    }
    if (reaped.length) this.log(`removed ${reaped.length} cluster(s) left without a record: ${reaped.join(", ")}`);
    return reaped;
  }

  /** kind clusters are privileged: shared-kernel-root, allowed only when the policy says so. */
  async isolation(): Promise<IsolationReport> {
    const required = this.options.isolation?.required ?? isolationPolicyFromEnv().required;
    const ok = required === "shared-kernel-root";
    return {
      level: "shared-kernel-root",
      required,
      diskQuotaMb: null,
      ok,
      message: ok
        ? "Cluster nodes are privileged kind containers: root in a cluster lab is root on the host. Trusted learners only."
        : "Cluster labs run kind nodes as privileged containers, so root in them would be root on the host; they do not start while SANDBOX_ISOLATION=userns.",
      fix: ok ? "rootless kind on a cgroup v2 host (docs/isolation.md, on paper)" : "for trusted learners only, set SANDBOX_ISOLATION=shared-kernel-root",
    };
  }

  /** Removes every cluster of this instance (tests, reapers). */
  async destroyAll(): Promise<number> {
    const all = await this.list();
    for (const s of all) await this.destroy(s.id);
    return all.length;
  }

  private async removeNodes(cluster: string): Promise<void> {
    for (const c of await this.api.listContainers([`${KIND_CLUSTER_LABEL}=${cluster}`])) await this.api.removeContainer(c.id);
  }

  private async removeNetworks(id: string): Promise<void> {
    const nets = await this.api.docker.listNetworks({ filters: { label: [...labelFilters({ instance: this.instance, sandboxId: id }), `${LABELS.role}=${NETWORK_ROLE}`] } });
    for (const n of nets) {
      await this.api.docker.getNetwork(n.Id).remove().catch((err: { statusCode?: number }) => {
        if (err?.statusCode !== 404) throw err;
      });
    }
  }

  async info(): Promise<ProviderInfo> {
    const [host, records] = await Promise.all([
      this.api.info(),
      this.api.listVolumes([...labelFilters({ instance: this.instance }), `${LABELS.role}=${RECORD_ROLE}`]),
    ]);
    const max = this.options.maxSandboxes ?? Math.max(1, Math.floor((host.memoryBytes * 0.8) / this.memoryBytes));
    return { provider: this.name, instance: this.instance, running: records.length, max, host };
  }
}

interface LabelledNode {
  node: SandboxNode;
  state: string;
}

/** Node containers grouped by kind cluster, control-plane first. */
function groupNodes(containers: ContainerSummary[]): Map<string, LabelledNode[]> {
  const out = new Map<string, LabelledNode[]>();
  for (const c of containers) {
    const cluster = c.labels[KIND_CLUSTER_LABEL];
    if (!cluster) continue;
    const role = c.labels[KIND_ROLE_LABEL] === "control-plane" ? "control-plane" : "worker";
    const list = out.get(cluster) ?? [];
    list.push({ node: { name: c.name, containerId: c.id, role }, state: c.state });
    out.set(cluster, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.node.role === b.node.role ? a.node.name.localeCompare(b.node.name) : a.node.role === "control-plane" ? -1 : 1));
  return out;
}

function toSandbox(data: SandboxLabelData, nodes: LabelledNode[]): Sandbox {
  const state = nodes.length === 0 ? "creating" : nodes.every((n) => n.state === "running") ? "running" : nodes.some((n) => n.state === "created") ? "creating" : "stopped";
  const s: Sandbox = {
    id: data.sandboxId,
    provider: data.provider,
    environment: data.environment,
    instance: data.instance,
    pool: data.pool,
    createdAt: data.createdAt,
    state,
    nodes: nodes.map((n) => n.node),
  };
  if (data.sessionId) s.sessionId = data.sessionId;
  if (data.labSlug) s.labSlug = data.labSlug;
  return s;
}

/**
 * The host's inotify limits when Docker runs on this machine (Linux, local
 * socket); null elsewhere (Docker Desktop's VM or a remote engine has its
 * own kernel, which we cannot read from here).
 */
export function readInotifyLimits(): { maxUserWatches: number; maxUserInstances: number } | null {
  if (process.platform !== "linux" || isRemoteDockerHost()) return null;
  const read = (f: string) => (existsSync(f) ? Number(readFileSync(f, "utf8").trim()) : NaN);
  const maxUserWatches = read("/proc/sys/fs/inotify/max_user_watches");
  const maxUserInstances = read("/proc/sys/fs/inotify/max_user_instances");
  if (!Number.isFinite(maxUserWatches) || !Number.isFinite(maxUserInstances)) return null;
  return { maxUserWatches, maxUserInstances };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
