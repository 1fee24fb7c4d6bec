import { canWatchSession } from "../auth/access";
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { SessionUser } from "../auth/principal";

/**
 * The session with its lab and learner, for reading its grades or grading it
 * over the API; NOT_FOUND unless the caller may watch it (its learner, an
 * admin, or the instructor of a live cohort with this learner and this lab:
 * canWatchSession, the rule every read of a session follows).
 */
export async function loadGradableSession(prisma: PrismaClient, user: Pick<SessionUser, "id" | "role">, sessionId: string) {
  const row = await prisma.labSession.findUnique({
    where: { id: sessionId },
    include: { lab: { select: { id: true, slug: true, title: true, archivedAt: true } }, user: { select: { id: true, name: true, email: true } } },
  });
  // One answer for "missing" and "not yours", so ids cannot be probed.
  if (!row || !(await canWatchSession(prisma, user, row))) throw new DomainError("NOT_FOUND", "That lab session does not exist, or it is not yours to see.");
  return row;
}

export type GradableSession = Awaited<ReturnType<typeof loadGradableSession>>;
