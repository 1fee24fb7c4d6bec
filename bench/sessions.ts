/**
 * Warm claim: how long a learner waits for a node when the pool has one
 * ready (SessionService.start -> state "ready"), against cold provisioning
 * through the same service with an empty pool.
 *
 *   npx tsx bench/sessions.ts [runs=7]
 */
import { startTestPlatformOutsideVitest } from "./platform";
import { median, ms, percentile } from "./stats";
import { DockerProvider } from "../server/sandbox/providers/docker/provider";

async function waitFor(cond: () => boolean, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for the pool");
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function benchSessions(runs = 7) {
  const instance = `bench-sessions-${process.pid}`;
  const platform = await startTestPlatformOutsideVitest(instance, { poolSize: 1, maxSandboxes: 6, maxActivePerUser: 1 });
  const provider = new DockerProvider({ instance });
  try {
    const user = await platform.user("bench@example.com");
    const sessions = platform.services.sessions;
    await sessions.boot();
    const pool = sessions.pools.get("node")!;
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
      await waitFor(() => pool.readyCount >= 1);
      const t = performance.now();
      const s = await sessions.start(user, "meet-your-node");
      warm.push(performance.now() - t);
      if (s.state !== "ready") throw new Error(`expected a warm start, got ${s.state}`);
      await sessions.end(user, s.id);
    }
    await sessions.shutdown({ destroyPool: true });
    console.log(`warm claim (pool -> ready, n=${runs}): p50 ${ms(median(warm))}, p90 ${ms(percentile(warm, 90))}  [target p50 < 300 ms]`);
    return { warmClaimP50: median(warm) };
  } finally {
    for (const s of await provider.list()) await provider.destroy(s.id);
    await platform.close();
  }
}

if (require.main === module) {
  benchSessions(Number(process.argv[2] ?? 7)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
