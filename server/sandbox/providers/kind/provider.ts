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
import type { ExecOptions, ExecResult, ProgressListener, ProviderInfo, Sandbox, SandboxFilter, SandboxProvider, SandboxSpec, Shell, ShellOptions } from "../../provider";
import { DEFAULT_INSTANCE, labelFilters, LABELS, parseLabels, type SandboxLabelData } from "../../labels";
import { SandboxError } from "../../errors";
import { runSteps } from "../../steps";
import Docker from "dockerode";
import { DockerApi } from "../common/docker-api";
import { openShell, reapShells, runExec } from "../common/exec";
import { newSandboxId } from "../common/ids";
import { dockerodeOptions } from "../common/engine-connection";
import { DEFAULT_NODE_IMAGE } from "../docker/node-spec";
import { clusterName, KIND_CLUSTER_LABEL, RECORD_ROLE } from "./kind-labels";
import { networkPlan } from "./network-plan";
import { KubeconfigStore } from "./kubeconfig-store";
import { CreationSlots } from "./creation-slots";
import { groupNodes, networkFilters, removeNetworks, removeNodes, type LabelledNode } from "./cluster-nodes";
import type { KindContext, KindProvisioner } from "./steps/context";
import { KIND_STEPS } from "./steps/sequence";
import { DEFAULT_ISOLATION_POLICY, type IsolationLevel, type IsolationReport } from "../docker/engine-profile";

/** Default node image: kindest/node plus gVisor (images/kind-node, scripts/build-kind-image.sh). */
export const DEFAULT_KIND_NODE_IMAGE = "runtime-labs/kind-node:dev";
/** Memory limit per cluster node when none is configured. */
export const DEFAULT_CLUSTER_MEMORY_BYTES = 2 * 2 ** 30;

/**
 * Options of {@link KindProvider}: configuration comes from the caller (the
 * server builds it from server/env.ts); the provider reads no environment
 * variables itself.
 */
export interface KindProviderOptions {
  /** Platform instance (LABS_INSTANCE); default "default". */
  instance?: string;
  /** Node image given to kind (KIND_NODE_IMAGE); default runtime-labs/kind-node:dev. */
  image?: string;
  /** Where kubeconfigs are kept (DATA_DIR). */
  dataDir: string;
  /** Path of kind (KIND_BIN); default: looked up on `kindEnvironment`'s PATH at provisioning time. */
  kindBin?: string;
  /**
   * The environment kind is looked up in (PATH) and runs with (HOME, proxy
   * settings); the server passes its own. Default: empty, so kind is found
   * only through `kindBin`. DOCKER_HOST is always `dockerHost`.
   */
  kindEnvironment?: Readonly<Record<string, string | undefined>>;
  /** Maximum clusters of this instance; default what host memory allows. */
  maxSandboxes?: number;
  /** Clusters being created at once, at most; the others wait their turn. Default 1. */
  maxCreating?: number;
  /** Memory limit of each cluster's node, enforced with `docker update`. */
  memoryBytes?: number;
  /** Image whose /opt/labs/images/lab-images.tar is preloaded into every cluster (LABS_NODE_IMAGE); default runtime-labs/node:dev. */
  labImagesFrom?: string;
  /** Put each cluster on its own Docker network (default true; see network-plan.ts). */
  isolateNetwork?: boolean;
  /** Time to wait for systemd and for the Node to be Ready. */
  readyTimeoutMs?: number;
  /**
   * The engine kind creates clusters on (KIND_DOCKER_HOST); default the
   * host's ordinary engine (unix:///var/run/docker.sock). Never the sandbox
   * engine that DOCKER_HOST may point at: kind nodes are privileged, which a
   * user-namespaced engine refuses (docs/isolation.md).
   */
  dockerHost?: string;
  /**
   * The weakest isolation sandboxes may start at (SANDBOX_ISOLATION); default
   * userns. kind nodes are privileged: clusters start only when it is
   * shared-kernel-root.
   */
  isolation?: { required: IsolationLevel };
  /** Warnings (e.g. low inotify limits) go here; default none. */
  log?: (msg: string) => void;
  api?: DockerApi;
}

/** Where kind clusters are made unless told otherwise. */
export const DEFAULT_KIND_DOCKER_HOST = "unix:///var/run/docker.sock";

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,39}$/;

