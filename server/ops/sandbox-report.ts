/**
 * `labs sandbox ls` joins two records of the same sandboxes: the engine's
 * labels (what exists, and what it was made for) and the database (which
 * session holds it now). Neither alone is enough: a warm node keeps its
 * "pool" label after a learner claims it (Docker labels cannot change), and
 * the database does not know what the engine holds. The rules here are the
 * reconciler's (server/sessions/service.ts `reconcile`), so what this calls
 * an orphan is what the server removes once it is past the grace period.
 */
import type { Sandbox } from "../sandbox/provider";
import { LIVE_STATES, type SessionState } from "../sessions/lifecycle";
import type { SessionRecord } from "./session-records";

/**
 * Where labels and database disagree. "orphan": a sandbox no live session
 * holds that is not a warm-pool node (the reconciler removes it after its
 * grace period). "missing": a live session whose sandbox the engine does
 * not have.
 */
export type SandboxFlag = "orphan" | "missing";

/** One line of `labs sandbox ls`. */
export interface SandboxReportRow {
  id: string;
  /** The engine's state; "missing" for a live session's sandbox it does not have. */
  state: Sandbox["state"] | "missing";
  host: string | null;
  /** Short id of the (first) container; null when missing. */
  container: string | null;
  createdAt: string | null;
  /** A warm-pool node: made for the pool and never given to a session. */
  pool: boolean;
  /** The sandbox's own labels; null when missing. */
  labels: { session: string | null; lab: string | null; pool: boolean } | null;
  /** The session holding it (or being given it, or that last held it, for an orphan), from the database. */
  session: { id: string; state: SessionState; lab: string; learner: { email: string; name: string } } | null;
  flag: SandboxFlag | null;
}

const isLive = (state: SessionState) => LIVE_STATES.includes(state);

/**
 * Joins sandboxes with session records. `records` null: the database could
 * not be read, so nothing is flagged and the pool column is the label's.
 * Sessions on `unansweredHosts` are never called missing: nothing is known
 * about those hosts' sandboxes.
 */
export function sandboxReport(sandboxes: Sandbox[], records: SessionRecord[] | null, unansweredHosts: string[] = []): SandboxReportRow[] {
  const rows = sandboxes.map((sb) => sandboxRow(sb, records));
  if (!records) return rows;
  const exists = new Set(sandboxes.map((s) => s.id));
  for (const r of records) {
    if (r.environment !== "node" || !isLive(r.state) || !r.sandboxId || exists.has(r.sandboxId)) continue;
    if (r.host && unansweredHosts.includes(r.host)) continue;
    rows.push({
      id: r.sandboxId,
      state: "missing",
      host: r.host,
      container: null,
      createdAt: null,
      pool: false,
      labels: null,
      session: sessionOf(r),
      flag: "missing",
    });
  }
  return rows;
}

function sandboxRow(sb: Sandbox, records: SessionRecord[] | null): SandboxReportRow {
  const base = {
    id: sb.id,
    state: sb.state,
    host: sb.host ?? null,
    container: sb.nodes[0]?.containerId.slice(0, 12) ?? null,
    createdAt: sb.createdAt.toISOString(),
    labels: { session: sb.sessionId ?? null, lab: sb.labSlug ?? null, pool: sb.pool },
  };
  if (!records) return { ...base, pool: sb.pool, session: null, flag: null };
  const holder = records.find((r) => r.sandboxId === sb.id && isLive(r.state));
  // Being provisioned: the labels name the session, which gets the id once ready.
  const named = records.find((r) => r.id === sb.sessionId);
  const making = named && isLive(named.state) && named.sandboxId === null ? named : undefined;
  const current = holder ?? making;
  if (current) return { ...base, pool: false, session: sessionOf(current), flag: null };
  const everHeld = records.filter((r) => r.sandboxId === sb.id);
  if (sb.pool && !everHeld.length) return { ...base, pool: true, session: null, flag: null };
  // An orphan: show the session it last belonged to, whose state says why.
  const last = everHeld.at(-1) ?? named;
  return { ...base, pool: false, session: last ? sessionOf(last) : null, flag: "orphan" };
}

function sessionOf(r: SessionRecord): NonNullable<SandboxReportRow["session"]> {
  return { id: r.id, state: r.state, lab: r.labSlug, learner: r.learner };
}
