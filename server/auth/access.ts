/**
 * The access rules: who may manage a cohort, who may watch a session.
 * Services and the API edges ask here; none decides on its own.
 */
import { DomainError } from "../errors";
import { isSystem, type Principal, type SessionUser } from "./principal";

/**
 * Who may see and manage a cohort: admins any cohort, instructors the
 * cohorts they own. Learners never (they see only their own results).
 */
export function canManageCohort(user: Pick<SessionUser, "id" | "role">, cohort: { ownerId: string }): boolean {
  return user.role === "admin" || (user.role === "instructor" && cohort.ownerId === user.id);
}

/**
 * Throws NOT_FOUND (not FORBIDDEN) for a cohort the user may not manage, so
 * the answer does not reveal which cohort ids exist.
 */
export function assertCanManageCohort(user: Pick<SessionUser, "id" | "role">, cohort: { ownerId: string } | null): asserts cohort is { ownerId: string } {
  if (!cohort || !canManageCohort(user, cohort)) throw new DomainError("NOT_FOUND", "That cohort does not exist, or it is not yours.");
}

/** The database queries {@link canWatchSession} needs. */
interface CohortMembershipReader {
  cohort: {
    findFirst(args: { where: { ownerId: string; archivedAt: null; members: { some: { userId: string } }; labs: { some: { labId: string } } }; select: { id: true } }): Promise<{ id: string } | null>;
  };
}

/**
 * Whether `user` may look at (never change) a learner's lab session: its
 * owner; admins; an instructor whose live cohort has the learner as a member
 * and the session's lab among its labs; the platform itself. Other
 * instructors see nothing, so a learner's work is visible only to the people
 * teaching them.
 */
export async function canWatchSession(prisma: CohortMembershipReader, user: Pick<SessionUser, "id" | "role"> | Principal, session: { userId: string; labId: string }): Promise<boolean> {
  if (isSystem(user)) return true;
  if (session.userId === user.id || user.role === "admin") return true;
  if (user.role !== "instructor") return false;
  const cohort = await prisma.cohort.findFirst({
    where: { ownerId: user.id, archivedAt: null, members: { some: { userId: session.userId } }, labs: { some: { labId: session.labId } } },
    select: { id: true },
  });
  return cohort !== null;
}
