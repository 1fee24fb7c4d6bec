/**
 * Reads a file of a node as the node itself would resolve its path, from the
 * Docker host, without ever leaving the node's root.
 *
 * Why: the host view reads node files through /proc/<node-init>/root/<path>.
 * The kernel resolves a symlink met on that walk against *our* root, so a
 * learner's `ln -s /etc /root/probe` (or a link to another node's
 * /proc/<pid>/root) made checks read host files. Here every component is
 * looked up by us, relative to the directory we already hold open, with no
 * symlink followed by the kernel:
 *
 * - each component is opened with O_PATH | O_NOFOLLOW through
 *   /proc/self/fd/<dir>/<name>: the lookup starts at the directory we hold
 *   (openat(dirfd, name) in effect; Node has no openat), so swapping a
 *   directory for a link after we passed it changes nothing;
 * - a symlink's target is read as text and resolved by us: absolute targets
 *   restart at the node's root, `..` never climbs above it, at most 40 links;
 * - only a regular file is read, and it is reopened through its O_PATH
 *   descriptor, so no device or FIFO is ever opened by the host.
 *
 * We chose this over a small openat2(RESOLVE_IN_ROOT) helper binary: it needs
 * nothing compiled or installed, works on kernels before 5.6, and the same
 * semantics are unit-tested on an ordinary directory.
 */
import { createHash } from "node:crypto";
import { constants as fsc, createReadStream, promises as fs } from "node:fs";

/** Linux's O_PATH (not in Node's fs.constants): a descriptor that names a file without opening it. */
const O_PATH = 0o10000000;
/** As Linux's MAXSYMLINKS. */
export const MAX_LINK_HOPS = 40;
const MAX_COMPONENTS = 1024;

/** Why a path did not resolve (the caller treats all as "missing"). */
export class InRootError extends Error {
  constructor(
    readonly reason: "missing" | "loop" | "not-regular" | "too-long",
    message: string,
  ) {
    super(message);
  }
}

type Handle = fs.FileHandle;

const selfFd = (h: Handle, name?: string) => `/proc/self/fd/${h.fd}${name === undefined ? "" : `/${name}`}`;

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ESRCH" || code === "EACCES" || code === "ENAMETOOLONG" || code === "ELOOP" || code === "EINVAL";
}

/**
 * Kernel pseudo-filesystems (statfs f_type). Their files are "regular" but
 * answer as whoever reads them: read by the host's root they would show the
 * host (/proc/kmsg drains the host's kernel log, /proc/kallsyms its real
 * addresses). A node file the server reads is never one of them.
 */
const PSEUDO_FS = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x64626720, // debugfs
  0x73636673, // securityfs
  0x74726163, // tracefs
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0xcafe4a11, // bpf
  0x1cd1, // devpts
  0x62656570, // configfs
  0x6165676c, // pstore
  0xde5e81e4, // efivarfs
]);

/**
 * Resolves `path` inside `root` (a host path to the node's root directory,
 * e.g. /proc/<pid>/root) to an O_PATH handle of the final file, following
 * symlinks in-root. The caller closes it. Throws InRootError.
 */
