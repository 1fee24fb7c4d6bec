/**
 * What containment costs: the same cold provisions and idle nodes on the
 * host's ordinary engine (no user namespace, no disk cap: "before") and on
 * the sandbox engine (user namespace, disk cap, cgroup handover: "after"),
 * in one run, with the ratio. Run with `npx tsx bench/isolation.ts` as root,
 * with both engines up and the node image on both (`npm run images` builds it
 * on the ordinary engine and copies it to the sandbox engine).
 *
 * Env: BENCH_PROVISIONS (default 5), BENCH_IDLE (default 4).
 */
import Docker from "dockerode";
import { DockerApi } from "../server/sandbox/providers/common/docker-api";
import { DockerProvider } from "../server/sandbox/providers/docker/provider";
import { sandboxEngineSocket } from "../server/sandbox/providers/docker/sandbox-engine";
import { loadavg, mib, nodeMemoryBytes, nodeMemoryStat } from "./node-memory";
import { median } from "./stats";

const N = Number(process.env.BENCH_PROVISIONS ?? 5);
const IDLE = Number(process.env.BENCH_IDLE ?? 4);
const SETTLE_MS = 3_000;

interface Side {
  label: string;
  socket: string;
  isolation: { required: "userns" | "shared-kernel-root"; diskMb: number };
}

async function measure(side: Side): Promise<{ provisionMs: number; idleBytes: number | null; rssBytes: number | null }> {
  const docker = new Docker({ socketPath: side.socket });
  const provider = new DockerProvider({
    instance: `bench-iso-${process.pid}`,
    api: new DockerApi(docker),
    endpoint: `unix://${side.socket}`,
    isolation: side.isolation,
    maxSandboxes: IDLE + 1,
  });
  try {
    const report = await provider.isolation();
    console.log(`${side.label}: ${report.level}; ${report.message}`);
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const s = await provider.provision({});
      times.push(performance.now() - t0);
      await provider.destroy(s.id);
    }
    const sandboxes = await Promise.all(Array.from({ length: IDLE }, () => provider.provision({})));
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const mem = (await Promise.all(sandboxes.map((s) => nodeMemoryBytes(docker, s.nodes[0]!.containerId)))).filter((m): m is number => m !== null);
    const idleBytes = mem.length ? median(mem) : null;
    const stats = (await Promise.all(sandboxes.map((s) => nodeMemoryStat(docker, s.nodes[0]!.containerId)))).filter((m) => m !== null);
    const rssBytes = stats.length ? median(stats.map((s) => s.rss)) : null;
    const cacheBytes = stats.length ? median(stats.map((s) => s.cache)) : null;
    console.log(
      `  provision to ready (n=${N}): median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); ` +
        `idle memory (n=${mem.length}): median ${idleBytes === null ? "unreadable" : mib(idleBytes)}` +
        (rssBytes !== null && cacheBytes !== null ? ` (rss ${mib(rssBytes)}, page cache ${mib(cacheBytes)})` : "") +
        `; load ${loadavg()}`,
    );
    return { provisionMs: median(times), idleBytes, rssBytes };
  } finally {
    await provider.destroyAll();
  }
}

async function main(): Promise<void> {
  const before = await measure({ label: "before: ordinary engine", socket: "/var/run/docker.sock", isolation: { required: "shared-kernel-root", diskMb: 0 } });
  const after = await measure({ label: "after: sandbox engine", socket: sandboxEngineSocket(), isolation: { required: "userns", diskMb: 4096 } });
  console.log(
    `ratio after/before: provision ${(after.provisionMs / before.provisionMs).toFixed(2)}x` +
      (after.idleBytes && before.idleBytes ? `, idle memory ${(after.idleBytes / before.idleBytes).toFixed(2)}x` : "") +
      (after.rssBytes && before.rssBytes ? `, of it rss ${(after.rssBytes / before.rssBytes).toFixed(2)}x` : ""),
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
