import type { PrismaClient } from "../generated/prisma/client";
import type { LabCatalogService } from "../labs/service";
import { gradedTasks } from "./lab-tasks";
import { labCell, TASK_RESULT_SELECT } from "./score";
import type { LabCell } from "./types";

/**
 * One learner's grade in one lab across all their sessions of it (what
 * webhooks and LTI score passback send): the tasks, those of the version the
 * learner works on now (their latest session's), and the cell of points.
 */
export async function learnerLabGrade(prisma: PrismaClient, labs: LabCatalogService, userId: string, lab: { id: string; slug: string; archivedAt: Date | null }) {
  const sessions = await prisma.labSession.findMany({
    where: { userId, labId: lab.id },
    select: { id: true, state: true, createdAt: true, labVersionId: true, taskResults: { select: TASK_RESULT_SELECT } },
    orderBy: { createdAt: "asc" },
  });
  const tasks = await gradedTasks(
    labs,
    lab,
    sessions.flatMap((s) => s.taskResults.map((r) => r.taskId)),
    sessions.at(-1)?.labVersionId,
  );
  const cell: LabCell = labCell(tasks.list, sessions);
  return { tasks, cell };
}