/** Sandbox provider backed by one kind cluster per sandbox. */
export class KindProvider implements SandboxProvider {
  readonly name = "kind";
  readonly environment = "cluster" as const;
  readonly instance: string;
  readonly image: string;
  readonly kubeconfigs: KubeconfigStore;
  private readonly api: DockerApi;
  /** The engine kind and this provider talk to. */
  readonly dockerHost: string;
  private readonly memoryBytes: number;
  private readonly log: (msg: string) => void;
  /** What the creation steps (steps/) use of this provider. */
  private readonly provisioner: KindProvisioner;

  constructor(private readonly options: KindProviderOptions) {
    this.instance = options.instance ?? DEFAULT_INSTANCE;
    this.image = options.image ?? DEFAULT_KIND_NODE_IMAGE;
    this.dockerHost = options.dockerHost ?? DEFAULT_KIND_DOCKER_HOST;
    this.memoryBytes = options.memoryBytes ?? DEFAULT_CLUSTER_MEMORY_BYTES;
    this.log = options.log ?? (() => {});
    this.api = options.api ?? new DockerApi(new Docker(dockerodeOptions({ endpoint: this.dockerHost })));
    this.kubeconfigs = new KubeconfigStore(options.dataDir);
    this.provisioner = {
      api: this.api,
      instance: this.instance,
      image: this.image,
      dockerHost: this.dockerHost,
      kindBin: options.kindBin,
      kindEnvironment: options.kindEnvironment ?? {},
      labImagesFrom: options.labImagesFrom ?? DEFAULT_NODE_IMAGE,
      memoryBytes: this.memoryBytes,
      slots: new CreationSlots(options.maxCreating ?? 1),
      kubeconfigs: this.kubeconfigs,
      log: this.log,
      info: () => this.info(),
      isolation: () => this.isolation(),
    };
  }

  /** Path of the kubeconfig the platform keeps for a sandbox's cluster. */
  kubeconfigPath(id: string): string {
    return this.kubeconfigs.pathFor(clusterName(id));
  }

  /** Creates the cluster with the steps of steps/sequence.ts, each reported to `onProgress`. */
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
    const ctx: KindContext = {
      provider: this.provisioner,
      id,
      cluster,
      labels,
      record: `labs-${id}-kind`,
      network: this.options.isolateNetwork === false ? null : networkPlan(labels),
      kubeconfig: this.kubeconfigs.pathFor(cluster),
      memoryBytes: spec.resources?.memoryBytes ?? this.memoryBytes,
      readyTimeoutMs: spec.readyTimeoutMs ?? this.options.readyTimeoutMs ?? 180_000,
    };
    await runSteps(KIND_STEPS, ctx, { onProgress, signal, retainOnFailure: spec.retainOnFailure });
    const sandbox = await this.get(id);
    if (!sandbox) throw new SandboxError("PROVISION_FAILED", "The cluster disappeared right after it was created.", `cluster ${cluster}`);
    return sandbox;
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
    await removeNodes(this.api, cluster);
    await removeNetworks(this.api, this.instance, id);
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
      this.api.listNetworks(networkFilters(this.instance)),
    ]);
    const recorded = new Set(records.map((r) => parseLabels(r.labels)?.sandboxId).filter(Boolean));
    const reaped: string[] = [];
    for (const n of networks) {
      const id = n.labels[LABELS.sandbox];
      if (!id || recorded.has(id)) continue;
      if (Date.now() - n.created.getTime() < graceMs) continue;
      await removeNodes(this.api, clusterName(id));
      await removeNetworks(this.api, this.instance, id);
      this.kubeconfigs.remove(clusterName(id));
      reaped.push(id);
    }
    if (reaped.length) this.log(`removed ${reaped.length} cluster(s) left without a record: ${reaped.join(", ")}`);
    return reaped;
  }

  /** kind clusters are privileged: shared-kernel-root, allowed only when the policy says so. */
  async isolation(): Promise<IsolationReport> {
    const required = this.options.isolation?.required ?? DEFAULT_ISOLATION_POLICY.required;
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

  async info(): Promise<ProviderInfo> {
    const [host, records] = await Promise.all([this.api.info(), this.api.listVolumes([...labelFilters({ instance: this.instance }), `${LABELS.role}=${RECORD_ROLE}`])]);
    const max = this.options.maxSandboxes ?? Math.max(1, Math.floor((host.memoryBytes * 0.8) / this.memoryBytes));
    return { provider: this.name, instance: this.instance, running: records.length, max, host };
  }
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
