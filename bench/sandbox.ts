/**
 * Sandbox benchmark: cold provision-to-ready time, idle memory per node, and
 * how many nodes fit. Run with `npx tsx bench/sandbox.ts` (needs Docker and
 * `npm run images`). Uses its own platform instance and removes everything.
 *
 * Env: BENCH_PROVISIONS (default 5), BENCH_CONCURRENT (default 10).
 */
import Docker from "dockerode";
import { DockerProvider } from "../server/sandbox/providers/docker/provider";
import { mib, nodeMemoryBytes } from "./node-memory";
import { median } from "./stats";

const N = Number(process.env.BENCH_PROVISIONS ?? 5);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 10);
const SETTLE_MS = 3_000;

async function main(): Promise<void> {
  const provider = new DockerProvider({ instance: `bench-${process.pid}`, maxSandboxes: CONCURRENT + 1 });
  try {
    // 1. cold provision to ready, one at a time
    const times: number[] = [];
    const waitReady: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      let ready = 0;
      const s = await provider.provision({}, (p) => {
        if (p.step === "wait for containerd" && p.status === "done") ready = p.durationMs ?? 0;
      });
      times.push(performance.now() - t0);
      waitReady.push(ready);
      await provider.destroy(s.id);
    }
    console.log(`provision to ready (n=${N}): median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
    console.log(`  of which "wait for containerd": median ${median(waitReady).toFixed(0)} ms`);

    // 2. concurrent idle nodes and their memory
    const t0 = performance.now();
    const sandboxes = await Promise.all(Array.from({ length: CONCURRENT }, () => provider.provision({})));
    console.log(`${CONCURRENT} concurrent provisions: all ready in ${(performance.now() - t0).toFixed(0)} ms`);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const mem = (await Promise.all(sandboxes.map((s) => nodeMemoryBytes(new Docker(), s.nodes[0]!.containerId)))).filter((m): m is number => m !== null);
    const info = await provider.info();
    if (mem.length) {
      const per = median(mem);
      console.log(`idle memory per node (cgroup usage after ${SETTLE_MS} ms settle): median ${mib(per)}, max ${mib(Math.max(...mem))}`);
      const byIdle = Math.floor((info.host.memoryBytes * 0.8) / per);
      console.log(`host: ${mib(info.host.memoryBytes)}, ${info.host.cpus} CPUs`);
      console.log(`fit estimate: ${byIdle} idle nodes in 80% of host memory; ${Math.floor((info.host.memoryBytes * 0.8) / 2 ** 30)} at their full 1 GiB limit`);
    } else {
      console.log("idle memory per node: the nodes' cgroup files are not readable from here (remote DOCKER_HOST, or not root?)");
    }
    const ok = await Promise.all(sandboxes.map((s) => provider.exec(s.id, ["ctr", "version"]).then((r) => r.exitCode === 0)));
    console.log(`${ok.filter(Boolean).length}/${CONCURRENT} nodes answer ctr version while all run`);
  } finally {
    const removed = await provider.destroyAll();
    console.log(`cleaned up ${removed} node(s)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
