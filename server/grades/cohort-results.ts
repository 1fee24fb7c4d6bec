import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { LabCatalogService } from "../labs/service";
import { emptyLabCell, labCell, type SessionLike, TASK_RESULT_SELECT, totals } from "./score";
import { gradedTasks } from "./lab-tasks";
import type { CohortLabInfo, CohortResults, LabCell, LearnerRow } from "./types";

/**
 * A cohort's results: every member x every lab of the cohort (in the
 * cohort's order), each learner's sessions of a lab merged into one cell.
 * Access is the caller's business (assertCanManageCohort); this only reads.
 * Throws NOT_FOUND for an unknown cohort.
 */
export async function cohortResults(prisma: PrismaClient, labs: LabCatalogService, cohortId: string): Promise<CohortResults> {
  const cohort = await prisma.cohort.findUnique({
    where: { id: cohortId },
    include: {
      labs: { orderBy: { position: "asc" }, include: { lab: true } },
      members: { include: { user: { select: { id: true, name: true, email: true } } } },
    },
  });
  if (!cohort) throw new DomainError("NOT_FOUND", "That cohort does not exist, or it is not yours.");

  const userIds = cohort.members.map((m) => m.userId);
  const labIds = cohort.labs.map((cl) => cl.labId);
  // Every session is read, also ones started before joining: passes from
  // before are marked as such, and count as the cohort's setting says.
  const sessions =
    userIds.length && labIds.length
      ? await prisma.labSession.findMany({
          where: { userId: { in: userIds }, labId: { in: labIds } },
          select: {
            id: true,
            userId: true,
            labId: true,
            state: true,
            createdAt: true,
            taskResults: { select: TASK_RESULT_SELECT },
          },
          orderBy: { createdAt: "asc" },
        })
      : [];

  const sessionsOf = new Map<string, SessionLike[]>();
  for (const s of sessions) {
    const key = `${s.userId}/${s.labId}`;
    sessionsOf.set(key, [...(sessionsOf.get(key) ?? []), s]);
  }

  const labInfos: (CohortLabInfo & { labId: string })[] = [];
  for (const { lab, pinnedVersion } of cohort.labs) {
    // A cohort pinned to a version is graded on that version's tasks.
    const pinned = pinnedVersion ? await prisma.labVersion.findUnique({ where: { labId_number: { labId: lab.id, number: pinnedVersion } }, select: { id: true } }) : null;
    const tasks = await gradedTasks(
      labs,
      lab,
      sessions.filter((s) => s.labId === lab.id).flatMap((s) => s.taskResults.map((r) => r.taskId)),
      pinned?.id,
    );
    labInfos.push({
      labId: lab.id,
      slug: lab.slug,
      title: lab.title,
      tasks: tasks.list,
      maxPoints: tasks.list.reduce((n, t) => n + t.points, 0),
      archived: tasks.archived,
    });
  }

  const learners: LearnerRow[] = cohort.members.map((m) => {
    const cells: Record<string, LabCell> = {};
    for (const info of labInfos) {
      const mine = sessionsOf.get(`${m.userId}/${info.labId}`);
      cells[info.slug] = mine ? labCell(info.tasks, mine, { joinedAt: m.joinedAt, includeBeforeJoining: cohort.includeWorkBeforeJoining }) : emptyLabCell(info.tasks);
    }
    return { userId: m.user.id, name: m.user.name, email: m.user.email, joinedAt: m.joinedAt, labs: cells, ...totals(Object.values(cells)) };
  });
  learners.sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email));

  return {
    cohort: { id: cohort.id, name: cohort.name, dueAt: cohort.dueAt, includeWorkBeforeJoining: cohort.includeWorkBeforeJoining },
    labs: labInfos.map(({ labId: _labId, ...info }) => info),
    learners,
    generatedAt: new Date(),
  };
}
