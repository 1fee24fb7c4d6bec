/**
 * Where checks read kernel and runtime state from.
 *
 * The learner is root in the node: they can replace `ctr`, `cat` or `ps`
 * there, so anything read by running commands inside the node can be faked.
 * When the server runs on the Docker host, it reads the same state from
 * outside instead: the host's /proc entries of the node's processes (found
 * through the node's cgroup, mapped to node pids via NSpid), the host's
 * cgroup files of the node and its nested containers, the host kernel log,
 * and the node's files through /proc/<node-init>/root (the node's mount
 * namespace, without running any of its binaries). When Docker is remote
 * (DOCKER_HOST=tcp://...), or the provider does not say which engine its
 * nodes run on (SandboxProvider.nodeEngine), the same questions are answered
 * by commands inside the node, and results are marked as not tamper-resistant.
 */
import { constants as fsc, promises as fs, openSync, readSync, closeSync, type Dirent } from "node:fs";
import type { NodeEngine, SandboxProvider } from "../sandbox/provider";
import type { CgroupVersion } from "./cgroup";
import type { NamespaceKind } from "./schema";
import { digestInRoot, readCappedFrom, readInRoot, sha256Of } from "./in-root";

/** Digests of running executables by file identity: hashing a 24 MB runsc once, not every poll. */
const exeDigests = new Map<string, string>();

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

const NS_KINDS: NamespaceKind[] = ["pid", "net", "mnt", "uts", "ipc", "user", "cgroup"];

