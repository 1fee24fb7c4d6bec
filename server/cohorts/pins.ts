import type { PrismaClient } from "../generated/prisma/client";
import { DomainError } from "../errors";

/**
 * Cohorts pin lab versions: an instructor who has tested a cohort's week
 * against version 3 keeps the cohort on it while the lab's author publishes
 * version 4. A lab a cohort does not pin follows the latest published.
 */

/**
 * The version (LabVersion.id) a learner's cohorts pin for `labSlug`, or
 * null to follow the latest. In several cohorts that pin it, the one joined
 * most recently wins (the course the learner is taking now).
 */
export async function pinnedVersionFor(prisma: PrismaClient, userId: string, labSlug: string): Promise<string | null> {
  const pins = await prisma.cohortLab.findMany({
    where: { lab: { slug: labSlug }, pinnedVersion: { not: null }, cohort: { members: { some: { userId } } } },
    select: { labId: true, pinnedVersion: true, cohort: { select: { members: { where: { userId }, select: { joinedAt: true } } } } },
  });
  if (!pins.length) return null;
  pins.sort((a, b) => (b.cohort.members[0]?.joinedAt.getTime() ?? 0) - (a.cohort.members[0]?.joinedAt.getTime() ?? 0));
  const pin = pins[0]!;
  const version = await prisma.labVersion.findFirst({ where: { labId: pin.labId, number: pin.pinnedVersion!, publishedAt: { not: null } }, select: { id: true } });
  return version?.id ?? null;
}

/** Published versions of a lab a cohort can pin, newest first. */
export async function pinnableVersions(prisma: PrismaClient, labId: string): Promise<{ number: number; publishedAt: Date }[]> {
  const rows = await prisma.labVersion.findMany({ where: { labId, publishedAt: { not: null } }, orderBy: { number: "desc" }, select: { number: true, publishedAt: true }, take: 50 });
  return rows.map((r) => ({ number: r.number, publishedAt: r.publishedAt! }));
}

/** Pins `labSlug` in a cohort to published version `number`, or (null) follows the latest. */
export async function pinLabVersion(prisma: PrismaClient, cohortId: string, labSlug: string, number: number | null): Promise<void> {
  const link = await prisma.cohortLab.findFirst({ where: { cohortId, lab: { slug: labSlug } }, select: { labId: true } });
  if (!link) throw new DomainError("NOT_FOUND", `Lab "${labSlug}" is not part of this cohort.`);
  if (number !== null) {
    const published = await prisma.labVersion.findFirst({ where: { labId: link.labId, number, publishedAt: { not: null } }, select: { id: true } });
    if (!published) throw new DomainError("BAD_REQUEST", `Version ${number} of "${labSlug}" has not been published; a cohort can only be pinned to a published version.`);
  }
  await prisma.cohortLab.update({ where: { cohortId_labId: { cohortId, labId: link.labId } }, data: { pinnedVersion: number } });
}
