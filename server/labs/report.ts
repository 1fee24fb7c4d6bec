import { formatProblem, type Catalog, type LabProblem } from "./catalog";

/** Where staff see the problems; readiness and logs point there. */
export const LAB_PROBLEMS_PAGE = "/instructor/labs";

/** A problem within a known file. */
export type LocatedProblem = Omit<LabProblem, "file">;

/** What instructors see of the catalog: how many labs serve, which do not and why. */
export interface CatalogStatus {
  served: number;
  broken: { slug: string; file: string; problems: LocatedProblem[] }[];
  /** Problems with the labs directory itself, not with one lab. */
  other: LabProblem[];
}

export function catalogStatus(catalog: Catalog): CatalogStatus {
  const inLabs = new Set(catalog.broken.flatMap((b) => b.problems));
  return {
    served: catalog.labs.length,
    broken: catalog.broken.map((b) => ({ slug: b.slug, file: b.file, problems: b.problems.map(({ line, column, message }) => ({ line, column, message })) })),
    other: catalog.problems.filter((p) => !inLabs.has(p)),
  };
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The readiness check's sentence. Broken labs do not make the server
 * unready (the good labs serve), but whoever reads /api/ready learns they
 * exist and where to see them.
 */
export function readinessMessage(status: CatalogStatus): string {
  const parts = [
    count(status.served, "lab served", "labs served"),
    status.broken.length ? `${count(status.broken.length, "lab has", "labs have")} problems` : "no lab has problems",
  ];
  if (status.other.length) parts.push(`${count(status.other.length, "problem", "problems")} outside any lab`);
  const anything = status.broken.length > 0 || status.other.length > 0;
  return `${parts.join("; ")}${anything ? ` (see ${LAB_PROBLEMS_PAGE})` : ""}.`;
}

/**
 * One log line per problem. Services log through a `log(msg)` callback that
 * logs a message as a warning when it reports trouble in words
 * (server/observability/logger.ts): "cannot serve" makes each line a
 * warning, and the "labs: " prefix its component.
 */
export function problemLogLines(catalog: Catalog): string[] {
  const status = catalogStatus(catalog);
  return [
    ...catalog.broken.flatMap((b) => b.problems.map((p) => `labs: cannot serve ${b.slug}: ${formatProblem(p)}`)),
    ...status.other.map((p) => `labs: cannot read the catalog: ${formatProblem(p)}`),
  ];
}
