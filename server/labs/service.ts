import type { PrismaClient } from "../generated/prisma/client";
import { DomainError } from "../errors";
import { formatProblem, loadCatalog, type Catalog, type LabDefinition } from "./catalog";
import { catalogStatus, problemLogLines, type CatalogStatus } from "./report";
import { syncCatalog, type SyncReport } from "./sync";
import { nextInTrack } from "./tracks";

/** Summary of a lab for lists. */
export interface LabListItem {
  slug: string;
  title: string;
  summary: string;
  difficulty: string;
  durationMinutes: number;
  environment: "node" | "cluster";
  tags: string[];
  /** How many graded tasks the lab has. */
  taskCount: number;
  /** The learning path it belongs to and its place there (server/labs/tracks.ts); null when in none. */
  track: string | null;
  order: number | null;
}

/**
 * The lab catalog: definitions read from disk, mirrored into the database
 * (so sessions and results can reference labs). `watch` re-reads the
 * directory on every read, for authors running `npm run dev`.
 */
export class LabCatalogService {
  private catalog: Catalog = { labs: [], broken: [], problems: [] };
  private bySlug = new Map<string, LabDefinition>();
  /** The problem lines logged last, so a watching reload logs only changes. */
  private logged = "";

  constructor(
    private readonly prisma: PrismaClient,
    private readonly labsDir: string,
    private readonly options: { watch?: boolean; log?: (msg: string) => void } = {},
  ) {}

  /** Reads labs from disk and syncs them to the database. */
  async reload(): Promise<SyncReport & { problems: string[] }> {
    this.catalog = loadCatalog(this.labsDir);
    this.bySlug = new Map(this.catalog.labs.map((l) => [l.slug, l]));
    const report = await syncCatalog(this.prisma, this.catalog.labs);
    // Each problem is a warning; in watch mode (every request) only when
    // the set of problems changed, so the log is not flooded.
    const lines = problemLogLines(this.catalog);
    if (lines.join("\n") !== this.logged) for (const line of lines) this.options.log?.(line);
    this.logged = lines.join("\n");
    return { ...report, problems: this.catalog.problems.map(formatProblem) };
  }

  private async fresh() {
    if (this.options.watch) await this.reload();
  }

  /** Labs learners can open, in catalog order. */
  async list(): Promise<LabListItem[]> {
    await this.fresh();
    return this.catalog.labs.map(({ slug, title, summary, difficulty, durationMinutes, environment, tags, tasks, track, order }) => ({
      slug,
      title,
      summary,
      difficulty,
      durationMinutes,
      environment,
      tags,
      taskCount: tasks.length,
      track: track ?? null,
      order: order ?? null,
    }));
  }

  /** The lab after `slug` in its learning path, or null (the last of its track, or in none). */
  async nextAfter(slug: string): Promise<LabListItem | null> {
    return nextInTrack(await this.list(), slug);
  }

  /** One lab with its steps; NOT_FOUND for unknown or archived slugs. */
  async get(slug: string): Promise<LabDefinition> {
    await this.fresh();
    const lab = this.bySlug.get(slug);
    if (!lab) throw new DomainError("NOT_FOUND", `There is no lab called "${slug}".`, `labs/${slug}/lab.md is missing or invalid`);
    return lab;
  }

  /** Problems found in lab files at the last reload. */
  problems(): string[] {
    return this.catalog.problems.map(formatProblem);
  }

  /** Labs served and labs left out with their problems, as of the last reload (for readiness). */
  status(): CatalogStatus {
    return catalogStatus(this.catalog);
  }

  /** The same, re-read first in watch mode (for the staff page). */
  async freshStatus(): Promise<CatalogStatus> {
    await this.fresh();
    return this.status();
  }
}
