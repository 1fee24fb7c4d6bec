/**
 * Hands a user-namespaced node its own cgroup, and nothing more.
 *
 * Why: in a user namespace, root in the node is an unprivileged uid on the
 * host, and its cgroup directories belong to host root, so containerd in the
 * node could not create nested containers' cgroups. The cgroup v2 delegation
 * model (and systemd's Delegate=) answers this by giving the delegatee the
 * directory and the few files that create children and move processes;
 * v1 hierarchies follow the same rule. Limit files (memory.*, pids.max,
 * devices.allow, ...) stay owned by host root: the node cannot raise its
 * limits or widen its device list, and the host-side fence above it
 * (cgroup-fence.ts) holds whatever happens below.
 *
 * Runs on the Docker host as root, right after `docker start`; node-init
 * waits until its cgroup root is writable before it uses it.
 */
import fs from "node:fs/promises";
import path from "node:path";

/**
 * Whether a process runs in a user namespace, from its /proc/<pid>/uid_map:
 * the initial namespace maps all 2^32-1 ids onto themselves.
 */
export function inUserNamespace(uidMap: string): boolean {
  const lines = uidMap
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number));
  return !(lines.length === 1 && lines[0]![0] === 0 && lines[0]![1] === 0 && lines[0]![2] === 4294967295);
}

/** Files handed over in a v1 hierarchy besides the directory itself. */
export const V1_DELEGATED_FILES = ["cgroup.procs", "tasks", "cgroup.clone_children"] as const;
/** Files handed over in a v2 (unified) hierarchy, per the kernel's delegation rules. */
export const V2_DELEGATED_FILES = ["cgroup.procs", "cgroup.subtree_control", "cgroup.threads"] as const;

/** One line of /proc/<pid>/cgroup: hierarchy controllers ("" for v2) and path. */
export interface CgroupMembership {
  controllers: string;
  path: string;
}

/** Parses /proc/<pid>/cgroup into one entry per hierarchy ("id:controllers:path" per line; host-view.ts keys the same by single controller). */
export function parseCgroupMemberships(text: string): CgroupMembership[] {
  const out: CgroupMembership[] = [];
  for (const line of text.split("\n")) {
    const m = /^\d+:([^:]*):(\/.*)$/.exec(line.trim());
    if (m) out.push({ controllers: m[1]!, path: m[2]! });
  }
  return out;
}

/**
 * Mount point of each cgroup hierarchy from /proc/self/mountinfo, keyed by
 * its controllers as /proc/<pid>/cgroup names them ("cpu,cpuacct",
 * "name=systemd", "" for cgroup2).
 */
export function cgroupMounts(mountinfo: string): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const line of mountinfo.split("\n")) {
    const [pre, post] = line.split(" - ");
    if (!pre || !post) continue;
    const mountPoint = pre.split(" ")[4];
    const [fstype, , superOpts = ""] = post.split(" ");
    if (!mountPoint) continue;
    if (fstype === "cgroup2") {
      if (!mounts.has("")) mounts.set("", unescapeMount(mountPoint));
    } else if (fstype === "cgroup") {
      const names = superOpts.split(",").filter((o) => !["rw", "ro", "clone_children", "xattr", "noprefix"].includes(o) && !o.startsWith("release_agent="));
      const key = [...names].sort().join(",");
      if (!mounts.has(key)) mounts.set(key, unescapeMount(mountPoint));
    }
  }
  return mounts;
}

function unescapeMount(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * The directories and files to chown for one node's cgroups: only paths that
 * name the node's own container (`containerId` is a segment), below its mount
 * point. A hierarchy runc did not join (e.g. misc, rdma) still shows the
 * parent's host cgroup in /proc/<pid>/cgroup: it is left alone.
 */
export function handoverPlan(memberships: CgroupMembership[], mounts: Map<string, string>, containerId: string): { dir: string; files: string[]; controllers: string }[] {
  const plan: { dir: string; files: string[]; controllers: string }[] = [];
  for (const m of memberships) {
    if (!m.path.split("/").includes(containerId)) continue;
    const mount = mounts.get([...m.controllers.split(",")].sort().join(","));
    if (!mount) continue;
    const dir = path.join(mount, m.path);
    // Never a hierarchy's root or anything outside it ("..", however spelt).
    const rel = path.relative(mount, dir);
    if (!rel || rel.startsWith("..") || path.isAbsolute(rel)) continue;
    const files = m.controllers === "" ? [...V2_DELEGATED_FILES] : [...V1_DELEGATED_FILES];
    plan.push({ dir, files: files.map((f) => path.join(dir, f)), controllers: m.controllers });
  }
  return plan;
}

/**
 * The order to chown a plan in: every delegation file first, then the
 * directories, the one node-init watches last (v1: the memory hierarchy's;
 * v2: the unified one). node-init takes that directory turning writable as
 * "handed over" and at once moves its processes and enables controllers,
 * which needs cgroup.procs and cgroup.subtree_control already its own: with
 * the directory first, it raced the files and nested containers lost the cpu
 * controller (seen on cgroup v2 in the VM tier).
 */
export function handoverOrder(plan: { dir: string; files: string[] }[], watched: string): string[] {
  const last = plan.filter((p) => p.dir === watched);
  const dirs = [...plan.filter((p) => p.dir !== watched), ...last].map((p) => p.dir);
  return [...plan.flatMap((p) => p.files), ...dirs];
}

/** The directory node-init waits for: the memory hierarchy's on v1, the unified one on v2. */
function watchedDir(plan: { dir: string; controllers: string }[]): string | undefined {
  return (plan.find((p) => p.controllers.split(",").includes("memory")) ?? plan.find((p) => p.controllers === ""))?.dir;
}

/**
 * Gives the node whose init process is `pid` its own cgroup directories in
 * every hierarchy (owner: the remapped root). Returns the directories.
 */
export async function handOverNodeCgroups(pid: number, containerId: string, owner: { uid: number; gid: number }, opts: { procRoot?: string } = {}): Promise<string[]> {
  const procRoot = opts.procRoot ?? "/proc";
  const [cgroupText, mountinfo] = await Promise.all([fs.readFile(path.join(procRoot, String(pid), "cgroup"), "utf8"), fs.readFile(path.join(procRoot, "self", "mountinfo"), "utf8")]);
  const plan = handoverPlan(parseCgroupMemberships(cgroupText), cgroupMounts(mountinfo), containerId);
  // Pid reuse, or a node not in its own cgroups: nothing of ours to hand over.
  if (plan.length === 0) throw new Error(`process ${pid} is in no cgroup of container ${containerId.slice(0, 12)}`);
  const dirs = new Set(plan.map((p) => p.dir));
  for (const target of handoverOrder(plan, watchedDir(plan) ?? "")) {
    await fs.chown(target, owner.uid, owner.gid).catch((err: NodeJS.ErrnoException) => {
      // cgroup.threads exists only on newer v2 kernels; a directory must exist.
      if (err.code !== "ENOENT" || dirs.has(target)) throw err;
    });
  }
  return plan.map((p) => p.dir);
}
