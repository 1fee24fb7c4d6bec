/**
 * The end of a run, in order: learners settle on working nodes; sessions,
 * shells and tasks are checked while they are there; every lab is ended as
 * learners end them; what the running server left is checked; the server is
 * stopped and one reconcile runs; then nothing of the instance may remain.
 */
import type { SoakDatabase } from "./database";
import type { HostState } from "./host-state";
import type { Learner } from "./learner";
import { reconcileOnce, type ReconcileTarget } from "./reconcile";
import type { ServerProcess } from "./server";
import { checkAfterEnd, checkNodes, checkNothingLeft, checkSessions, checkTasks, type Check } from "./verify";

const SETTLE_MS = 90_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `check` until it passes or `timeoutMs` is over (shells take a moment to die, nodes to be removed). */
async function eventually<T extends Check | Check[]>(timeoutMs: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    const failing = (Array.isArray(result) ? result : [result]).some((c) => c.problems.length > 0);
    if (!failing || Date.now() > deadline) return result;
    await sleep(2_000);
  }
}

export async function closeRun(learners: Learner[], db: SoakDatabase, host: HostState, server: ServerProcess, target: ReconcileTarget): Promise<Check[]> {
  const checks: Check[] = [];
  const settled = await Promise.all(learners.map((l) => l.settle(SETTLE_MS)));
  checks.push({
    name: "every learner ends on a working node (terminal answering)",
    problems: learners
      .filter((_, i) => !settled[i])
      .map((l) => `learner ${l.index}: no working terminal within ${SETTLE_MS / 1000} s; session ${l.session?.id} is ${l.session?.state} (${l.session?.reason ?? "no reason"})`),
  });

  const nodeStates = new Map((await host.leftovers()).containers.map((c) => [c.sandboxId, c.state]));
  checks.push(...checkSessions(await db.sessions(), nodeStates));
  checks.push(...(await eventually(15_000, () => checkNodes(learners, host))));
  checks.push(await checkTasks(learners));

  const ended = await Promise.allSettled(learners.map((l) => l.endLab()));
  checks.push({
    name: "every learner could end their lab",
    problems: ended.flatMap((r, i) => (r.status === "rejected" ? [`learner ${i}: ${(r.reason as Error).message}`] : [])),
  });
  // A session ended while its node is being made stays "ending" until the node exists.
  checks.push(
    await eventually(60_000, async () => {
      const rows = await db.sessions();
      return {
        name: "after ending, no session is live and every one says why it ended",
        problems: rows.filter((s) => !(s.state === "ended" || s.state === "failed") || !s.stateReason).map((s) => `session ${s.id}: ${s.state}, reason ${JSON.stringify(s.stateReason)}`),
      };
    }),
  );
  let awaitingReaper = 0;
  checks.push(
    await eventually(30_000, async () => {
      const r = checkAfterEnd(await host.leftovers(), await db.sessions());
      awaitingReaper = r.awaitingReaper;
      return r.check;
    }),
  );
  if (awaitingReaper) console.log(`[soak] ${awaitingReaper} node(s) of starts that failed mid-provisioning await the reaper`);

  const code = await server.stop();
  checks.push({ name: "the server stops on SIGTERM and exits 0", problems: code === 0 ? [] : [`it ${code === null ? "had to be killed" : `exited ${code}`}`] });

  // What the server asked of the engine before it stopped (a warm node being
  // created, a removal) goes on without it: let that finish first.
  await quiesce(host);
  const reconciled = await reconcileOnce(target);
  console.log(`[soak] reconcile after the server stopped: removed ${reconciled.removed.length} warm or orphan node(s), ended ${reconciled.ended.length} session(s)`);
  checks.push(...(await eventually(30_000, async () => checkNothingLeft(await host.leftovers(), host.cgroupLeftovers()))));
  return checks;
}

/** Waits until no container of the instance is being removed and the set has not changed for 10 s (at most 60 s). */
async function quiesce(host: HostState): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = "";
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const { containers } = await host.leftovers();
    const now = containers
      .map((c) => `${c.name}:${c.state}`)
      .sort()
      .join(",");
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
    const busy = containers.some((c) => c.state === "removing" || c.state === "restarting");
    if (!busy && Date.now() - stableSince >= 10_000) return;
    await sleep(1_000);
  }
}
