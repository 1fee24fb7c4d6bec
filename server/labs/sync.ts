import type { PrismaClient } from "../generated/prisma/client";
import type { LabDefinition } from "./catalog";

export interface SyncReport {
  created: string[];
  updated: string[];
  archived: string[];
  unchanged: number;
}

/**
 * Makes the Lab table match the labs on disk. Labs that vanished are archived
 * (hidden from the catalog) rather than deleted: sessions and grades keep
 * pointing at them, and they come back if the directory returns.
 */
export async function syncCatalog(prisma: PrismaClient, labs: LabDefinition[]): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], archived: [], unchanged: 0 };
  const existing = new Map((await prisma.lab.findMany()).map((l) => [l.slug, l]));
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
    if (!row) {
      await prisma.lab.create({ data: { slug: lab.slug, ...data } });
      report.created.push(lab.slug);
    } else if (row.sourceHash !== lab.sourceHash || row.archivedAt) {
      await prisma.lab.update({ where: { slug: lab.slug }, data });
      report.updated.push(lab.slug);
    } else {
      report.unchanged++;
    }
  }
  const onDisk = new Set(labs.map((l) => l.slug));
  for (const row of existing.values()) {
    if (!onDisk.has(row.slug) && !row.archivedAt) {
      await prisma.lab.update({ where: { slug: row.slug }, data: { archivedAt: new Date() } });
      report.archived.push(row.slug);
    }
  }
  return report;
}
