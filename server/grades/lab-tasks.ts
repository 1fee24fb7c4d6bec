import { isDomainError } from "../errors";
import type { LabCatalogService } from "../labs/service";
import type { GradedTask } from "./types";

/**
 * Points given to each task of an archived lab whose file is gone: its real
 * points went with the file, so every task the learners reached weighs the
 * same (the schema's default), and partial credit stays meaningful.
 */
export const ARCHIVED_TASK_POINTS = 10;

/**
 * The tasks a lab is graded on: those of lab version `versionId` (a
 * session's, a cohort's pin) or else of its current version. For a lab whose
 * file is gone (archived), the tasks named by stored results (`seenTaskIds`),
 * in the order first seen, each worth ARCHIVED_TASK_POINTS.
 */
export async function gradedTasks(
  labs: LabCatalogService,
  lab: { slug: string; archivedAt: Date | null },
  seenTaskIds: string[],
  versionId?: string | null,
): Promise<{ list: GradedTask[]; archived: boolean }> {
  if (!lab.archivedAt || versionId) {
    try {
      const def = await labs.get(lab.slug, versionId);
      return { list: def.tasks.map((t) => ({ id: t.id, title: t.title, points: t.points })), archived: false };
    } catch (err) {
      // The file vanished since the last sync: grade it as archived below.
      if (!isDomainError(err) || err.code !== "NOT_FOUND") throw err;
    }
  }
  return { list: [...new Set(seenTaskIds)].map((id) => ({ id, title: id, points: ARCHIVED_TASK_POINTS })), archived: true };
}
