/**
 * What checks read a node's state through (see host-view.ts). Declared apart
 * from the views so the views and the code that picks one can share it
 * without importing each other.
 */
import type { CgroupVersion } from "./cgroup";
import type { NamespaceKind } from "./namespace-kinds";

/** A cgroup v1 controller a check reads (ignored on v2, where there is one tree). */
export type CgroupController = "memory" | "pids" | "cpu";

/** One process of the node (the node's init and everything below it, nested containers included). */
export interface NodeProcess {
  /** Pid as the node sees it (1 = the node's init). */
  pid: number;
  /** Pid on the Docker host, when read from the host. */
  hostPid: number | null;
  /** Command line, arguments joined by spaces. */
  cmdline: string;
  /** Fields of /proc/<pid>/status ("CapEff" -> "00000000a80425fb"). */
  status: Record<string, string>;
  /** Namespace links ("pid:[4026532201]") by kind; missing when unreadable. */
  ns: Partial<Record<NamespaceKind, string>>;
}

/** An OOM kill the kernel logged for a cgroup below the node. */
export interface KernelOomKill {
  /** cgroup of the killed task, relative to the node's cgroup root ("/k8s.io/m1"). */
  taskMemcg: string;
  /** cgroup whose limit was hit, relative to the node's cgroup root. */
  oomMemcg: string;
  /** Name of the killed process. */
  task: string;
}

/** Read access to one node's kernel and runtime state. */
export interface HostView {
  /** "host": read from the Docker host; "node-exec": commands inside the node. */
  readonly source: "host" | "node-exec";
  /** True when the learner cannot fake what this view reads by replacing binaries in the node. */
  readonly tamperResistant: boolean;
  /** Which cgroup hierarchy holds memory/pids/cpu. */
  cgroupVersion(): Promise<CgroupVersion>;
  /**
   * A regular file of the node's filesystem as its init sees it, every
   * symlink resolved inside the node (never a host file); null if missing.
   * Capped at `maxBytes`.
   */
  readNodeFile(path: string, maxBytes?: number): Promise<string | null>;
  /** sha256 of the node file `path` names (symlinks resolved inside the node); null if missing. */
  fileDigest(path: string): Promise<string | null>;
  /** sha256 of the executable a node process runs (what the kernel runs, not a name); null when it is gone. */
  executableDigest(p: NodeProcess): Promise<string | null>;
  /**
   * sha256 of `path` as the node's image ships it: a reference the learner
   * cannot change. Null when it cannot be read (or the view has no image).
   */
  imageFileDigest(path: string): Promise<string | null>;
  /** A cgroup interface file; `rel` is relative to the node's cgroup root ("" = the node itself). Null if missing. */
  readCgroupFile(controller: CgroupController, rel: string, file: string): Promise<string | null>;
  /** The node's processes. */
  processes(): Promise<NodeProcess[]>;
  /** OOM kills in the host kernel log below this node; null when the log cannot be read from here. */
  kernelOomKills(): Promise<KernelOomKill[] | null>;
}

/** Files larger than this are read only up to it (checks never need more). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
