/**
 * A small typed wrapper around the `kind` command line: found through
 * KIND_BIN or PATH, every call bounded by a timeout, stdout and stderr
 * captured (capped) for error sentences and operators. Only the handful of
 * subcommands the provider needs are exposed.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { CappedOutput } from "../../output";

/** Outcome of one kind invocation. */
export interface KindRun {
  argv: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** Options of one invocation. */
export interface KindRunOptions {
  timeoutMs: number;
  stdin?: string;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

/** Default time limits per subcommand (create includes kubeadm init). */
export const KIND_TIMEOUTS = {
  version: 10_000,
  create: 5 * 60_000,
  delete: 2 * 60_000,
  getClusters: 20_000,
  getKubeconfig: 20_000,
} as const;

/**
 * Where `kind` is: KIND_BIN if set (must be executable), else the first
 * executable `kind` on PATH; null when there is none. The caller says which
 * variables to look at (the server's own, or the configured KIND_BIN alone).
 */
export function findKind(env: Readonly<Record<string, string | undefined>>): string | null {
  const explicit = env.KIND_BIN?.trim();
  if (explicit) return isExecutable(explicit) ? explicit : null;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "kind");
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The kind CLI at one path. */
export class KindCli {
  constructor(
    /** Absolute path of the kind binary. */
    readonly bin: string,
    /**
     * The whole environment of every call: kind finds the docker CLI on its
     * PATH and keeps state under HOME, so the server passes its own, with
     * DOCKER_HOST set to the engine clusters are made on.
     */
    private readonly baseEnv: Readonly<Record<string, string | undefined>> = {},
  ) {}

  /** Runs `kind ...args`; never throws for a non-zero exit (the caller reads it). */
  run(args: string[], options: KindRunOptions): Promise<KindRun> {
    const started = performance.now();
    const stdout = new CappedOutput(256 * 1024);
    const stderr = new CappedOutput(256 * 1024);
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, args, {
        // Cast: Next's types declare NODE_ENV in every ProcessEnv; kind's environment need not carry it.
        env: { ...this.baseEnv, ...options.env } as NodeJS.ProcessEnv,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let timedOut = false;
      const kill = () => child.kill("SIGKILL");
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, options.timeoutMs);
      options.signal?.addEventListener("abort", kill, { once: true });
      child.stdout.on("data", (d: Buffer) => stdout.push(d));
      child.stderr.on("data", (d: Buffer) => stderr.push(d));
      child.once("error", (err) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", kill);
        reject(err);
      });
      child.once("close", (code, sig) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", kill);
        resolve({
          argv: [this.bin, ...args],
          exitCode: timedOut ? null : (code ?? (sig ? 128 + signalNumber(sig) : null)),
          stdout: stdout.text(),
          stderr: stderr.text(),
          timedOut,
          durationMs: Math.round(performance.now() - started),
        });
      });
      // kind may exit before reading its stdin (e.g. `kind version`): the
      // resulting EPIPE is not a failure of the call, its exit code says.
      child.stdin.on("error", () => {});
      child.stdin.end(options.stdin ?? "");
    });
  }

  /** `kind version`, e.g. "kind v0.27.0 go1.23.6 linux/amd64". */
  version(): Promise<KindRun> {
    return this.run(["version"], { timeoutMs: KIND_TIMEOUTS.version });
  }

  /** `kind create cluster --config - --name NAME --kubeconfig FILE --wait 0s` (config on stdin). */
  createCluster(name: string, configYaml: string, kubeconfig: string, options: { env?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<KindRun> {
    // --kubeconfig: kind writes the context to this file only, never to the
    // operator's ~/.kube/config. --retain is not passed: kind then deletes a
    // half-made cluster itself when creation fails.
    return this.run(["create", "cluster", "--name", name, "--config", "-", "--kubeconfig", kubeconfig], {
      timeoutMs: options.timeoutMs ?? KIND_TIMEOUTS.create,
      stdin: configYaml,
      env: options.env,
      signal: options.signal,
    });
  }

  /** `kind delete cluster --name NAME --kubeconfig FILE`. */
  deleteCluster(name: string, kubeconfig: string): Promise<KindRun> {
    return this.run(["delete", "cluster", "--name", name, "--kubeconfig", kubeconfig], { timeoutMs: KIND_TIMEOUTS.delete });
  }

  /** `kind get clusters`: one name per line. */
  getClusters(): Promise<KindRun> {
    return this.run(["get", "clusters"], { timeoutMs: KIND_TIMEOUTS.getClusters });
  }

  /** `kind get kubeconfig --name NAME` (external: https://127.0.0.1:<port>). */
  getKubeconfig(name: string): Promise<KindRun> {
    return this.run(["get", "kubeconfig", "--name", name], { timeoutMs: KIND_TIMEOUTS.getKubeconfig });
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
function signalNumber(sig: NodeJS.Signals): number {
  return SIGNALS[sig] ?? 0;
}

/**
 * Cluster names from `kind get clusters`. kind prints "No kind clusters
 * found." (to stderr, via its logger) when there are none, so stdout is
 * simply empty; the sentence is ignored if it ever shows up on stdout.
 */
export function parseClusterList(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^No kind clusters found\.?$/.test(l));
}

/** The version from `kind version` output ("kind v0.27.0 go1.23.6 linux/amd64" -> "v0.27.0"). */
export function parseKindVersion(stdout: string): string | null {
  return /\bkind (v\d+\.\d+\.\d+[\w.-]*)/.exec(stdout)?.[1] ?? null;
}

/**
 * The oldest kind the cluster path supports: v0.30.0, whose node images
 * (Kubernetes v1.34) carry containerd 2.1.3 or later. containerd 2.0.0–2.0.5
 * and 2.1.0–2.1.1 do not run the gVisor shim's start for app containers and
 * hang deleting gVisor pods (containerd#11708; fixed in 2.0.6 and 2.1.2).
 */
export const MIN_KIND_VERSION = "v0.30.0";

/** Why this kind is too old for cluster labs, or null when it will do (unknown versions pass). */
export function kindVersionProblem(version: string | null): string | null {
  if (!version) return null;
  const num = (v: string) => v.replace(/^v/, "").split(/[.-]/).slice(0, 3).map(Number);
  const [a, b] = [num(version), num(MIN_KIND_VERSION)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) {
      return (a[i] ?? 0) < (b[i] ?? 0) ? `kind ${version} is too old for cluster labs: install kind ${MIN_KIND_VERSION} or newer (its node image's containerd runs gVisor pods correctly).` : null;
    }
  }
  return null;
}
