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
import { promises as fs } from "node:fs";
import type { SandboxProvider } from "../sandbox/provider";
import type { CgroupVersion } from "./cgroup";
import type { HostView } from "./host-view-types";
import { LocalHostView, readCapped } from "./local-host-view";
import { NodeExecView } from "./node-exec-view";
import { nodeCgroupRoot, parseProcCgroup, parseStatus } from "./proc-parsers";

// Importers take the views and their parsers from here, whichever file holds them.
export { DEFAULT_MAX_FILE_BYTES, type CgroupController, type HostView, type KernelOomKill, type NodeProcess } from "./host-view-types";
export { LocalHostView } from "./local-host-view";
export { NodeExecView, parseProcessListing } from "./node-exec-view";
export { nodeCgroupRoot, parseOomKillRecord, parseProcCgroup, parseStatus } from "./proc-parsers";

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
export async function openHostView(provider: SandboxProvider, sandboxId: string, options: OpenHostViewOptions = {}): Promise<{ view: HostView; reason?: string }> {
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
      if (
        root === undefined ||
        !(await fs.stat(dir).then(
          (s) => s.isDirectory(),
          () => false,
        ))
      ) {
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
