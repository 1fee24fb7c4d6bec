/**
 * The failures people hit when running kind clusters, turned into sentences
 * that say what was wrong and what to do. Patterns come from kind's own
 * messages and documentation (sources named per pattern below) and are
 * unit-tested against output samples in test/fixtures/kind/.
 */
import { SandboxError } from "../../errors";
import type { KindRun } from "./kind-cli";

/**
 * inotify limits kind's known-issues page recommends ("Pod errors due to
 * 'too many open files'", kind.sigs.k8s.io/docs/user/known-issues): the
 * limits are per user and not namespaced, so every cluster on a host draws
 * from the same budget; Ubuntu's defaults (8192 / 128) are too low.
 */
export const INOTIFY_RECOMMENDED = { maxUserWatches: 524_288, maxUserInstances: 512 } as const;

/** The sentence when kind is not installed. */
export function kindMissing(kindBin: string | undefined): SandboxError {
  return new SandboxError(
    "PROVISION_FAILED",
    kindBin
      ? `KIND_BIN points at ${kindBin}, which is not an executable file; install kind (https://kind.sigs.k8s.io) or fix KIND_BIN.`
      : "kind is not installed on this server, so cluster labs cannot start; install kind (https://kind.sigs.k8s.io) and put it on PATH, or set KIND_BIN.",
    kindBin ? `KIND_BIN=${kindBin}: not executable` : "no executable `kind` on PATH",
  );
}

/** The sentence when Docker does not answer. */
export function dockerUnreachable(detail: string): SandboxError {
  return new SandboxError("DOCKER_UNREACHABLE", "Docker is not reachable, so clusters cannot be created; start Docker (or Docker Desktop) and try again.", detail);
}

/**
 * Limits under which no kind cluster is expected to come up: the kernel's own
 * defaults (8192 watches, 128 instances) are where kind's known-issues page
 * starts; below them creation is refused rather than left to fail half-way.
 * Between these and the recommended values a few clusters usually work, so
 * the platform warns instead (a judgment from kind's documentation, not a
 * measurement: kind cannot run on our machines).
 */
export const INOTIFY_FLOOR = { maxUserWatches: 8_192, maxUserInstances: 128 } as const;

/**
 * What to do about the host's inotify limits: nothing (null), warn (below
 * kind's recommendation: clusters may fail with "too many open files" as more
 * run), or refuse (below the kernel's defaults). Both name the sysctl to raise.
 */
export function inotifyVerdict(limits: { maxUserWatches: number; maxUserInstances: number }): { action: "warn" | "refuse"; error: SandboxError } | null {
  const error = inotifyProblem(limits);
  if (!error) return null;
  const clearlyTooLow = limits.maxUserWatches < INOTIFY_FLOOR.maxUserWatches || limits.maxUserInstances < INOTIFY_FLOOR.maxUserInstances;
  return { action: clearlyTooLow ? "refuse" : "warn", error };
}

/**
 * Checks the host's inotify limits; null when they are high enough. The
 * sentence names the sysctl to raise and the command that does it.
 */
export function inotifyProblem(limits: { maxUserWatches: number; maxUserInstances: number }): SandboxError | null {
  const low: string[] = [];
  if (limits.maxUserWatches < INOTIFY_RECOMMENDED.maxUserWatches) low.push(`fs.inotify.max_user_watches=${INOTIFY_RECOMMENDED.maxUserWatches}`);
  if (limits.maxUserInstances < INOTIFY_RECOMMENDED.maxUserInstances) low.push(`fs.inotify.max_user_instances=${INOTIFY_RECOMMENDED.maxUserInstances}`);
  if (low.length === 0) return null;
  return inotifySentence(low, `max_user_watches=${limits.maxUserWatches}, max_user_instances=${limits.maxUserInstances}`);
}

function inotifySentence(settings: string[], detail: string): SandboxError {
  return new SandboxError(
    "PROVISION_FAILED",
    `This host allows too few inotify ${inotifyWords(settings)} for Kubernetes nodes; raise them with \`sudo sysctl -w ${settings.join(" ")}\` (and persist them in /etc/sysctl.d/), then try again.`,
    detail,
  );
}

