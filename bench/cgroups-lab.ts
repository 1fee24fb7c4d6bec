/** The lab the grading benchmarks drive, and the one-line commands that complete three of its tasks. */
export const CGROUPS_LAB = "cgroups-and-oom";

/** Commands completing limit-memory, read-the-limit and cap-processes (in `needs` order), for the node's cgroup version. */
export function cgroupsLabCommands(cgroupVersion: number | null): { task: string; line: string }[] {
  const v2 = cgroupVersion === 2;
  const memory = v2 ? "/sys/fs/cgroup/k8s.io/capped/memory.max" : "/sys/fs/cgroup/memory/k8s.io/capped/memory.limit_in_bytes";
  const pids = v2 ? "/sys/fs/cgroup/k8s.io/capped/pids.max" : "/sys/fs/cgroup/pids/k8s.io/capped/pids.max";
  return [
    { task: "limit-memory", line: "ctr -n k8s.io run -d --memory-limit 67108864 localhost/labs/shell:1 capped sleep 3600" },
    { task: "read-the-limit", line: `cat ${memory} > /root/capped-limit` },
    { task: "cap-processes", line: `echo 20 > ${pids}` },
  ];
}
