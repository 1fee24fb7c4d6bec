import type { PrismaClient } from "../generated/prisma/client";
import { DomainError } from "../errors";
import { formatProblem, loadCatalog, type Catalog, type LabDefinition } from "./catalog";
import { catalogStatus, problemLogLines, type CatalogStatus } from "./report";
import { syncCatalog, type SyncReport } from "./sync";
import { nextInTrack } from "./tracks";
import { parseVersion } from "./versions";

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

/** A version of a lab as sessions reference it. */
export interface LabVersionRef {
  labSlug: string;
  /** LabVersion.id; null for sessions from before labs had versions (they get the current text). */
  labVersionId?: string | null;
}

/** How often authored labs are re-read from the database: another app instance may have published. */
const AUTHORED_REFRESH_MS = 2_000;
/** Versions kept parsed in memory (sessions on older versions of changed labs). */
const VERSION_CACHE_SIZE = 200;

/**
 * The lab catalog. Two sources, one list:
 * - built-in labs, read from the labs directory on disk and mirrored into the
 *   database (each new text a published version); `watch` re-reads the
 *   directory on every read, for authors running `npm run dev`;
 * - labs authored on the platform (the browser editor or `labs push`), read
 *   from their current published version in the database.
 *
 * `get(slug)` is the text new sessions get; `get(slug, versionId)` the text
 * a session started with, whatever has been published since.
 */
export class LabCatalogService {
  private catalog: Catalog = { labs: [], broken: [], problems: [] };
  private builtIn = new Map<string, LabDefinition>();
  /** Authored labs' current versions: slug → [version id, definition]. */
  private authored = new Map<string, { versionId: string; lab: LabDefinition }>();
  private authoredReadAt = 0;
  private authoredRead: Promise<void> | null = null;
  /** Built-in labs' current version ids, so sessions can record which text they run. */
  private builtInVersionIds = new Map<string, string>();
  private versions = new Map<string, LabDefinition>();
  /** The problem lines logged last, so a watching reload logs only changes. */
  private logged = "";

  constructor(
    private readonly prisma: PrismaClient,
    private readonly labsDir: string,
    private readonly options: { watch?: boolean; log?: (msg: string) => void } = {},
  ) {}

  /** Reads labs from disk and syncs them to the database; re-reads authored labs. */
  async reload(): Promise<Omit<SyncReport, "problems"> & { problems: string[] }> {
    const catalog = loadCatalog(this.labsDir);
    const report = await syncCatalog(this.prisma, catalog.labs);
    // A directory that collides with an authored lab is broken for the catalog's purposes.
    const skipped = new Set(report.problems.map((p) => p.file));
    this.catalog = {
      labs: catalog.labs.filter((l) => !skipped.has(l.sourcePath)),
      broken: [...catalog.broken, ...catalog.labs.filter((l) => skipped.has(l.sourcePath)).map((l) => ({ slug: l.slug, file: l.sourcePath, problems: report.problems.filter((p) => p.file === l.sourcePath) }))],
      problems: [...catalog.problems, ...report.problems],
    };
    this.builtIn = new Map(this.catalog.labs.map((l) => [l.slug, l]));
    const rows = await this.prisma.lab.findMany({ where: { origin: "builtin", currentVersionId: { not: null } }, select: { slug: true, currentVersionId: true } });
    this.builtInVersionIds = new Map(rows.map((r) => [r.slug, r.currentVersionId!]));
    await this.readAuthored(true);
    // Each problem is a warning; in watch mode (every request) only when
    // the set of problems changed, so the log is not flooded.
    const lines = problemLogLines(this.catalog);
    if (lines.join("\n") !== this.logged) for (const line of lines) this.options.log?.(line);
    this.logged = lines.join("\n");
    return { ...report, problems: this.catalog.problems.map(formatProblem) };
  }