/** The sentence when a cluster does not fit in the host's memory. */
export function outOfMemory(needBytes: number, freeBytes: number): SandboxError {
  return new SandboxError(
    "CAPACITY",
    `This host does not have enough memory for another cluster (each needs ${gib(needBytes)}, ${gib(Math.max(0, freeBytes))} is left); end a cluster lab or give Docker more memory.`,
    `need ${needBytes} bytes, ${freeBytes} bytes unallocated`,
  );
}

function inotifyWords(settings: string[]): string {
  const words = [settings.some((s) => s.includes("watches")) && "watches", settings.some((s) => s.includes("instances")) && "instances"];
  return words.filter(Boolean).join(" and ");
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/**
 * Turns a failed `kind create cluster` into a sentence. Recognised causes,
 * in order: Docker unreachable (docker CLI's "Cannot connect to the Docker
 * daemon"; kind runs `docker info` first, pkg/cluster/internal/providers/
 * docker/provider.go), docker CLI missing (exec's "executable file not found"),
 * too many open files / inotify (kind known-issues), out of memory (exit 137,
 * "OOMKilled", ENOMEM "cannot allocate memory"), the node image missing, a
 * timeout. Everything else says the step failed and keeps kind's output as
 * detail.
 */
export function classifyCreateFailure(run: KindRun, image: string): SandboxError {
  const out = `${run.stderr}\n${run.stdout}`;
  const detail = `${run.argv.join(" ")} exited ${run.exitCode ?? "(killed)"}${run.timedOut ? " after its timeout" : ""}: ${lastLines(out, 12)}`;
  if (/Cannot connect to the Docker daemon|error during connect|docker daemon is not running/i.test(out)) {
    return dockerUnreachable(detail);
  }
  if (/"docker": executable file not found/.test(out)) {
    return new SandboxError("PROVISION_FAILED", "kind needs the `docker` command on this server's PATH; install the Docker CLI and try again.", detail);
  }
  if (/too many open files|inotify|fsnotify watcher/i.test(out)) {
    return inotifySentence([`fs.inotify.max_user_watches=${INOTIFY_RECOMMENDED.maxUserWatches}`, `fs.inotify.max_user_instances=${INOTIFY_RECOMMENDED.maxUserInstances}`], detail);
  }
  if (/could not find a log line that matches/.test(out)) {
    // kind gave up waiting for systemd in the node (see node-status.ts). The
    // usual cause on Linux hosts is the inotify budget: systemd logs "Failed
    // to create inotify object: Too many open files" and never boots.
    return new SandboxError(
      "PROVISION_FAILED",
      `The cluster's node did not finish booting. On Linux this is usually too few inotify instances: raise them with \`sudo sysctl -w fs.inotify.max_user_instances=${INOTIFY_RECOMMENDED.maxUserInstances} fs.inotify.max_user_watches=${INOTIFY_RECOMMENDED.maxUserWatches}\`, then try again.`,
      detail,
    );
  }
  if (/OOMKilled|cannot allocate memory|out of memory|exit status 137|exited with code 137/i.test(out)) {
    return new SandboxError("CAPACITY", "The host ran out of memory while creating the cluster; end other cluster labs or give Docker more memory, then try again.", detail);
  }
  if (/pull access denied|manifest unknown|failed to pull image|No such image/i.test(out)) {
    return new SandboxError("IMAGE_MISSING", `The kind node image ${image} is not on this host; build it with \`bash scripts/build-kind-image.sh\`.`, detail);
  }
  if (run.timedOut) {
    return new SandboxError("PROVISION_FAILED", "Creating the cluster took too long and was stopped; the host may be overloaded.", detail);
  }
  return new SandboxError("PROVISION_FAILED", "kind could not create the cluster.", detail);
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").filter(Boolean).slice(-n).join("\n");
}
