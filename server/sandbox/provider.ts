/**
 * The sandbox provider interface: one small contract that the docker
 * provider (one node container per learner), the kind provider (one cluster
 * per learner) and later a kubernetes provider implement.
 */
import type { Duplex } from "node:stream";

/** Which kind of environment a sandbox is. */
export type SandboxEnvironment = "node" | "cluster";

/** Resource limits of a sandbox (per node). */
export interface SandboxResources {
  /** Memory limit in bytes (no swap beyond it). */
  memoryBytes?: number;
  /** CPU limit in cores (fractions allowed). */
  cpus?: number;
  /** Maximum number of processes/threads, nested containers included. */
  pids?: number;
}

/** What to create. */
export interface SandboxSpec {
  /** Sandbox id; generated when absent. Lowercase letters, digits and dashes. */
  id?: string;
  /** Session the sandbox belongs to, if already known. */
  sessionId?: string;
  /** Lab the sandbox is made for, if known. */
  labSlug?: string;
  /** True for pre-provisioned pool sandboxes not yet handed out. */
  pool?: boolean;
  /** Limits; the provider's defaults apply to missing fields. */
  resources?: SandboxResources;
  /** Keep whatever was created when provisioning fails (for debugging). */
  retainOnFailure?: boolean;
  /** How long to wait for the node to become ready. */
  readyTimeoutMs?: number;
}

/** Progress of one provisioning step, reported as it happens. */
export interface ProvisionProgress {
  /** Human-readable step name, e.g. "wait for containerd". */
  step: string;
  /** 0-based position of the step. */
  index: number;
  /** Number of steps in this provisioning run. */
  total: number;
  status: "started" | "done" | "failed";
  /** Duration of the step (done/failed only). */
  durationMs?: number;
  /** Sentence describing the failure (failed only). */
  error?: string;
}

/** Callback receiving provisioning progress. */
export type ProgressListener = (progress: ProvisionProgress) => void;

/** One machine of a sandbox (docker: the node; kind: each cluster node). */
export interface SandboxNode {
  name: string;
  /** Engine id of the node container. */
  containerId: string;
  role: "node" | "control-plane" | "worker";
}

/** A sandbox as the engine reports it (read from labels). */
export interface Sandbox {
  id: string;
  provider: string;
  environment: SandboxEnvironment;
  /** Platform instance that owns it. */
  instance: string;
  sessionId?: string;
  labSlug?: string;
  pool: boolean;
  createdAt: Date;
  /** "running" when every node runs; "stopped" if a node exited; "creating" otherwise. */
  state: "creating" | "running" | "stopped";
  nodes: SandboxNode[];
  /** Name of the Docker host it runs on (multi-host deployments); absent on the single default host. */
  host?: string;
  /** The cgroup version its nodes run under (their host's); absent when the provider does not know. */
  cgroupVersion?: 1 | 2;
}

/** Filter for {@link SandboxProvider.list}; all given fields must match. */
export interface SandboxFilter {
  sessionId?: string;
  labSlug?: string;
  pool?: boolean;
}

/** Options of a non-interactive command. */
export interface ExecOptions {
  /** Kill the command (its whole process group and session) after this long. */
  timeoutMs?: number;
  /** Keep at most this many bytes of stdout, and of stderr, each. */
  maxOutputBytes?: number;
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  /**
   * Called with stdout as it arrives (a long-running watcher such as
   * `ctr events`); the output is still capped and returned at the end.
   */
  onStdout?: (chunk: Buffer) => void;
  /** Bytes written to the command's stdin, which is then closed. */
  stdin?: string | Buffer;
  signal?: AbortSignal;
}

/** Outcome of a non-interactive command. */
export interface ExecResult {
  /** Exit code; 128+N when killed by signal N; null if unknown (e.g. timed out). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True if stdout or stderr was cut at maxOutputBytes. */
  truncated: boolean;
  /** True if the command was killed because it ran past timeoutMs. */
  timedOut: boolean;
  durationMs: number;
}

