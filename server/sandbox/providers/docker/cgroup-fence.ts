/**
 * A parent cgroup per sandbox, on the Docker host, holding the node's limits.
 *
 * Why: root in a node has CAP_SYS_ADMIN (nested runc needs it) and the node's
 * cgroup hierarchies are remounted writable (containerd must create nested
 * cgroups), so root can raise the node's *own* memory and pids limits. The
 * node's cgroup namespace is rooted at its own cgroup, so a parent above it
 * is invisible and unreachable from inside: limits set there hold whatever
 * the node writes. Docker is pointed at it with HostConfig.CgroupParent.
 *
 * Devices (v1): the fence also pins the device whitelist to Docker's default
 * set. A node's own devices cgroup sits below it, and v1 never lets a child
 * allow more than its parent, so even root with CAP_SYS_ADMIN in the host's
 * namespace (shared-kernel-root) cannot add a block device by writing the
 * node's devices.allow. (v2 has no devices files: runc's eBPF programs of
 * every ancestor apply, and attaching one needs host privileges.)
 *
 * Needs: this process runs as root on the Docker host (not DOCKER_HOST=tcp://)
 * and Docker uses the cgroupfs driver. Otherwise `detectFence` returns null
 * and the node keeps only Docker's own limits (documented in the README).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { isRemoteDockerHost } from "../common/docker-api";

export interface FenceLimits {
  memoryBytes: number;
  cpus: number;
  pids: number;
}

const CPU_PERIOD_US = 100_000;

/**
 * The devices a node may ever use: Docker's (and runc's) default list for a
 * non-privileged container. mknod of anything else may succeed, open fails.
 */
export const FENCE_DEVICES = [
  "c *:* m",
  "b *:* m",
  "c 1:3 rwm", // null
  "c 1:5 rwm", // zero
  "c 1:7 rwm", // full
  "c 1:8 rwm", // random
  "c 1:9 rwm", // urandom
  "c 5:0 rwm", // tty
  "c 5:1 rwm", // console
  "c 5:2 rwm", // ptmx
  "c 136:* rwm", // pts
  "c 10:200 rwm", // net/tun
] as const;
/** Top of every fence: /<FENCE_ROOT>/<instance>/<sandbox-id>. */
export const FENCE_ROOT = "runtime-labs";

export class CgroupFence {
  constructor(
    /** Where cgroupfs is mounted (a temp dir in tests). */
    readonly mount: string,
    readonly version: 1 | 2,
  ) {}

  /** Docker's CgroupParent for a sandbox (cgroupfs driver path form). */
  parentFor(instance: string, sandboxId: string): string {
    return `/${FENCE_ROOT}/${instance}/${sandboxId}`;
  }

  private dirs(parent: string): { controller: string; dir: string }[] {
    if (this.version === 2) return [{ controller: "", dir: path.join(this.mount, parent) }];
    return ["memory", "pids", "cpu", "devices"].map((c) => ({ controller: c, dir: path.join(this.mount, c, parent) }));
  }