  /**
   * Re-reads which version each authored lab serves, at most every 2 s (or
   * now, after this instance published). Only versions not yet parsed are
   * fetched with their text.
   */
  async readAuthored(now = false): Promise<void> {
    if (!now && Date.now() - this.authoredReadAt < AUTHORED_REFRESH_MS) return;
    if (this.authoredRead && !now) return this.authoredRead;
    const read = (async () => {
      const rows = await this.prisma.lab.findMany({
        where: { origin: "authored", archivedAt: null, currentVersionId: { not: null } },
        select: { slug: true, currentVersionId: true },
      });
      const next = new Map<string, { versionId: string; lab: LabDefinition }>();
      for (const row of rows) {
        const known = this.authored.get(row.slug);
        if (known?.versionId === row.currentVersionId) next.set(row.slug, known);
        else {
          const lab = await this.version(row.currentVersionId!).catch(() => null);
          if (lab) next.set(row.slug, { versionId: row.currentVersionId!, lab });
        }
      }
      this.authored = next;
      this.authoredReadAt = Date.now();
    })();
    this.authoredRead = read;
    try {
      await read;
    } finally {
      if (this.authoredRead === read) this.authoredRead = null;
    }
  }

  private async fresh() {
    if (this.options.watch) await this.reload();
    else await this.readAuthored();
  }

  private all(): LabDefinition[] {
    const authored = [...this.authored.values()].map((a) => a.lab).filter((l) => !this.builtIn.has(l.slug));
    return [...this.catalog.labs, ...authored.sort((a, b) => a.slug.localeCompare(b.slug))];
  }

  /** Labs learners can open, in catalog order. */
  async list(): Promise<LabListItem[]> {
    await this.fresh();
    return this.all().map(({ slug, title, summary, difficulty, durationMinutes, environment, tags, tasks, track, order }) => ({
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

  /**
   * One lab with its steps: the version new sessions get, or with
   * `versionId` the version a session started with. NOT_FOUND for unknown or
   * archived slugs (a session's own version is found even once archived).
   */
  async get(slug: string, versionId?: string | null): Promise<LabDefinition> {
    if (versionId && versionId !== (await this.currentVersionId(slug).catch(() => null))) {
      const lab = await this.version(versionId).catch(() => null);
      if (lab && lab.slug === slug) return lab;
    }
    await this.fresh();
    const lab = this.builtIn.get(slug) ?? this.authored.get(slug)?.lab;
    if (!lab) throw new DomainError("NOT_FOUND", `There is no lab called "${slug}".`, `labs/${slug}/lab.md is missing or invalid, and no authored lab of that slug is published`);
    return lab;
  }

  /** The lab text of a session (its recorded version, else the current one). */
  async forSession(ref: LabVersionRef): Promise<LabDefinition> {
    return this.get(ref.labSlug, ref.labVersionId);
  }

  /** The id of the version new sessions of `slug` get. */
  async currentVersionId(slug: string): Promise<string> {
    await this.fresh();
    const id = this.builtIn.has(slug) ? this.builtInVersionIds.get(slug) : this.authored.get(slug)?.versionId;
    if (!id) throw new DomainError("NOT_FOUND", `There is no lab called "${slug}".`);
    return id;
  }

  /** A stored version, parsed (cached: versions never change). */
  async version(versionId: string): Promise<LabDefinition> {
    const cached = this.versions.get(versionId);
    if (cached) return cached;
    const row = await this.prisma.labVersion.findUnique({ where: { id: versionId }, include: { lab: { select: { slug: true } } } });
    if (!row) throw new DomainError("NOT_FOUND", "That lab version does not exist.", `lab version ${versionId}`);
    const { lab, problems } = parseVersion(row.lab.slug, row.number, row.source);
    if (!lab) throw new DomainError("INTERNAL", `Version ${row.number} of lab "${row.lab.slug}" no longer validates.`, problems.map(formatProblem).join("; "));
    if (this.versions.size >= VERSION_CACHE_SIZE) this.versions.delete(this.versions.keys().next().value!);
    this.versions.set(versionId, lab);
    return lab;
  }

  /** Problems found in lab files at the last reload. */
  problems(): string[] {
    return this.catalog.problems.map(formatProblem);
  }

  /** Labs served and labs left out with their problems, as of the last reload (for readiness). */
  status(): CatalogStatus {
    return { ...catalogStatus(this.catalog), served: this.all().length };
  }

  /** The same, re-read first in watch mode (for the staff page). */
  async freshStatus(): Promise<CatalogStatus> {
    await this.fresh();
    return this.status();
  }
}