/** Parses /proc/<pid>/status into its "Key:\tvalue" fields. */
export function parseStatus(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/**
 * The node's cgroup root on the host, from a /proc/<pid>/cgroup line's path:
 * the path up to the segment naming the container ("/docker/<id>",
 * "/system.slice/docker-<id>.scope"). node-init moves its processes into a
 * child ("/init" on v2), which this cuts off.
 */
export function nodeCgroupRoot(procPath: string, containerId: string): string {
  const parts = procPath.split("/");
  const i = parts.findIndex((p) => p.includes(containerId));
  return i < 0 ? procPath : parts.slice(0, i + 1).join("/");
}

/** Parses /proc/<pid>/cgroup: controller (or "" for v2) -> path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const c of m[1]!.split(",")) out.set(c, m[2]!);
  }
  return out;
}

/**
 * Parses one kernel log record ("6,1234,5678,-;oom-kill:constraint=...") into
 * an OOM kill if it is one. Paths stay as the host sees them.
 */
export function parseOomKillRecord(record: string): { taskMemcg: string; oomMemcg: string; task: string } | null {
  const msg = record.slice(record.indexOf(";") + 1);
  if (!msg.startsWith("oom-kill:")) return null;
  const field = (k: string) => new RegExp(`[:,]${k}=([^,]*)`).exec(msg)?.[1] ?? null;
  const taskMemcg = field("task_memcg");
  if (taskMemcg === null) return null;
  return { taskMemcg, oomMemcg: field("oom_memcg") ?? taskMemcg, task: field("task") ?? "" };
}

/** Reads a host file (/proc, cgroupfs) without following a symlink at its last component. */
async function readCapped(path: string, maxBytes: number): Promise<string | null> {
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
 * Reads the node's state from the Docker host. Use {@link openHostView},
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
    const sub = rel.split("/").filter((p) => p && p !== "." && p !== "..").join("/");
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
        const [statusText, cmd] = await Promise.all([
          readCapped(`/proc/${hostPid}/status`, 64 * 1024).catch(() => null),
          readCapped(`/proc/${hostPid}/cmdline`, 64 * 1024).catch(() => null),
        ]);
        if (statusText === null) return; // exited meanwhile
        const status = parseStatus(statusText);
        const nspid = (status.NSpid ?? "").split(/\s+/).map(Number);
        const pid = nspid[this.nsLevel];
        if (pid === undefined || !Number.isFinite(pid)) return;
        const ns: NodeProcess["ns"] = {};
        await Promise.all(
          NS_KINDS.map(async (k) => {
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

/**
 * Reads the node's state with commands inside it: works wherever Docker is,
 * but the learner can fake every answer (tamperResistant: false).
 */
export class NodeExecView implements HostView {
  readonly source = "node-exec" as const;
  readonly tamperResistant = false;
  private version: CgroupVersion | undefined;

  constructor(
    private readonly provider: SandboxProvider,
    private readonly sandboxId: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async sh(script: string, args: string[] = [], maxOutputBytes = DEFAULT_MAX_FILE_BYTES) {
    return this.provider.exec(this.sandboxId, ["/bin/sh", "-c", script, "sh", ...args], { timeoutMs: this.timeoutMs, maxOutputBytes });
  }

  async cgroupVersion(): Promise<CgroupVersion> {
    this.version ??= (await this.sh("test -f /sys/fs/cgroup/cgroup.controllers")).exitCode === 0 ? 2 : 1;
    return this.version;
  }

  async readNodeFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<string | null> {
    const r = await this.sh('[ -e "$1" ] || exit 3; cat -- "$1"', [path], maxBytes);
    if (r.exitCode === 3) return null;
    if (r.exitCode !== 0) throw new Error(`reading ${path} in the node failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  async fileDigest(path: string): Promise<string | null> {
    return this.sha256(path);
  }

  async executableDigest(p: NodeProcess): Promise<string | null> {
    return this.sha256(`/proc/${p.pid}/exe`);
  }

  /** In the node, the image's copy is the node's file: as fakeable as everything else here. */
  async imageFileDigest(path: string): Promise<string | null> {
    return this.sha256(path);
  }

  private async sha256(path: string): Promise<string | null> {
    const r = await this.sh('sha256sum -- "$1"', [path], 512);
    const m = /^([0-9a-f]{64})\s/.exec(r.stdout);
    return r.exitCode === 0 && m ? m[1]! : null;
  }

  async readCgroupFile(controller: CgroupController, rel: string, file: string): Promise<string | null> {
    const v = await this.cgroupVersion();
    const sub = rel.split("/").filter((p) => p && p !== "..").join("/");
    return this.readNodeFile(`/sys/fs/cgroup${v === 1 ? `/${controller}` : ""}${sub ? `/${sub}` : ""}/${file}`);
  }

  async processes(): Promise<NodeProcess[]> {
    // One record per process; the script's own shell and its children are
    // dropped afterwards (their command lines would match many regexes).
    const script = [
      'echo "@self $$"',
      "for d in /proc/[0-9]*; do",
      '  p=${d#/proc/}; [ -r "$d/status" ] || continue',
      '  echo "@proc $p"',
      '  printf "@cmd "; tr "\\0" " " <"$d/cmdline" 2>/dev/null; echo',
      '  for k in pid net mnt uts ipc user cgroup; do echo "@ns $k $(readlink "$d/ns/$k" 2>/dev/null)"; done',
      '  sed "s/^/@st /" "$d/status" 2>/dev/null',
      "done",
    ].join("\n");
    const r = await this.sh(script, [], 8 * 1024 * 1024);
    if (r.exitCode !== 0) throw new Error(`listing processes in the node failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
    return parseProcessListing(r.stdout);
  }

  async kernelOomKills(): Promise<KernelOomKill[] | null> {
    // The node lacks CAP_SYSLOG: the kernel log is only readable from the host.
    return null;
  }
}

/** Parses the output of NodeExecView's process listing script (exported for tests). */
export function parseProcessListing(text: string): NodeProcess[] {
  let self = -1;
  const all: NodeProcess[] = [];
  let cur: NodeProcess | null = null;
  for (const line of text.split("\n")) {
    const sp = line.indexOf(" ");
    const tag = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? "" : line.slice(sp + 1);
    if (tag === "@self") self = Number(rest);
    else if (tag === "@proc") all.push((cur = { pid: Number(rest), hostPid: null, cmdline: "", status: {}, ns: {} }));
    else if (!cur) continue;
    else if (tag === "@cmd") cur.cmdline = rest.trimEnd();
    else if (tag === "@ns") {
      const [kind, link] = [rest.slice(0, rest.indexOf(" ")), rest.slice(rest.indexOf(" ") + 1)];
      if (link) cur.ns[kind as NamespaceKind] = link;
    } else if (tag === "@st") Object.assign(cur.status, parseStatus(rest));
  }
  // Drop the listing shell, its children, and its ancestors up to the node's init
  // (labs-run and its setsid shell carry the script in their command lines).
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const drop = new Set<number>();
  for (let p = byPid.get(self); p && p.pid > 1; p = byPid.get(Number(p.status.PPid))) drop.add(p.pid);
  return all.filter((p) => !drop.has(p.pid) && !drop.has(Number(p.status.PPid)));
}

/** Options of {@link openHostView}. */
export interface OpenHostViewOptions {
  /** Never read from the host even if possible (tests of the fallback). */
  forceNodeExec?: boolean;
}

/**
 * The best view of a sandbox's node: {@link LocalHostView} when the provider
 * names the node's engine, this process runs on that engine's host and can
 * see the node (its init pid in our /proc, in the container's cgroup, the
 * cgroup directories present), otherwise {@link NodeExecView}. `reason` says
 * why the local view was not used.
 */
export async function openHostView(
  provider: SandboxProvider,
  sandboxId: string,
  options: OpenHostViewOptions = {},
): Promise<{ view: HostView; reason?: string }> {
  const fallback = (reason: string) => ({ view: new NodeExecView(provider, sandboxId), reason });
  if (options.forceNodeExec) return fallback("the host view was turned off");
  const sb = await provider.get(sandboxId);
  const node = sb?.nodes[0];
  if (!sb || !node) return fallback(`sandbox ${sandboxId} not found`);
  if (!provider.nodeEngine) return fallback(`provider ${sb.provider} has no host view`);
  // With several hosts, the sandbox's own host decides (and answers the inspect below).
  const engine = provider.nodeEngine(sb);
  if (!engine.local) return fallback(`Docker is remote (${engine.endpoint})`);
  try {
    const { pid, imageId } = await engine.inspectNode(node.containerId);
    if (!pid) return fallback("the node container is not running");
    const [cg, statusText] = await Promise.all([readCapped(`/proc/${pid}/cgroup`, 64 * 1024), readCapped(`/proc/${pid}/status`, 64 * 1024)]);
    if (cg === null || statusText === null) return fallback(`pid ${pid} is not visible in this process's /proc`);
    const paths = parseProcCgroup(cg);
    const version: CgroupVersion = await fs.access("/sys/fs/cgroup/cgroup.controllers").then(
      () => 2,
      () => 1,
    );
    const roots = new Map<string, string>();
    for (const [ctrl, p] of paths) {
      if (p.includes(node.containerId)) roots.set(ctrl, nodeCgroupRoot(p, node.containerId));
    }
    const needed = version === 2 ? [""] : ["memory", "pids", "cpu"];
    for (const c of needed) {
      const root = roots.get(c);
      const dir = `/sys/fs/cgroup${version === 1 ? `/${c}` : ""}${root ?? ""}`;
      if (root === undefined || !(await fs.stat(dir).then((s) => s.isDirectory(), () => false))) {
        return fallback(`the node's ${c || "v2"} cgroup is not visible at ${dir}`);
      }
    }
    // The node's pid namespace level: its init is pid 1 at the last NSpid position.
    const nsLevel = (parseStatus(statusText).NSpid ?? "").split(/\s+/).length - 1;
    if (nsLevel < 1) return fallback("the node does not run in its own pid namespace");
    // Namespace and root-filesystem reads need ptrace-level access to the
    // node's processes (root with CAP_SYS_PTRACE, e.g. the app in a container
    // without it): find out now rather than fail every such check later.
    const traceable = await fs.readlink(`/proc/${pid}/ns/pid`).then(
      () => true,
      () => false,
    );
    if (!traceable) return fallback(`cannot inspect the node's processes through /proc/${pid} (needs root with CAP_SYS_PTRACE)`);
    return { view: new LocalHostView(pid, roots, version, nsLevel, { engine, id: imageId }) };
  } catch (err) {
    return fallback(`host view unavailable: ${(err as Error).message}`);
  }
}