  /** Creates the parent cgroup(s) with the limits; idempotent. */
  async create(parent: string, limits: FenceLimits): Promise<void> {
    const quota = String(Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US)));
    if (this.version === 2) {
      // Each level must hand the controllers down before a child can use them.
      const segments = parent.split("/").filter(Boolean);
      for (let i = 0; i < segments.length; i++) {
        const dir = path.join(this.mount, ...segments.slice(0, i));
        await fs.mkdir(path.join(dir, segments[i]!), { recursive: true });
        await fs.writeFile(path.join(dir, "cgroup.subtree_control"), "+memory +pids +cpu");
      }
      const dir = path.join(this.mount, parent);
      await fs.writeFile(path.join(dir, "memory.max"), String(limits.memoryBytes));
      await write(path.join(dir, "memory.swap.max"), "0");
      await fs.writeFile(path.join(dir, "pids.max"), String(limits.pids));
      await fs.writeFile(path.join(dir, "cpu.max"), `${quota} ${CPU_PERIOD_US}`);
      return;
    }
    for (const { controller, dir } of this.dirs(parent)) {
      await fs.mkdir(dir, { recursive: true });
      if (controller === "memory") {
        // memsw must stay >= the memory limit, so the limit goes first.
        await fs.writeFile(path.join(dir, "memory.limit_in_bytes"), String(limits.memoryBytes));
        await write(path.join(dir, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
      } else if (controller === "pids") {
        await fs.writeFile(path.join(dir, "pids.max"), String(limits.pids));
      } else if (controller === "devices") {
        // Deny everything, then allow the default set, one rule per write
        // (the kernel takes one rule per write(2)). Writing a device list
        // needs CAP_SYS_ADMIN: the platform in a container without it (the
        // compose app) leaves the list as Docker sets it, which holds for
        // user-namespaced nodes (they cannot write their own list at all).
        try {
          await fs.writeFile(path.join(dir, "devices.deny"), "a");
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
          continue;
        }
        for (const rule of FENCE_DEVICES) await fs.writeFile(path.join(dir, "devices.allow"), rule);
      } else {
        await fs.writeFile(path.join(dir, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
        await fs.writeFile(path.join(dir, "cpu.cfs_quota_us"), quota);
      }
    }
  }

  /**
   * Removes the parent cgroup(s) once the node's own cgroup is gone;
   * idempotent. Every hierarchy is tried even when one fails (a cgroup the
   * kernel still calls busy is retried for a few seconds first), and the
   * failures are reported together.
   */
  async remove(parent: string, busyBudgetMs = BUSY_BUDGET_MS): Promise<void> {
    const problems: string[] = [];
    // One budget for the whole call: a cgroup still busy after it is left to
    // reconciliation's sweep, so a removal never holds up a pass for long
    // (a retry per directory once kept a restarted server's first pass busy
    // for minutes).
    const deadline = Date.now() + busyBudgetMs;
    for (const dir of await this.everyHierarchy(parent)) {
      try {
        await removeTree(dir, deadline);
      } catch (err) {
        problems.push(`${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        continue;
      }
      // The instance's directory goes with its last sandbox (busy otherwise: fine).
      await fs.rmdir(path.dirname(dir)).catch(() => {});
    }
    if (problems.length) throw new Error(`could not remove cgroup ${problems.join(", ")}`);
  }

  /**
   * Sandboxes of an instance that still have a fence directory in some
   * hierarchy, with the age of the youngest one: what reconciliation
   * compares with the sandboxes that exist to find leftovers.
   */
  async fenced(instance: string): Promise<{ sandboxId: string; ageMs: number }[]> {
    const parent = `/${FENCE_ROOT}/${instance}`;
    const youngest = new Map<string, number>();
    for (const dir of await this.everyHierarchy(parent)) {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const st = await fs.stat(path.join(dir, e.name)).catch(() => null);
        if (st) youngest.set(e.name, Math.max(youngest.get(e.name) ?? 0, st.mtimeMs));
      }
    }
    const now = Date.now();
    return [...youngest].map(([sandboxId, mtime]) => ({ sandboxId, ageMs: now - mtime }));
  }

  /**
   * The parent's directory in every hierarchy, not only the fenced ones:
   * Docker (runc) creates the node's cgroup below CgroupParent in each
   * hierarchy it uses (blkio, freezer, cpuset, cpuacct, name=systemd,
   * unified), which would otherwise be left behind empty.
   */
  private async everyHierarchy(parent: string): Promise<string[]> {
    if (this.version === 2) return [path.join(this.mount, parent)];
    const entries = await fs.readdir(this.mount, { withFileTypes: true }).catch(() => []);
    // Comounted hierarchies show up twice (cpu,cpuacct and its cpu/cpuacct links): directories only.
    return entries.filter((e) => e.isDirectory()).map((e) => path.join(this.mount, e.name, parent));
  }
}

/** Removes a cgroup directory and its (empty) child cgroups, deepest first; a missing one is fine. */
async function removeTree(dir: string, deadline: number): Promise<void> {
  const children = await fs.readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR") return null;
    throw err;
  });
  if (children === null) return;
  for (const c of children) if (c.isDirectory()) await removeTree(path.join(dir, c.name), deadline);
  await rmdirWhenFree(dir, deadline);
}

/**
 * rmdir of a cgroup, retried while the kernel calls it busy and `deadline`
 * has not passed: right after a container is removed under load its last
 * tasks may still be exiting.
 */
async function rmdirWhenFree(dir: string, deadline: number): Promise<void> {
  for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || Date.now() + pause > deadline) throw err;
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/** Time one remove() may spend waiting for busy cgroups. */
const BUSY_BUDGET_MS = 2_000;

/** Writes a file that only exists on some kernels (swap accounting). */
async function write(file: string, value: string): Promise<void> {
  await fs.writeFile(file, value).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
  });
}

/**
 * A fence when this process can manage the Docker host's cgroups, else null
 * with the reason (logged once by the provider).
 */
export async function detectFence(opts: { dockerHost?: string; cgroupDriver?: string; mount?: string } = {}): Promise<{ fence: CgroupFence | null; reason?: string }> {
  const mount = opts.mount ?? "/sys/fs/cgroup";
  if (isRemoteDockerHost(opts.dockerHost)) return { fence: null, reason: `Docker is remote (${opts.dockerHost})` };
  if (process.getuid?.() !== 0) return { fence: null, reason: "the server does not run as root" };
  if (opts.cgroupDriver && opts.cgroupDriver !== "cgroupfs") return { fence: null, reason: `Docker's cgroup driver is ${opts.cgroupDriver}, not cgroupfs` };
  const v2 = await fs.access(path.join(mount, "cgroup.controllers")).then(
    () => true,
    () => false,
  );
  if (v2) return { fence: new CgroupFence(mount, 2) };
  for (const c of ["memory", "pids", "cpu", "devices"]) {
    const ok = await fs.access(path.join(mount, c), fs.constants.W_OK).then(
      () => true,
      () => false,
    );
    if (!ok) return { fence: null, reason: `${path.join(mount, c)} is not writable` };
  }
  return { fence: new CgroupFence(mount, 1) };
}
