/**
 * The fallback view: a node's state read with commands inside it, for when the
 * server cannot read it from the Docker host (see host-view.ts).
 */
import type { SandboxProvider } from "../sandbox/provider";
import type { CgroupVersion } from "./cgroup";
import { DEFAULT_MAX_FILE_BYTES, type CgroupController, type HostView, type KernelOomKill, type NodeProcess } from "./host-view-types";
import type { NamespaceKind } from "./namespace-kinds";
import { parseStatus } from "./proc-parsers";

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
    const sub = rel
      .split("/")
      .filter((p) => p && p !== "..")
      .join("/");
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
