/**
 * containerd state of nested containers, read as files (never by running
 * `ctr`, which the learner can replace): the runtime v2 task bundle
 * /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/ holds the
 * OCI spec the container was started with (config.json: cgroupsPath,
 * linux.resources), init.pid and the runc shim's options (options.json:
 * binary_name). It exists while a task exists (running or stopped, until
 * `ctr task rm`). The CRI plugin also checkpoints each container's status
 * (exit code, reason) under /var/lib/containerd/io.containerd.grpc.v1.cri.
 */
import type { HostView } from "./host-view";

/** containerd's runtime v2 state directory (the "state" dir, on tmpfs /run). */
export const TASK_STATE_DIR = "/run/containerd/io.containerd.runtime.v2.task";
/** Where the CRI plugin keeps per-container metadata and status. */
export const CRI_CONTAINERS_DIR = "/var/lib/containerd/io.containerd.grpc.v1.cri/containers";

/** What the task bundle says about a container. */
export interface TaskBundle {
  /** Bundle directory as the node sees it. */
  dir: string;
  /** Pid of the container's init in the node's pid namespace, if recorded. */
  initPid: number | null;
  /** linux.cgroupsPath of the OCI spec. */
  cgroupsPath: string | null;
  /** The runc shim's options (e.g. binary_name), {} when none were given. */
  shimOptions: Record<string, unknown>;
  /** The shim binary containerd started for the task. */
  shimBinary: string | null;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Reads a container's task bundle; null when no task exists for it. */
export async function readTaskBundle(view: HostView, namespace: string, id: string): Promise<TaskBundle | null> {
  const dir = `${TASK_STATE_DIR}/${namespace}/${id}`;
  const config = await view.readNodeFile(`${dir}/config.json`);
  if (config === null) return null;
  const spec = parseJson(config) as { linux?: { cgroupsPath?: unknown } } | null;
  const [pidText, optionsText, shimText] = await Promise.all([
    view.readNodeFile(`${dir}/init.pid`, 64),
    view.readNodeFile(`${dir}/options.json`, 64 * 1024),
    view.readNodeFile(`${dir}/shim-binary-path`, 4096),
  ]);
  const initPid = pidText !== null && /^\d+$/.test(pidText.trim()) ? Number(pidText.trim()) : null;
  const options = parseJson(optionsText);
  return {
    dir,
    initPid,
    cgroupsPath: typeof spec?.linux?.cgroupsPath === "string" ? spec.linux.cgroupsPath : null,
    shimOptions: options && typeof options === "object" ? (options as Record<string, unknown>) : {},
    shimBinary: shimText?.trim() || null,
  };
}

/** Exit facts the CRI plugin recorded for a container. */
export interface CriStatus {
  exitCode: number | null;
  reason: string | null;
}

/**
 * Parses the CRI plugin's status checkpoint: JSON with ExitCode and Reason,
 * either at the top level (next to "Version") or below "Status", depending on
 * the containerd version. Null when it has neither field.
 */
export function parseCriStatus(text: string | null): CriStatus | null {
  const j = parseJson(text) as Record<string, unknown> | null;
  if (!j || typeof j !== "object") return null;
  const s = (j.Status && typeof j.Status === "object" ? j.Status : j) as Record<string, unknown>;
  const exitCode = typeof s.ExitCode === "number" ? s.ExitCode : null;
  const reason = typeof s.Reason === "string" && s.Reason ? s.Reason : null;
  return exitCode === null && reason === null ? null : { exitCode, reason };
}

/** The CRI status of a container (CRI-created containers only), or null. */
export async function readCriStatus(view: HostView, id: string): Promise<CriStatus | null> {
  return parseCriStatus(await view.readNodeFile(`${CRI_CONTAINERS_DIR}/${id}/status`, 256 * 1024));
}

/**
 * The CRI runtime handler a task runs under, from its shim options: the node
 * registers `runsc` as the runc v2 shim with BinaryName
 * /usr/local/bin/runsc-wrapper (images/node/rootfs/etc/containerd/config.toml);
 * a runsc shim (containerd-shim-runsc-v1) is recognised too.
 */
export function handlerFromBundle(b: TaskBundle): { handler: "runc" | "runsc" | "unknown"; binary: string } {
  const named = typeof b.shimOptions.binary_name === "string" && b.shimOptions.binary_name ? b.shimOptions.binary_name : null;
  // A bundle that says nothing (no shim path, no options: containerd 2.0.x
  // app containers started into their sandbox's shim) is unknown, not runc.
  if (named === null && !b.shimBinary) return { handler: "unknown", binary: "" };
  const binary = named ?? "runc";
  if (/runsc/.test(binary) || /runsc/.test(b.shimBinary ?? "")) return { handler: "runsc", binary };
  if (/(^|\/)runc$/.test(binary)) return { handler: "runc", binary };
  return { handler: "unknown", binary };
}
