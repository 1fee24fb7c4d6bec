/**
 * The soak's invariants, each a named check with the evidence when it fails.
 * Called in the order of the end of a run: with learners still on their
 * nodes (sessions, shells, tasks), after every lab was ended (what the
 * running server left), and after the server stopped and a reconcile ran
 * (containers, volumes, cgroups).
 */
import type { SessionRow } from "./database";
import type { HostState, Leftover } from "./host-state";
import type { Learner } from "./learner";

export interface Check {
  name: string;
  problems: string[];
}

const LIVE_STATES = new Set(["requested", "provisioning", "ready", "ending"]);
const PROMISES_SUCCESSOR = /A fresh node replaced it/;

/** Every session is ready (live, or the replacement that recovered it) or ended with a sentence saying why; a promised successor is named. */
export function checkSessions(rows: SessionRow[], nodeStates: Map<string, string>): Check[] {
  const reasons: string[] = [];
  const successors: string[] = [];
  const nodes: string[] = [];
  for (const s of rows) {
    if (LIVE_STATES.has(s.state) && s.state !== "ready") reasons.push(`session ${s.id} is still ${s.state} at the end`);
    if ((s.state === "ended" || s.state === "failed") && !s.stateReason?.trim()) reasons.push(`session ${s.id} is ${s.state} with no reason`);
    if (PROMISES_SUCCESSOR.test(s.stateReason ?? "") && !s.replacedById) successors.push(`session ${s.id} says "${s.stateReason}" but has no replacedBy`);
    if (s.state === "ready") {
      const node = s.sandboxId ? nodeStates.get(s.sandboxId) : undefined;
      if (node !== "running") nodes.push(`session ${s.id} is ready but its node ${s.sandboxId ?? "(none)"} is ${node ?? "gone"}`);
    }
  }
  return [
    { name: `every session is ready or ended/failed with a reason (${rows.length} sessions)`, problems: reasons },
    { name: "every session that says a fresh node replaced it names that session (replacedBy)", problems: successors },
    { name: "every ready session's node is running", problems: nodes },
  ];
}

/** No labs-shell in a node beyond the terminals its learner holds open, and no disk-fault files left. */
export async function checkNodes(learners: Learner[], host: HostState): Promise<Check[]> {
  const shells: string[] = [];
  const fills: string[] = [];
  for (const l of learners) {
    const s = l.session;
    if (s?.state !== "ready" || !s.sandboxId) continue;
    const inside = await host.insideNode(s.sandboxId).catch((err: unknown) => ({ error: (err as Error).message }));
    if ("error" in inside) {
      shells.push(`learner ${l.index}: the node of session ${s.id} could not be looked into: ${inside.error}`);
      continue;
    }
    if (inside.shells !== l.openTerminals) shells.push(`learner ${l.index}: ${inside.shells} labs-shell process(es) in node ${s.sandboxId}, ${l.openTerminals} terminal(s) open`);
    if (inside.fillFiles) fills.push(`learner ${l.index}: ${inside.fillFiles} file(s) of the disk fault left in node ${s.sandboxId}`);
  }
  return [
    { name: "no labs-shell in any node beyond its open terminals", problems: shells },
    { name: "no node is left with its disk filled", problems: fills },
  ];
}

/** A task once seen passed is passed in the learner's current session (carried across replacements). */
export async function checkTasks(learners: Learner[]): Promise<Check> {
  const problems: string[] = [];
  for (const l of learners) {
    const current = l.session;
    if (!current) continue;
    const seen = new Set(l.chains.flatMap((c) => [...c.passed]));
    if (seen.size === 0) continue;
    const tasks = await l.tasksOf(current.id);
    const passedNow = new Set(tasks.filter((t) => t.status === "passed").map((t) => t.taskId));
    const lost = [...seen].filter((t) => !passedNow.has(t));
    if (lost.length) {
      const path = l.chains.map((c) => c.sessions.join(" -> ")).join(" | started again: ");
      problems.push(`learner ${l.index}: ${lost.join(", ")} passed before, not in current session ${current.id} (${current.state}); sessions: ${path}`);
    }
  }
  return { name: "no passed task was lost", problems };
}

/**
 * With every lab ended and the server still running, only warm nodes may
 * remain, and nodes of sessions that failed while their node was being made
 * (a server killed mid-provisioning could not undo it): those are orphans the
 * reconciler removes after its grace period, and the final reconcile must.
 * A node of a session that *ended* was removed by the platform before it
 * said so, and must be gone.
 */
export function checkAfterEnd(left: Leftover, rows: SessionRow[]): { check: Check; awaitingReaper: number } {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const bySandbox = new Map(rows.flatMap((r) => (r.sandboxId ? [[r.sandboxId, r] as const] : [])));
  const problems: string[] = [];
  let awaitingReaper = 0;
  for (const c of left.containers) {
    const session = c.sessionId ? byId.get(c.sessionId) : bySandbox.get(c.sandboxId);
    if (!session) {
      if (!c.pool) problems.push(`${c.name} (${c.state}) belongs to no session and is not a warm node`);
    } else if (session.state === "failed") {
      awaitingReaper++;
    } else if (c.state !== "removing") {
      // "removing": the engine is on it (its btrfs can take a while); the last check sees it gone.
      problems.push(`${c.name} (${c.state}) of session ${session.id} is still there after the session ${session.state === "ended" ? "ended" : `became ${session.state}`}`);
    }
  }
  const nodes = new Set(left.containers.map((c) => c.sandboxId));
  for (const v of left.volumes) if (![...nodes].some((id) => v.includes(id))) problems.push(`volume ${v} has no node`);
  return { check: { name: "after every lab was ended, only warm nodes (and nodes of failed starts, for the reaper) remain", problems }, awaitingReaper };
}

/** After the server stopped and a reconcile ran: nothing of the instance in Docker or the cgroup tree. */
export function checkNothingLeft(left: Leftover, cgroups: string[]): Check[] {
  return [
    {
      name: "no container or volume of the instance after a reconcile",
      problems: [...left.containers.map((c) => `container ${c.name} (${c.state}, ${c.pool ? "warm" : `session ${c.sessionId ?? "-"}`})`), ...left.volumes.map((v) => `volume ${v}`)],
    },
    { name: "no cgroup directory of the instance's sandboxes", problems: cgroups },
  ];
}
