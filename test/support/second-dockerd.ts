/**
 * A second, real Docker daemon on this machine for multi-host tests: its own
 * socket, data-root and exec-root, no bridge and no iptables (tests use
 * NetworkMode none), its own containerd namespace. The node image is copied
 * in from the main daemon (`docker save | docker load`, a few seconds for
 * the node image); a fixed data-root keeps it between runs, so later runs only
 * compare image ids. A lock file gives that data-root to one run at a time;
 * a concurrent run falls back to a temporary data-root and loads the image.
 *
 * Needs root and `dockerd` on PATH (`.ci/run` installs docker.io).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { LABELS } from "../../server/sandbox/labels";

/** Where the cached daemon keeps its images between runs. */
export const CACHED_DATA_ROOT = "/var/lib/runtime-labs-test-dockerd-b";

export interface SecondDockerd {
  /** unix:///tmp/.../docker.sock */
  endpoint: string;
  socketPath: string;
  dataRoot: string;
  /** True when the fixed data-root (and its image cache) is used. */
  cachedDataRoot: boolean;
  /** Client of this daemon. */
  docker: Docker;
  /** Time to start the daemon the first time, ms. */
  startMs: number;
  /** Time to copy the images in, ms (0 when the cache already had them). */
  loadMs: number;
  /** True while the daemon process runs. */
  readonly running: boolean;
  /** Stops the daemon (it stops its containers); state stays for {@link restart}. */
  stop(): Promise<void>;
  /** Starts the stopped daemon again on the same socket and data. */
  restart(): Promise<void>;
  /** Stops the daemon and removes its socket, exec-root, lock and any temporary data-root. */
  dispose(): Promise<void>;
}

/** Why a second daemon cannot run here, or null when it can. */
export function secondDockerdUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "a second dockerd needs root";
  const which = spawnSync("sh", ["-c", "command -v dockerd"], { encoding: "utf8" });
  if (which.status !== 0) return "dockerd is not on PATH (Debian package docker.io)";
  return null;
}

/** Takes the cached data-root's lock, ending a daemon a crashed earlier run left on it. */
function takeCacheLock(lockFile: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, JSON.stringify({ owner: process.pid }), { flag: "wx" });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let held: { owner?: number; daemon?: number } = {};
    try {
      held = JSON.parse(fs.readFileSync(lockFile, "utf8")) as typeof held;
    } catch {
      // Unreadable: written by a run that died mid-write; treat as stale.
    }
    if (held.owner && isAlive(held.owner)) return false;
    // The run that held it is gone; its daemon may still run on the data-root.
    if (held.daemon && isAlive(held.daemon) && cmdline(held.daemon).includes(CACHED_DATA_ROOT)) {
      process.kill(held.daemon, "SIGKILL");
      waitGoneSync(held.daemon);
    }
    fs.rmSync(lockFile, { force: true });
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function waitGoneSync(pid: number): void {
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) spawnSync("sleep", ["0.1"]);
}