async function resolve(root: string, path: string): Promise<Handle> {
  if (path.length > 4096) throw new InRootError("too-long", "path too long");
  let rootHandle: Handle;
  try {
    rootHandle = await fs.open(root, O_PATH | fsc.O_DIRECTORY);
  } catch (err) {
    if (isMissing(err)) throw new InRootError("missing", `root ${root} is gone`);
    throw err;
  }
  // The directories we stand in, root first: `..` pops, never past the root.
  const stack: Handle[] = [rootHandle];
  const closeAll = async (keep?: Handle) => {
    await Promise.all(stack.filter((h) => h !== keep).map((h) => h.close().catch(() => {})));
  };
  let pending = path.split("/").filter(Boolean);
  let hops = 0;
  let steps = 0;
  try {
    while (pending.length) {
      if (++steps > MAX_COMPONENTS) throw new InRootError("too-long", "too many path components");
      const name = pending.shift()!;
      if (name === ".") continue;
      if (name === "..") {
        if (stack.length > 1) await stack.pop()!.close();
        continue;
      }
      const dir = stack.at(-1)!;
      let h: Handle;
      try {
        h = await fs.open(selfFd(dir, name), O_PATH | fsc.O_NOFOLLOW);
      } catch (err) {
        if (isMissing(err)) throw new InRootError("missing", `${name} does not exist`);
        throw err;
      }
      const st = await h.stat().catch(async (err: unknown) => {
        await h.close();
        throw err;
      });
      if (st.isSymbolicLink()) {
        await h.close();
        if (++hops > MAX_LINK_HOPS) throw new InRootError("loop", "too many levels of symbolic links");
        let target: string;
        try {
          target = await fs.readlink(selfFd(dir, name));
        } catch (err) {
          // Swapped for something else between open and readlink: look again.
          if ((err as { code?: string }).code === "EINVAL") {
            pending.unshift(name);
            continue;
          }
          if (isMissing(err)) throw new InRootError("missing", `${name} vanished`);
          throw err;
        }
        if (target.startsWith("/")) {
          // Absolute: from the node's root, not ours.
          while (stack.length > 1) await stack.pop()!.close();
        }
        pending = [...target.split("/").filter(Boolean), ...pending];
        continue;
      }
      if (pending.length === 0) {
        stack.push(h);
        await closeAll(h);
        return h;
      }
      if (!st.isDirectory()) {
        await h.close();
        throw new InRootError("missing", `${name} is not a directory`);
      }
      stack.push(h);
    }
    // The path named a directory (or the root itself).
    const last = stack.at(-1)!;
    await closeAll(last);
    return last;
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * The node's file at `path`, read up to `maxBytes`, or null when it does not
 * resolve inside the root or is not a regular file.
 */
export async function readInRoot(root: string, path: string, maxBytes: number): Promise<string | null> {
  const h = await resolveOrNull(root, path);
  if (!h) return null;
  try {
    if (!(await h.stat()).isFile()) return null;
    if (PSEUDO_FS.has(Number((await fs.statfs(selfFd(h))).type))) return null;
    // Reopen the very inode we resolved, for reading: /proc/self/fd/<n> is
    // a magic link to it (followed by design, no path lookup happens).
    const rh = await fs.open(selfFd(h), fsc.O_RDONLY | fsc.O_NONBLOCK).catch((err: unknown) => {
      if (isMissing(err)) return null;
      throw err;
    });
    if (!rh) return null;
    try {
      return await readCappedFrom(rh, maxBytes);
    } finally {
      await rh.close();
    }
  } finally {
    await h.close();
  }
}

/** sha256 (hex) of the regular file `path` names inside `root` (in-root, pseudo-files refused), or null. */
export async function digestInRoot(root: string, path: string): Promise<string | null> {
  const h = await resolveOrNull(root, path);
  if (!h) return null;
  try {
    if (!(await h.stat()).isFile()) return null;
    if (PSEUDO_FS.has(Number((await fs.statfs(selfFd(h))).type))) return null;
    return await sha256Of(selfFd(h));
  } finally {
    await h.close();
  }
}

/** sha256 (hex) of a file's content, streamed. */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** {@link resolve}, with every "does not resolve" as null. */
async function resolveOrNull(root: string, path: string): Promise<Handle | null> {
  try {
    return await resolve(root, path);
  } catch (err) {
    if (err instanceof InRootError) return null;
    throw err;
  }
}

/** Reads an open file up to `maxBytes`, as UTF-8. */
export async function readCappedFrom(fh: Handle, maxBytes: number): Promise<string> {
  const buf = Buffer.alloc(Math.min(maxBytes, 64 * 1024));
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < maxBytes) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, maxBytes - total), null);
    if (bytesRead === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
    total += bytesRead;
  }
  return Buffer.concat(chunks).toString("utf8");
}
