/**
 * The host view: a node's state read from the Docker host it runs on, so
 * nothing the learner does inside the node (a replaced `cat`, `ps` or `ctr`)
 * changes what is seen. openHostView (host-view.ts) decides when it can be used.
 */
import { constants as fsc, promises as fs, openSync, readSync, closeSync, type Dirent } from "node:fs";
import type { NodeEngine } from "../sandbox/provider";
import type { CgroupVersion } from "./cgroup";
import { DEFAULT_MAX_FILE_BYTES, type CgroupController, type HostView, type KernelOomKill, type NodeProcess } from "./host-view-types";
import { digestInRoot, readCappedFrom, readInRoot, sha256Of } from "./in-root";
import { NAMESPACE_KINDS } from "./namespace-kinds";
import { parseOomKillRecord, parseStatus } from "./proc-parsers";

/** Digests of running executables by file identity: hashing a 24 MB runsc once, not every poll. */
const exeDigests = new Map<string, string>();

/** Reads a host file (/proc, cgroupfs) without following a symlink at its last component. */
export async function readCapped(path: string, maxBytes: number): Promise<string | null> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  try {
    return await readCappedFrom(fh, maxBytes);
  } finally {
    await fh.close();
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ESRCH";
}

/**
 * Reads the node's state from the Docker host. Use openHostView (host-view.ts),
 * which checks that this is possible.
 */
export class LocalHostView implements HostView {
  readonly source = "host" as const;
  readonly tamperResistant = true;

  constructor(
    /** Host pid of the node container's init (Docker's State.Pid). */
    readonly nodePid: number,
    /** The node's cgroup root per controller ("" for v2), host paths below /sys/fs/cgroup. */
    private readonly roots: Map<string, string>,
    private readonly version: CgroupVersion,
    private readonly nsLevel: number,
    /** Reads the node image's own files (the engine, and the node container's image id). */
    private readonly image: { engine: NodeEngine; id: string } | null = null,
    private readonly cgroupFs = "/sys/fs/cgroup",
  ) {}

  async cgroupVersion(): Promise<CgroupVersion> {
    return this.version;
  }

  async readNodeFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<string | null> {
    // In-root: a learner's symlink must never lead a host read out of the node.
    return readInRoot(`/proc/${this.nodePid}/root`, path, maxBytes);
  }

  async fileDigest(path: string): Promise<string | null> {
    return digestInRoot(`/proc/${this.nodePid}/root`, path);
  }

  async executableDigest(p: NodeProcess): Promise<string | null> {
    if (p.hostPid === null) return null;
    // /proc/<pid>/exe is the very file the kernel runs, whatever its name.
    const exe = `/proc/${p.hostPid}/exe`;
    const st = await fs.stat(exe).catch(() => null);
    if (!st) return null;
    const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    let digest = exeDigests.get(key);
    if (!digest) {
      digest = await sha256Of(exe).catch(() => undefined);
      if (!digest) return null;
      if (exeDigests.size > 256) exeDigests.clear();
      exeDigests.set(key, digest);
    }
    return digest;
  }

  async imageFileDigest(path: string): Promise<string | null> {
    return this.image ? this.image.engine.imageFileDigest(this.image.id, path) : null;
  }

  /** Host directory of a cgroup below the node. */
  cgroupDir(controller: CgroupController | "", rel: string): string {
    const key = this.version === 2 ? "" : controller;
    const root = this.roots.get(key);
    if (root === undefined) throw new Error(`the node has no ${controller || "v2"} cgroup on this host`);
    const sub = rel
      .split("/")
      .filter((p) => p && p !== "." && p !== "..")
      .join("/");
    return `${this.cgroupFs}${this.version === 1 ? `/${controller}` : ""}${root}${sub ? `/${sub}` : ""}`;
  }

  async readCgroupFile(controller: CgroupController, rel: string, file: string): Promise<string | null> {
    return readCapped(`${this.cgroupDir(controller, rel)}/${file}`, 64 * 1024);
  }

  async processes(): Promise<NodeProcess[]> {
    // Every process of the node sits in its cgroup subtree (the learner can
    // move processes only within it): walk it rather than all of the host's /proc.
    const pids = new Set<number>();
    const walk = async (dir: string): Promise<void> => {
      const procs = await readCapped(`${dir}/cgroup.procs`, 4 * 1024 * 1024);
      for (const p of procs?.split("\n") ?? []) if (p) pids.add(Number(p));
      let entries: Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => walk(`${dir}/${e.name}`)));
    };
    await walk(this.cgroupDir("pids", ""));
    const out: NodeProcess[] = [];
    await Promise.all(
      [...pids].map(async (hostPid) => {
        const [statusText, cmd] = await Promise.all([readCapped(`/proc/${hostPid}/status`, 64 * 1024).catch(() => null), readCapped(`/proc/${hostPid}/cmdline`, 64 * 1024).catch(() => null)]);
        if (statusText === null) return; // exited meanwhile
        const status = parseStatus(statusText);
        const nspid = (status.NSpid ?? "").split(/\s+/).map(Number);
        const pid = nspid[this.nsLevel];
        if (pid === undefined || !Number.isFinite(pid)) return;
        const ns: NodeProcess["ns"] = {};
        await Promise.all(
          NAMESPACE_KINDS.map(async (k) => {
            try {
              ns[k] = await fs.readlink(`/proc/${hostPid}/ns/${k}`);
            } catch {
              // exited, or a kind this kernel lacks
            }
          }),
        );
        out.push({ pid, hostPid, cmdline: (cmd ?? "").replace(/\0+$/, "").replace(/\0/g, " "), status, ns });
      }),
    );
    return out.sort((a, b) => a.pid - b.pid);
  }

  async kernelOomKills(): Promise<KernelOomKill[] | null> {
    const root = this.roots.get(this.version === 2 ? "" : "memory");
    if (root === undefined) return null;
    const records = readKernelLog();
    if (records === null) return null;
    const out: KernelOomKill[] = [];
    for (const r of records) {
      const k = parseOomKillRecord(r);
      if (!k || !(k.taskMemcg === root || k.taskMemcg.startsWith(`${root}/`))) continue;
      const strip = (p: string) => (p.startsWith(root) ? p.slice(root.length) || "/" : p);
      out.push({ taskMemcg: strip(k.taskMemcg), oomMemcg: strip(k.oomMemcg), task: k.task });
    }
    return out;
  }
}

/**
 * Reads the host kernel's log records from /dev/kmsg without blocking;
 * null if it cannot be opened (not root, dmesg_restrict, no such device).
 */
function readKernelLog(maxRecords = 200_000): string[] | null {
  let fd: number;
  try {
    fd = openSync("/dev/kmsg", fsc.O_RDONLY | fsc.O_NONBLOCK);
  } catch {
    return null;
  }
  const buf = Buffer.alloc(16 * 1024);
  const out: string[] = [];
  try {
    while (out.length < maxRecords) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "EPIPE") continue; // records were overwritten while reading; go on with the next
        break; // EAGAIN: no more records
      }
      if (n === 0) break;
      out.push(buf.toString("utf8", 0, n));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
