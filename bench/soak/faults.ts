/**
 * Faults on a schedule: every `everyMs` the next enabled kind, in turn, so
 * each kind comes round equally often. One fault at a time; each is recorded
 * with what it hit and what happened.
 */
import type Docker from "dockerode";
import type { SoakDatabase } from "./database";
import { fillDisk } from "./fill-disk";
import type { Learner } from "./learner";
import type { FaultKind } from "./options";
import type { SoakRecord } from "./record";
import type { ServerProcess } from "./server";

export interface FaultContext {
  server: ServerProcess;
  db: SoakDatabase;
  docker: Docker;
  learners: Learner[];
  record: SoakRecord;
  /** True once the run is being interrupted (Ctrl-C). */
  stopped(): boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

/** Learners whose node is up, as far as they last saw. */
const working = (ctx: FaultContext) => ctx.learners.filter((l) => l.session?.state === "ready" && l.session.sandboxId);

/** A kind that found no target (no ready node yet) is tried again this much later, before the next kind. */
const RETRY_MISSED_MS = 3_000;

export interface FaultSchedule {
  kinds: FaultKind[];
  /** Between two faults; null: `rounds` rounds of every kind spread over the window. */
  everyMs: number | null;
  rounds: number;
  /** Not before (the warm-up), and not after (the quiet end), epoch ms. */
  startAt: number;
  stopAt: number;
  /** The run's start, for the times printed. */
  t0: number;
}

/**
 * Injects faults between `startAt` and `stopAt`, starting once a learner is
 * working on a ready node (or halfway through the window): faults on a
 * platform that has not given anyone a node yet would test nothing. A fault
 * that cannot be injected is recorded as missed and tried again.
 */
export async function runFaults(ctx: FaultContext, plan: FaultSchedule): Promise<void> {
  const { kinds, stopAt, t0 } = plan;
  if (kinds.length === 0) return;
  await sleep(Math.max(0, plan.startAt - Date.now()));
  const latestStart = plan.startAt + (stopAt - plan.startAt) / 2;
  while (working(ctx).length === 0 && Date.now() < latestStart) await sleep(1_000);
  const everyMs = plan.everyMs ?? Math.max(5_000, (stopAt - Date.now()) / (kinds.length * plan.rounds));
  let next = Date.now();
  for (let i = 0; ;) {
    await sleep(Math.max(0, next - Date.now()));
    if (Date.now() >= stopAt || ctx.stopped()) return;
    const kind = kinds[i % kinds.length]!;
    const at = Date.now();
    try {
      ctx.record.fault({ kind, at, ...(await inject(ctx, kind)) });
    } catch (err) {
      if (kind === "restart-server") throw err; // without a server there is nothing left to soak
      // Injected, and the platform failed it (a cap that did not hold, a disk that stayed full); otherwise it could not be injected.
      const failedIt = /disk cap did not hold|could not be freed/.test((err as Error).message);
      if (failedIt) ctx.record.problems.push((err as Error).message);
      ctx.record.fault({ kind, at, outcome: (err as Error).message, missed: !failedIt });
    }
    const f = ctx.record.faults[ctx.record.faults.length - 1]!;
    const retrying = f.missed && ctx.record.faults[ctx.record.faults.length - 2]?.missed;
    if (!retrying) console.log(`[soak] +${Math.round((at - t0) / 1000)} s fault ${kind}: ${f.outcome}${f.missed ? `; trying again every ${RETRY_MISSED_MS / 1000} s` : ""}`);
    if (f.missed) {
      next = Date.now() + RETRY_MISSED_MS;
    } else {
      i++;
      next += everyMs;
    }
  }
}

async function inject(ctx: FaultContext, kind: FaultKind): Promise<{ sessionId?: string; outcome: string; missed?: boolean }> {
  switch (kind) {
    case "kill-node":
      return killNode(ctx);
    case "restart-server":
      return restartServer(ctx);
    case "drop-db":
      return { outcome: `terminated ${await ctx.db.dropServerConnections()} of the server's connections` };
    case "fill-disk": {
      const learner = pick(working(ctx));
      if (!learner) return { outcome: "no learner had a node", missed: true };
      const sessionId = learner.session!.id;
      return { sessionId, outcome: await fillDisk(learner) };
    }
  }
}

/** `docker kill` of a ready session's node, chosen from the database (the truth, not a learner's last look). */
async function killNode(ctx: FaultContext): Promise<{ sessionId?: string; outcome: string; missed?: boolean }> {
  const ready = (await ctx.db.sessions()).filter((s) => s.state === "ready" && s.sandboxId);
  const target = pick(ready);
  if (!target) return { outcome: "no ready session", missed: true };
  await ctx.docker.getContainer(`labs-${target.sandboxId}`).kill();
  return { sessionId: target.id, outcome: `killed node labs-${target.sandboxId} of session ${target.id}` };
}

/** kill -9 of the server, then a start as a service manager would do. */
async function restartServer(ctx: FaultContext): Promise<{ outcome: string }> {
  const t0 = Date.now();
  await ctx.server.kill9();
  await ctx.server.start();
  const ms = Date.now() - t0;
  ctx.record.restartMs.push(ms);
  return { outcome: `killed with SIGKILL, ready again after ${(ms / 1000).toFixed(1)} s` };
}
