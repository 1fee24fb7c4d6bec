/**
 * Cluster-sandbox facts for checks, read through `kubectl` and `crictl` in
 * the control-plane node (where kind sets KUBECONFIG and crictl is
 * configured for containerd's socket). Parsers are pure and tested on
 * output samples in test/fixtures/kind/ (see its README for their sources).
 */

/** What a check names: a container of a Pod. */
export interface PodSelector {
  name: string;
  namespace: string;
  /** Container name; default the Pod's first container. */
  container?: string;
}

/** A terminated run of a container as the kubelet reports it. */
export interface TerminatedState {
  reason: string | null;
  exitCode: number | null;
  containerId: string | null;
}

/** One container of a Pod from `kubectl get pod -o json`. */
export interface PodContainer {
  name: string;
  /** containerd id of the current run (without "containerd://"), if any. */
  containerId: string | null;
  /** The current state, when terminated. */
  terminated: TerminatedState | null;
  /** The previous run, when it terminated (restartPolicy Always/OnFailure). */
  lastTerminated: TerminatedState | null;
  restartCount: number;
}

/** What the kubelet says about a Pod. */
export interface PodFacts {
  phase: string | null;
  runtimeClassName: string | null;
  containers: PodContainer[];
}

/** "containerd://<id>" -> "<id>"; null for an empty or missing id. */
export function stripRuntimePrefix(id: unknown): string | null {
  if (typeof id !== "string" || !id) return null;
  const i = id.indexOf("://");
  return i >= 0 ? id.slice(i + 3) || null : id;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});

function terminated(state: unknown): TerminatedState | null {
  const t = obj(state).terminated;
  if (!t || typeof t !== "object") return null;
  const o = t as Json;
  return {
    reason: typeof o.reason === "string" ? o.reason : null,
    exitCode: typeof o.exitCode === "number" ? o.exitCode : null,
    containerId: stripRuntimePrefix(o.containerID),
  };
}

/** Parses `kubectl get pod NAME -o json` (core/v1 Pod). */
export function parsePod(json: string): PodFacts {
  const pod = obj(JSON.parse(json));
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const statuses = Array.isArray(status.containerStatuses) ? (status.containerStatuses as unknown[]) : [];
  return {
    phase: typeof status.phase === "string" ? status.phase : null,
    runtimeClassName: typeof spec.runtimeClassName === "string" ? spec.runtimeClassName : null,
    containers: statuses.map((s) => {
      const o = obj(s);
      return {
        name: String(o.name ?? ""),
        containerId: stripRuntimePrefix(o.containerID),
        terminated: terminated(o.state),
        lastTerminated: terminated(o.lastState),
        restartCount: typeof o.restartCount === "number" ? o.restartCount : 0,
      };
    }),
  };
}

/** The selected container of a Pod, or null. */
export function pickContainer(pod: PodFacts, name: string | undefined): PodContainer | null {
  return (name ? pod.containers.find((c) => c.name === name) : pod.containers[0]) ?? null;
}

/**
 * OOM signals the kubelet reports for one container: reason OOMKilled or
 * exit code 137 (SIGKILL), in the current or the last terminated state.
 * Exit 137 alone is counted because containerd may report "Error" instead
 * of "OOMKilled" under the systemd cgroup driver when it misses the event.
 */
export function kubeletOomSignals(c: PodContainer): { signals: string[]; supporting: string[] } {
  const signals: string[] = [];
  const supporting: string[] = [];
  for (const [label, t] of [
    ["state", c.terminated],
    ["lastState", c.lastTerminated],
  ] as const) {
    if (!t) continue;
    if (t.reason === "OOMKilled") signals.push(`kubelet: ${label}.terminated.reason OOMKilled`);
    // SIGKILL, from the OOM killer or anyone else: never proof on its own.
    if (t.exitCode === 137) supporting.push(`kubelet: ${label}.terminated.exitCode 137${t.reason && t.reason !== "OOMKilled" ? ` (reason ${t.reason})` : ""}`);
  }
  return { signals, supporting };
}

/** Every containerd id a container has had that the kubelet still reports (current first). */
export function containerIds(c: PodContainer): string[] {
  return [...new Set([c.containerId, c.terminated?.containerId, c.lastTerminated?.containerId].filter((x): x is string => !!x))];
}

/** Facts from `crictl inspect <container id>`. */
export interface CrictlContainer {
  state: string | null;
  exitCode: number | null;
  reason: string | null;
  sandboxId: string | null;
  cgroupsPath: string | null;
  runtimeType: string | null;
}

/** Parses `crictl inspect` JSON (CRI ContainerStatus + containerd's info). */
export function parseCrictlInspect(json: string): CrictlContainer {
  const j = obj(JSON.parse(json));
  const status = obj(j.status);
  const info = obj(j.info);
  const linux = obj(obj(info.runtimeSpec).linux);
  return {
    state: typeof status.state === "string" ? status.state : null,
    exitCode: typeof status.exitCode === "number" ? status.exitCode : null,
    reason: typeof status.reason === "string" && status.reason ? status.reason : null,
    sandboxId: typeof info.sandboxID === "string" ? info.sandboxID : null,
    cgroupsPath: typeof linux.cgroupsPath === "string" ? linux.cgroupsPath : null,
    runtimeType: typeof info.runtimeType === "string" ? info.runtimeType : null,
  };
}

/** The CRI runtime handler of a pod sandbox, and where it was read. */
export interface SandboxHandler {
  handler: string | null;
  from: string;
  runtimeType: string | null;
}

/**
 * The runtime handler from `crictl inspectp` JSON. Where it sits depends on
 * versions: CRI's PodSandboxStatus.runtimeHandler (status.runtimeHandler),
 * containerd 1.7's info.runtimeHandler, containerd 2.x's
 * info.sandboxMetadata.Metadata.RuntimeHandler (a versioned wrapper). An
 * empty handler means the default (runc in kind's config); as a last resort
 * info.runtimeType (io.containerd.runsc.v1 / io.containerd.runc.v2) decides.
 */
export function parseCrictlInspectp(json: string): SandboxHandler {
  const j = obj(JSON.parse(json));
  const status = obj(j.status);
  const info = obj(j.info);
  const runtimeType = typeof info.runtimeType === "string" ? info.runtimeType : null;
  const candidates: [string, unknown][] = [
    ["status.runtimeHandler", status.runtimeHandler],
    ["info.runtimeHandler", info.runtimeHandler],
    ["info.sandboxMetadata.Metadata.RuntimeHandler", obj(obj(info.sandboxMetadata).Metadata).RuntimeHandler],
  ];
  for (const [from, v] of candidates) if (typeof v === "string" && v) return { handler: v, from, runtimeType };
  if (runtimeType) {
    const byType = /runsc/.test(runtimeType) ? "runsc" : /runc/.test(runtimeType) ? "runc" : null;
    return { handler: byType, from: "info.runtimeType", runtimeType };
  }
  return { handler: null, from: "nothing", runtimeType };
}

/** kubectl argv that reads one Pod as JSON. */
export function kubectlGetPodArgv(p: PodSelector): string[] {
  return ["kubectl", "get", "pod", p.name, "--namespace", p.namespace, "-o", "json"];
}