/** Options of an interactive shell. */
export interface ShellOptions {
  cols: number;
  rows: number;
  /**
   * The server process that owns the shell (letters, digits, dashes), kept
   * in the node beside its pid, so a restarted server can end the shells
   * nobody can reattach to ({@link SandboxProvider.reapShells}).
   */
  owner?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** An interactive TTY shell in a sandbox. */
export interface Shell {
  /** Raw terminal bytes: write keystrokes, read output. */
  stream: Duplex;
  /** Changes the terminal size (the shell sees SIGWINCH). */
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with the shell's exit code when it ends (null if unknown). */
  wait(): Promise<number | null>;
  /** Kills the shell and everything it started in its session. */
  kill(): Promise<void>;
}

export type { IsolationReport } from "./providers/docker/engine-profile";
import type { IsolationReport } from "./providers/docker/engine-profile";

/** Capacity and host facts of a provider. */
export interface ProviderInfo {
  provider: string;
  instance: string;
  /** Sandboxes of this instance currently running. */
  running: number;
  /** Configured maximum number of sandboxes. */
  max: number;
  host: { memoryBytes: number; cpus: number };
}

/** Health of one host of a provider that spreads sandboxes over several. */
export interface HostStatus {
  name: string;
  endpoint: string;
  /** "up": answering; "suspect": missed a check, gets no new sandboxes; "down": lost, its sandboxes count as gone. */
  state: "up" | "suspect" | "down";
  /** Consecutive failed health checks. */
  failures: number;
  /** The last failure's technical message, if any. */
  lastError?: string;
}

/** A host went down (its sandboxes are gone) or came back. */
export interface HostChange {
  host: string;
  state: "up" | "down";
  /** Technical detail of the failure (down only). */
  detail?: string;
}

/** A sandbox's node stopped without the platform asking (engine events; see {@link SandboxProvider.onSandboxStop}). */
export interface SandboxStop {
  sandboxId: string;
  /** Host it ran on (several hosts); absent on the single default host. */
  host?: string;
  /** "exited": the node's init ended (killed, crashed, out of memory); "removed": its container was deleted. */
  kind: "exited" | "removed";
  /** The node's exit code (exited only); 137 is SIGKILL. */
  exitCode?: number;
  /** True when the engine reported an out-of-memory kill just before. */
  oomKilled?: boolean;
}

/** Sandboxes of the hosts that answered, and which hosts did not (see {@link SandboxProvider.listByHost}). */
export interface HostSandboxList {
  sandboxes: Sandbox[];
  /** Hosts marked down: their sandboxes are gone as far as the platform is concerned. */
  lost: string[];
  /** Hosts that failed to answer just now: nothing is known about their sandboxes. */
  unanswered: string[];
}

/**
 * The engine a node sandbox runs on, as checks need it to read the node from
 * outside (server/checks/host-view.ts): root in the node can fake whatever
 * commands inside it answer, not what the engine and the host's /proc say.
 */
export interface NodeEngine {
  /** Where the engine listens (unix://, tcp://), for messages. */
  readonly endpoint: string;
  /** True when the engine runs on this machine, so its nodes' processes and cgroups are visible here. */
  readonly local: boolean;
  /** Host pid of a node container's init (0 when it is not running) and the id of the image it was made from. */
  inspectNode(containerId: string): Promise<{ pid: number; imageId: string }>;
  /** sha256 of `path` as image `imageId` ships it (its symlinks followed in the image); null when it cannot be read there. */
  imageFileDigest(imageId: string, path: string): Promise<string | null>;
}

/** Creates, finds, runs commands in and removes sandboxes. */
export interface SandboxProvider {
  /** Provider name as recorded in labels ("docker", "kind"). */
  readonly name: string;
  readonly environment: SandboxEnvironment;

  /**
   * Creates a sandbox as a list of named steps, reporting each via
   * `onProgress`. On failure removes what was created (unless
   * `spec.retainOnFailure`) and throws a SandboxError (PROVISION_FAILED,
   * IMAGE_MISSING, CAPACITY, DOCKER_UNREACHABLE or ABORTED).
   */
  provision(spec: SandboxSpec, onProgress?: ProgressListener, signal?: AbortSignal): Promise<Sandbox>;
  /** The sandbox with that id, or null. */
  get(id: string): Promise<Sandbox | null>;
  /** Sandboxes of this platform instance. */
  list(filter?: SandboxFilter): Promise<Sandbox[]>;
  /** Runs a command (argv, no shell) non-interactively. Throws NOT_FOUND. */
  exec(id: string, argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Opens an interactive login shell on a TTY. Throws NOT_FOUND. */
  openShell(id: string, options: ShellOptions): Promise<Shell>;
  /**
   * Kills every interactive shell in the sandbox (with everything it started
   * in its session) that `keepOwner` did not open: shells of a server process
   * that crashed or was killed. Returns how many were killed.
   */
  reapShells?(id: string, keepOwner: string): Promise<number>;
  /** Removes the sandbox and all its resources. Idempotent. */
  destroy(id: string): Promise<void>;
  /** Running count, maximum and host facts. */
  info(): Promise<ProviderInfo>;
  /**
   * How a learner's root is contained on this provider's engine(s), judged
   * against the platform's policy (docs/isolation.md). Providers without a
   * policy of their own (kind: privileged nodes, docs/kind.md) omit it.
   */
  isolation?(): Promise<IsolationReport>;
  /**
   * Removes what a crash left without a record (kind clusters whose record is
   * gone), older than `graceMs`; returns their sandbox ids. Called by
   * reconciliation.
   */
  reapUnrecorded?(graceMs: number): Promise<string[]>;
  /**
   * Removes host state a sandbox left behind once it is gone (the Docker
   * provider's cgroup fence directories) when at least `minAgeMs` old;
   * returns the sandbox ids cleaned. Called by reconciliation.
   */
  sweepLeftovers?(minAgeMs: number): Promise<string[]>;

  /**
   * The engine a sandbox's node runs on, for checks that read the node from
   * the host. Providers without it (kind) are read with commands inside the
   * node instead, which the learner could fake.
   */
  nodeEngine?(sandbox: Sandbox): NodeEngine;

  /**
   * Calls `listener` when a sandbox's node stops or is removed, from the
   * engine's own events (seconds before any reconcile pass would see it).
   * Removals the platform asked for are reported too: listeners decide what
   * they expected. Returns the unsubscribe function.
   */
  onSandboxStop?(listener: (stop: SandboxStop) => void): () => void;

  // Providers that spread sandboxes over several hosts add these three; the
  // session service uses them to end sessions of a lost host with a reason.

  /** The hosts and their health. */
  hosts?(): HostStatus[];
  /** Calls `listener` when a host goes down or comes back; returns the unsubscribe function. */
  onHostChange?(listener: (change: HostChange) => void): () => void;
  /**
   * Like {@link list}, but answers with what the reachable hosts hold instead
   * of failing when one host does not answer (reconciliation must neither
   * stall on one host nor take its silence for "no sandboxes").
   */
  listByHost?(filter?: SandboxFilter): Promise<HostSandboxList>;
}
