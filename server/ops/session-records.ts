/**
 * What the database says about sandboxes, for `labs sandbox ls`: the lab
 * sessions that hold, held or are being given the sandboxes an engine
 * reports, and every live node session (so one whose sandbox is gone shows
 * up). Plain JSON, so the running server can hand it over its control socket.
 */
import type { PrismaClient } from "../generated/prisma/client";
import { LIVE_STATES, type SessionState } from "../sessions/lifecycle";

/** One lab session as `labs sandbox ls` shows it. */
export interface SessionRecord {
  id: string;
  state: SessionState;
  environment: "node" | "cluster";
  /** The sandbox it was given; null while queued or being provisioned. */
  sandboxId: string | null;
  /** Docker host name (several hosts); null on the default host. */
  host: string | null;
  labSlug: string;
  learner: { email: string; name: string };
  createdAt: string;
}

/** Which sandboxes and sessions the engine reported (ids from labels). */
export interface RecordQuery {
  sandboxIds: string[];
  /** Session ids found on sandboxes' labels. */
  sessionIds: string[];
}

/** Sessions bound to, named by, or (live node sessions) expecting a sandbox. */
export async function readSessionRecords(prisma: PrismaClient, query: RecordQuery): Promise<SessionRecord[]> {
  const rows = await prisma.labSession.findMany({
    where: {
      OR: [{ sandboxId: { in: query.sandboxIds } }, { id: { in: query.sessionIds } }, { environment: "node", state: { in: [...LIVE_STATES] } }],
    },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      state: true,
      environment: true,
      sandboxId: true,
      host: true,
      createdAt: true,
      lab: { select: { slug: true } },
      user: { select: { email: true, name: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    state: r.state,
    environment: r.environment,
    sandboxId: r.sandboxId,
    host: r.host,
    labSlug: r.lab.slug,
    learner: { email: r.user.email, name: r.user.name },
    createdAt: r.createdAt.toISOString(),
  }));
}
