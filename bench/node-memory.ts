/** A node container's memory usage, read from the host's cgroup view. */
import { existsSync, readFileSync } from "node:fs";
import type Docker from "dockerode";
import { nodeCgroupRoot, parseProcCgroup } from "../server/checks/host-view";

/**
 * Memory usage of a node container (v1 or v2), or null where its cgroup
 * files cannot be read. The node's cgroup is found from its init process,
 * wherever it lives (under Docker's parent, or under our fence).
 */
export async function nodeMemoryBytes(docker: Docker, containerId: string): Promise<number | null> {
  const pid = (await docker.getContainer(containerId).inspect()).State?.Pid;
  if (!pid || !existsSync(`/proc/${pid}/cgroup`)) return null;
  const paths = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, "utf8"));
  const v1 = paths.get("memory");
  const v2 = paths.get("");
  const candidates = [
    ...(v1 ? [`/sys/fs/cgroup/memory${nodeCgroupRoot(v1, containerId)}/memory.usage_in_bytes`] : []),
    ...(v2 ? [`/sys/fs/cgroup${nodeCgroupRoot(v2, containerId)}/memory.current`] : []),
  ];
  const f = candidates.find((p) => existsSync(p));
  return f ? Number(readFileSync(f, "utf8")) : null;
}

/**
 * Anonymous (rss) and page-cache bytes of a node from its memory.stat (v1
 * total_rss/total_cache, v2 anon/file), or null. Page cache is reclaimable:
 * it counts against the node's limit but goes first under pressure.
 */
export async function nodeMemoryStat(docker: Docker, containerId: string): Promise<{ rss: number; cache: number } | null> {
  const pid = (await docker.getContainer(containerId).inspect()).State?.Pid;
  if (!pid || !existsSync(`/proc/${pid}/cgroup`)) return null;
  const paths = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, "utf8"));
  const v1 = paths.get("memory");
  const v2 = paths.get("");
  const file = v1 ? `/sys/fs/cgroup/memory${nodeCgroupRoot(v1, containerId)}/memory.stat` : v2 ? `/sys/fs/cgroup${nodeCgroupRoot(v2, containerId)}/memory.stat` : null;
  if (!file || !existsSync(file)) return null;
  const stat = Object.fromEntries(
    readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(" "))
      .map(([k, v]) => [k, Number(v)]),
  );
  return v1 ? { rss: stat.total_rss ?? 0, cache: stat.total_cache ?? 0 } : { rss: stat.anon ?? 0, cache: stat.file ?? 0 };
}

export const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** The machine's load averages, printed beside every figure. */
export function loadavg(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}
