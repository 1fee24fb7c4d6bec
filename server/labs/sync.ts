import type { PrismaClient } from "../generated/prisma/client";
import type { LabDefinition, LabProblem } from "./catalog";
import { createVersion } from "./versions";

export interface SyncReport {
  created: string[];
  updated: string[];
  archived: string[];
  unchanged: number;
  /** Labs on disk that were not imported, each with why (a lab authored on the platform already has its slug). */
  problems: LabProblem[];
}

/**
 * Makes the built-in labs in the Lab table match the labs on disk. Each new
 * text of a lab becomes a new published version (LabVersion, via "disk"), so
 * a session started before the file changed keeps the text it started with.
 * Labs that vanished are archived (hidden from the catalog) rather than
 * deleted: sessions and grades keep pointing at them, and they come back if
 * the directory returns. Labs authored on the platform are never touched
 * here: a directory with an authored lab's slug is reported and skipped.
 */
export async function syncCatalog(prisma: PrismaClient, labs: LabDefinition[]): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], archived: [], unchanged: 0, problems: [] };
  const existing = new Map((await prisma.lab.findMany({ include: { currentVersion: { select: { sourceHash: true } } } })).map((l) => [l.slug, l]));
  for (const lab of labs) {
    const data = {
      title: lab.title,
      summary: lab.summary,
      difficulty: lab.difficulty,
      durationMinutes: lab.durationMinutes,
      environment: lab.environment,
      sourcePath: lab.sourcePath,
      sourceHash: lab.sourceHash,
      archivedAt: null,
    };
    const row = existing.get(lab.slug);
    if (row && row.origin === "authored") {
      report.problems.push({
        file: lab.sourcePath,
        line: 1,
        column: 1,
        message: `a lab called "${lab.slug}" was authored on the platform; this directory is not served (rename it, or archive the authored lab)`,
      });
      continue;
    }
    if (row && row.sourceHash === lab.sourceHash && !row.archivedAt && row.currentVersion?.sourceHash === lab.sourceHash) {
      report.unchanged++;
      continue;
    }
    try {
      await prisma.$transaction(async (tx) => {
        const saved = row ? await tx.lab.update({ where: { slug: lab.slug }, data }) : await tx.lab.create({ data: { slug: lab.slug, ...data } });
        if (row?.currentVersion?.sourceHash === lab.sourceHash) return;
        const version = await createVersion(tx, saved.id, { source: lab.source, sourceHash: lab.sourceHash, via: "disk", authorId: null, problems: [] });
        await tx.labVersion.update({ where: { id: version.id }, data: { publishedAt: new Date() } });
        await tx.lab.update({ where: { id: saved.id }, data: { currentVersionId: version.id } });
      });
    } catch (err) {
      // Another app instance starting at the same moment imported it first
      // (a unique slug or version number refused ours): theirs stands.
      if ((err as { code?: string }).code !== "P2002") throw err;
      report.unchanged++;
      continue;
    }
    (row ? report.updated : report.created).push(lab.slug);
  }
  const onDisk = new Set(labs.map((l) => l.slug));
  for (const row of existing.values()) {
    if (row.origin === "builtin" && !onDisk.has(row.slug) && !row.archivedAt) {
      await prisma.lab.update({ where: { slug: row.slug }, data: { archivedAt: new Date() } });
      report.archived.push(row.slug);
    }
  }
  return report;
}