/** Starts the second daemon and copies `images` into it from the main daemon. */
export async function startSecondDockerd(options: { images: string[]; main?: Docker; log?: (msg: string) => void }): Promise<SecondDockerd> {
  const log = options.log ?? (() => {});
  const main = options.main ?? new Docker();
  // Short path: the socket's path must stay under the kernel's 108-byte limit.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "labs-dockerd-"));
  const socketPath = path.join(tmp, "docker.sock");
  const lockFile = `${CACHED_DATA_ROOT}.lock`;
  const cached = takeCacheLock(lockFile);
  const dataRoot = cached ? CACHED_DATA_ROOT : path.join(tmp, "data");
  if (!cached) log(`the cached data-root ${CACHED_DATA_ROOT} is in use by another run; using ${dataRoot}`);
  fs.writeFileSync(path.join(tmp, "daemon.json"), "{}\n");
  const logFile = path.join(tmp, "dockerd.log");
  const args = [
    // An empty config: /etc/docker/daemon.json belongs to the main daemon.
    `--config-file=${path.join(tmp, "daemon.json")}`,
    `--host=unix://${socketPath}`,
    `--data-root=${dataRoot}`,
    `--exec-root=${path.join(tmp, "exec")}`,
    `--pidfile=${path.join(tmp, "docker.pid")}`,
    "--bridge=none",
    "--iptables=false",
    "--ip-masq=false",
    // Like the sandbox engine (scripts/sandbox-engine.sh): nodes in a user
    // namespace. Its overlay2 data-root has no disk caps (the tests say so).
    "--userns-remap=default",
    // Where a system containerd runs, keep out of the main daemon's namespace.
    "--containerd-namespace=labs-test-b",
    "--containerd-plugins-namespace=labs-test-b-plugins",
    // "Host goes away" in tests should not wait 10 s per container.
    "--shutdown-timeout=1",
  ];
  const docker = new Docker({ socketPath });
  let child: ChildProcess | null = null;

  const launch = async (): Promise<number> => {
    const started = performance.now();
    const out = fs.openSync(logFile, "a");
    const proc = spawn("dockerd", args, { stdio: ["ignore", out, out] });
    fs.closeSync(out);
    child = proc;
    let exited = false;
    proc.once("exit", () => {
      exited = true;
      if (child === proc) child = null;
    });
    if (cached) fs.writeFileSync(lockFile, JSON.stringify({ owner: process.pid, daemon: proc.pid }));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (exited) throw new Error(`the second dockerd exited while starting; last log lines:\n${tail(logFile)}`);
      try {
        await docker.ping();
        return performance.now() - started;
      } catch {
        if (Date.now() > deadline) throw new Error(`the second dockerd did not answer on ${socketPath} within 30 s; last log lines:\n${tail(logFile)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    const gone = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
    await gone;
    clearTimeout(timer);
  };

  const dispose = async (): Promise<void> => {
    await stop();
    if (cached) fs.rmSync(lockFile, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  };

  try {
    const startMs = await launch();
    await removeLeftovers(docker);
    const loadStarted = performance.now();
    let loaded = false;
    for (const image of options.images) loaded = (await copyImage(main, docker, image)) || loaded;
    // Older copies of the images would otherwise pile up in the cache.
    if (loaded) await docker.pruneImages({ filters: { dangling: ["true"] } });
    const loadMs = loaded ? performance.now() - loadStarted : 0;
    log(`second dockerd up in ${Math.round(startMs)} ms; images ${loaded ? `loaded in ${Math.round(loadMs)} ms` : "already cached"}`);
    return {
      endpoint: `unix://${socketPath}`,
      socketPath,
      dataRoot,
      cachedDataRoot: cached,
      docker,
      startMs,
      loadMs,
      get running() {
        return child !== null;
      },
      stop,
      restart: async () => {
        if (!child) await launch();
      },
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** Copies an image by `docker save | docker load` unless the target has the same id. Returns true if copied. */
async function copyImage(from: Docker, to: Docker, ref: string): Promise<boolean> {
  const source = await from.getImage(ref).inspect();
  const existing = await to
    .getImage(ref)
    .inspect()
    .catch(() => null);
  if (existing?.Id === source.Id) return false;
  const tar = await from.getImage(ref).get();
  const response = await to.loadImage(tar);
  await new Promise<void>((resolve, reject) => to.modem.followProgress(response, (err: Error | null) => (err ? reject(err) : resolve())));
  const copied = await to.getImage(ref).inspect();
  if (copied.Id !== source.Id) throw new Error(`loading ${ref} into the second dockerd gave image ${copied.Id}, expected ${source.Id}`);
  return true;
}

/** Removes platform containers and volumes a crashed earlier run left in the cached daemon. */
async function removeLeftovers(docker: Docker): Promise<void> {
  const filters = { label: [LABELS.instance] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true });
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true });
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
