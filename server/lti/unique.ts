/**
 * Whether a Prisma error is a unique-constraint violation. Through the
 * driver adapters we run on it arrives as a DriverAdapterError whose cause
 * carries PostgreSQL's SQLSTATE 23505, not as Prisma's P2002; both are
 * recognised.
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string; kind?: string } } | null;
  return e?.code === "P2002" || e?.cause?.code === "23505" || e?.cause?.kind === "UniqueConstraintViolation";
}
