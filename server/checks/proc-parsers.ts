/**
 * Parsers of the host's /proc files and kernel log records, pure so they are
 * tested on samples; the views (local-host-view.ts, node-exec-view.ts) and
 * openHostView do the reading.
 */

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
