import type { CohortResults } from "./types";

/**
 * A cohort's results as files: CSV for spreadsheets and LMS imports (one row
 * per learner x lab) and JSON (the CohortResults shape, dates as ISO 8601).
 * Pure functions; the REST endpoint and the dashboard's buttons call them.
 */

/** The fixed columns, before one column per task (`<lab-slug>/<task-id>`). */
export const CSV_FIXED_COLUMNS = [
  "learner name",
  "email",
  "lab",
  "points",
  "max points",
  "score %",
  "completed at",
  "time to complete",
  "hints used",
  "points before joining",
  "assisted tasks",
] as const;

/**
 * A spreadsheet runs a cell starting with = + - @ (or a tab or carriage
 * return, which some strip first) as a formula: a learner named
 * `=HYPERLINK(...)` must stay text. A leading apostrophe is the usual guard
 * (OWASP "CSV injection"); it shows as text in Excel, LibreOffice and Sheets.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
export function quoteCsvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line from cells: text is guarded against formulas, numbers are written as they are. */
export function csvLine(cells: (string | number | null)[]): string {
  return cells.map((c) => (c === null ? "" : typeof c === "number" ? String(c) : quoteCsvField(guardFormula(c)))).join(",");
}

/** A duration as H:MM:SS (hours may exceed 24), which spreadsheets read as a duration. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** A 0..1 score as a percentage with at most one decimal (62.5, 100, 33.3). */
export function formatPercent(score: number): number {
  return Math.round(score * 1000) / 10;
}

/**
 * The results as CSV (RFC 4180: CRLF line ends, header first). One row per
 * learner x lab; each task column holds that task's status in the row's lab
 * (passed, failed, pending, not-started: server/grades/types.ts TaskStatus)
 * and stays empty for the other labs' tasks.
 */
export function resultsToCsv(results: CohortResults): string {
  const taskColumns = results.labs.flatMap((lab) => lab.tasks.map((t) => ({ lab: lab.slug, task: t.id })));
  const lines = [csvLine([...CSV_FIXED_COLUMNS, ...taskColumns.map((c) => `${c.lab}/${c.task}`)])];
  for (const learner of results.learners) {
    for (const lab of results.labs) {
      const cell = learner.labs[lab.slug];
      if (!cell) continue;
      lines.push(
        csvLine([
          learner.name,
          learner.email,
          lab.slug,
          cell.points,
          cell.maxPoints,
          formatPercent(cell.score),
          cell.completedAt?.toISOString() ?? null,
          cell.timeToCompleteMs === null ? null : formatDuration(cell.timeToCompleteMs),
          cell.hintsUsed,
          cell.pointsBeforeJoining,
          // Task ids passed by a fast-forward, space-separated (empty when none).
          lab.tasks
            .filter((t) => cell.tasks[t.id]?.assisted)
            .map((t) => t.id)
            .join(" ") || null,
          ...taskColumns.map((c) => (c.lab === lab.slug ? (cell.tasks[c.task]?.status ?? "not-started") : null)),
        ]),
      );
    }
  }
  return lines.join("\r\n") + "\r\n";
}

/** CohortResults with every Date as an ISO 8601 string: what the JSON export and API return. */
export type CohortResultsJson = IsoDates<CohortResults>;

type IsoDates<T> = T extends Date ? string : T extends (infer U)[] ? IsoDates<U>[] : T extends object ? { [K in keyof T]: IsoDates<T[K]> } : T;

/** The results as a JSON value (dates as ISO strings). */
export function resultsToJson(results: CohortResults): CohortResultsJson {
  return JSON.parse(JSON.stringify(results)) as CohortResultsJson;
}

/** A file name for a download: `<cohort-name>-results-<YYYY-MM-DD>.<ext>`, safe for any file system. */
export function exportFileName(results: Pick<CohortResults, "cohort" | "generatedAt">, ext: "csv" | "json"): string {
  const base =
    results.cohort.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "cohort";
  return `${base}-results-${results.generatedAt.toISOString().slice(0, 10)}.${ext}`;
}
