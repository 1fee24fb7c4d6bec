import type { PrismaClient, Prisma } from "../generated/prisma/client";
import { LAB_FILE, MAX_LAB_FILE_BYTES, parseLab, type LabDefinition, type LabProblem } from "./catalog";

/**
 * Lab versions: immutable texts of one lab (prisma LabVersion). The catalog
 * serves a lab's current version; sessions keep theirs.
 */

/** Parses a stored version; problems are located in `<slug> v<n>` for logs. */
export function parseVersion(slug: string, number: number, source: string): { lab?: LabDefinition; problems: LabProblem[] } {
  return parseLab(slug, `${slug} v${number}`, source);
}

/**
 * Checks a lab text written on the platform (the editor, `labs push`) with
 * the same validator as files on disk; problems are located in `lab.md`,
 * as the author's own file is named. Oversized texts are refused unread.
 */
export function validateSource(slug: string, source: string): { lab?: LabDefinition; problems: LabProblem[] } {
  const bytes = Buffer.byteLength(source, "utf8");
  if (bytes > MAX_LAB_FILE_BYTES) {
    return { problems: [{ file: LAB_FILE, line: 1, column: 1, message: `the lab is ${Math.ceil(bytes / 1024)} KiB; a lab may be at most ${MAX_LAB_FILE_BYTES / 1024} KiB` }] };
  }
  return parseLab(slug, LAB_FILE, source);
}

type Tx = PrismaClient | Prisma.TransactionClient;

/**
 * Stores a new version after the lab's latest. Two saves at the same moment
 * cannot both take a number: the unique (labId, number) index refuses the
 * second, which retries with the next.
 */
export async function createVersion(
  tx: Tx,
  labId: string,
  data: { source: string; sourceHash: string; via: "disk" | "editor" | "push"; authorId: string | null; problems: string[] },
): Promise<{ id: string; number: number }> {
  for (let attempt = 0; ; attempt++) {
    const last = await tx.labVersion.findFirst({ where: { labId }, orderBy: { number: "desc" }, select: { number: true } });
    try {
      return await tx.labVersion.create({ data: { labId, number: (last?.number ?? 0) + 1, ...data }, select: { id: true, number: true } });
    } catch (err) {
      if (attempt < 3 && (err as { code?: string }).code === "P2002") continue;
      throw err;
    }
  }
}
