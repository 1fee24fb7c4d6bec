import crypto from "node:crypto";
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { SessionUser } from "../auth/principal";
import { DomainError } from "../errors";
import type { SandboxEnvironment, SandboxProvider } from "../sandbox/provider";
import { formatProblem, type LabDefinition, type LabProblem } from "./catalog";
import { bodySections } from "./body";
import type { LabCatalogService } from "./service";
import { SLUG_PATTERN } from "./schema";
import { labTemplate } from "./template";
import { LabTestRuns, type TestReport, type TestStatus } from "./test-runs";
import { createVersion, validateSource } from "./versions";

/**
 * Authoring on a running platform (docs/authoring.md): labs written in the
 * browser editor or pushed with `labs push` are stored as immutable versions
 * in the database; publishing points the catalog at one. Who may do what:
 * - instructors create labs and change, test, publish and archive their own;
 * - admins may do all of that to every authored lab;
 * - built-in labs (the labs directory) are read-only here: their source is
 *   the repository, and the next start would overwrite a change.
 */

/** Where a version came from. */
export type VersionVia = "editor" | "push";

export interface VersionSummary {
  number: number;
  via: string;
  author: string | null;
  createdAt: Date;
  problemCount: number;
  testStatus: TestStatus;
  published: boolean;
  current: boolean;
  publishOverride: string | null;
}

export interface AuthoredLabSummary {
  slug: string;
  title: string;
  origin: "builtin" | "authored";
  owner: string | null;
  canEdit: boolean;
  archived: boolean;
  /** The published version new sessions get; null if never published. */
  currentVersion: number | null;
  latestVersion: number | null;
  latestTestStatus: TestStatus | null;
  updatedAt: Date;
}

export interface LabVersionView {
  slug: string;
  number: number;
  source: string;
  problems: LabProblem[];
  via: string;
  createdAt: Date;
  testStatus: TestStatus;
  testReport: TestReport | null;
  published: boolean;
  current: boolean;
  publishOverride: string | null;
}

/** The longest override reason kept (a sentence, not an essay). */
export const MAX_OVERRIDE_REASON = 500;

export interface AuthoringDeps {
  prisma: PrismaClient;
  labs: LabCatalogService;
  providerFor: (environment: SandboxEnvironment) => SandboxProvider | undefined;
  log: (msg: string) => void;
}

type LabRow = { id: string; slug: string; origin: "builtin" | "authored"; ownerId: string | null; archivedAt: Date | null; currentVersionId: string | null };

export class LabAuthoringService {
  readonly tests: LabTestRuns;

  constructor(private readonly deps: AuthoringDeps) {
    this.tests = new LabTestRuns({ prisma: deps.prisma, labs: deps.labs, providerFor: deps.providerFor, log: deps.log });
  }

  /** Labs the caller authors (admins: every authored lab), then the built-in ones (read-only). */
  async list(user: SessionUser): Promise<AuthoredLabSummary[]> {
    assertAuthor(user);
    return this.summaries(user, user.role === "admin" ? {} : { OR: [{ origin: "builtin" }, { ownerId: user.id }] });
  }

  /** Summaries of the labs `where` selects, in list order. */
  private async summaries(user: SessionUser, where: Prisma.LabWhereInput): Promise<AuthoredLabSummary[]> {
    const rows = await this.deps.prisma.lab.findMany({
      where,
      include: {
        currentVersion: { select: { number: true } },
        versions: { orderBy: { number: "desc" }, take: 1, select: { number: true, testStatus: true, testReport: true } },
      },
      orderBy: [{ origin: "desc" }, { slug: "asc" }],
    });
    const owners = await this.names(rows.map((r) => r.ownerId));
    return rows.map((r) => {
      const latest = r.versions[0];
      return {
        slug: r.slug,
        title: r.title,
        origin: r.origin,
        owner: r.ownerId ? (owners.get(r.ownerId) ?? null) : null,
        canEdit: canEdit(user, r),
        archived: !!r.archivedAt,
        currentVersion: r.currentVersion?.number ?? null,
        latestVersion: latest?.number ?? null,
        latestTestStatus: latest ? this.tests.statusOf(latest.testStatus, latest.testReport) : null,
        updatedAt: r.updatedAt,
      };
    });
  }

  /** One lab's versions, newest first. */
  async versions(user: SessionUser, slug: string): Promise<{ lab: AuthoredLabSummary; versions: VersionSummary[] }> {
    const row = await this.labFor(user, slug, "read");
    const versions = await this.deps.prisma.labVersion.findMany({ where: { labId: row.id }, orderBy: { number: "desc" }, take: 100 });
    const names = await this.names(versions.map((v) => v.authorId));
    const [lab] = await this.summaries(user, { id: row.id });
    return {
      lab: lab!,
      versions: versions.map((v) => ({
        number: v.number,
        via: v.via,
        author: v.authorId ? (names.get(v.authorId) ?? null) : null,
        createdAt: v.createdAt,
        problemCount: v.problems.length,
        testStatus: this.tests.statusOf(v.testStatus, v.testReport),
        published: !!v.publishedAt,
        current: v.id === row.currentVersionId,
        publishOverride: v.publishOverride,
      })),
    };
  }

  /** One version's text, problems and last test (the latest when `number` is absent). */
  async version(user: SessionUser, slug: string, number?: number): Promise<LabVersionView> {
    const row = await this.labFor(user, slug, "read");
    const v = await this.deps.prisma.labVersion.findFirst({ where: { labId: row.id, ...(number !== undefined && { number }) }, orderBy: { number: "desc" } });
    if (!v) throw new DomainError("NOT_FOUND", number === undefined ? `Lab "${slug}" has no saved version yet.` : `Lab "${slug}" has no version ${number}.`);
    return {
      slug,
      number: v.number,
      source: v.source,
      problems: validateSource(slug, v.source).problems,
      via: v.via,
      createdAt: v.createdAt,
      testStatus: this.tests.statusOf(v.testStatus, v.testReport),
      testReport: (v.testReport as TestReport | null) ?? null,
      published: !!v.publishedAt,
      current: v.id === row.currentVersionId,
      publishOverride: v.publishOverride,
    };
  }

  /**
   * The validator's verdict on a text, for the editor as the author types,
   * and when it is valid the lab page's preview (steps and task titles, as
   * learners see them). Nothing is stored.
   */
  check(user: SessionUser, slug: string, source: string): { problems: LabProblem[]; preview: LabPreview | null } {
    assertAuthor(user);
    const { lab, problems } = validateSource(slug, source);
    return { problems, preview: lab ? previewOf(lab) : null };
  }

  /**
   * A new authored lab owned by the caller, with its first version (the
   * scaffold `labs new` writes, unless a text is given). The slug must be
   * free among built-in and authored labs, archived ones included.
   */
  async create(user: SessionUser, slug: string, source: string | undefined, via: VersionVia): Promise<{ slug: string; number: number; problems: LabProblem[] }> {
    assertAuthor(user);
    if (!SLUG_PATTERN.test(slug)) throw new DomainError("BAD_REQUEST", `"${slug}" is not a valid lab slug: use 2-63 lowercase letters, digits and dashes, starting with a letter or digit.`);
    const existing = await this.deps.prisma.lab.findUnique({ where: { slug } });
    if (existing) {
      throw new DomainError(
        "CONFLICT",
        existing.origin === "builtin" ? `"${slug}" is a built-in lab (labs/${slug}/lab.md); pick another slug.` : `A lab called "${slug}" already exists; pick another slug.`,
      );
    }
    const text = source ?? labTemplate(slug);
    const { lab, problems } = validateSource(slug, text);
    const lab0 = await this.deps.prisma.lab
      .create({
        data: {
          slug,
          origin: "authored",
          ownerId: user.id,
          title: lab?.title ?? slug,
          summary: lab?.summary ?? "",
          difficulty: lab?.difficulty ?? "beginner",
          durationMinutes: lab?.durationMinutes ?? 0,
          environment: lab?.environment ?? "node",
          sourcePath: `authored:${slug}`,
          sourceHash: hash(text),
        },
      })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code === "P2002") throw new DomainError("CONFLICT", `A lab called "${slug}" already exists; pick another slug.`);
        throw err;
      });
    const v = await createVersion(this.deps.prisma, lab0.id, { source: text, sourceHash: hash(text), via, authorId: user.id, problems: problems.map(formatProblem) });
    this.deps.log(`labs: ${user.email} created lab ${slug} (version ${v.number}, ${problems.length} problem(s))`);
    return { slug, number: v.number, problems };
  }

  /**
   * Saves a text as the lab's next version. Problems do not stop a save
   * (an author's work is never lost to a typo); they stop a publish.
   * `baseVersion` is the version the author started from: if someone saved
   * since, the save is refused rather than silently replacing their work.
   * Saving the latest text again stores nothing and returns its number.
   */
  async save(
    user: SessionUser,
    slug: string,
    source: string,
    options: { via: VersionVia; baseVersion?: number },
  ): Promise<{ number: number; problems: LabProblem[]; unchanged: boolean }> {
    const row = await this.labFor(user, slug, "edit");
    const { problems } = validateSource(slug, source);
    const latest = await this.deps.prisma.labVersion.findFirst({ where: { labId: row.id }, orderBy: { number: "desc" }, select: { number: true, sourceHash: true } });
    if (latest && latest.sourceHash === hash(source)) return { number: latest.number, problems, unchanged: true };
    if (options.baseVersion !== undefined && latest && latest.number !== options.baseVersion) {
      throw new DomainError(
        "CONFLICT",
        `Version ${latest.number} of "${slug}" was saved after the version ${options.baseVersion} you started from. Copy your text, reload to see version ${latest.number}, and merge your changes into it.`,
      );
    }
    const v = await createVersion(this.deps.prisma, row.id, { source, sourceHash: hash(source), via: options.via, authorId: user.id, problems: problems.map(formatProblem) });
    return { number: v.number, problems, unchanged: false };
  }

  /** Starts "Test this lab" on version `number` (server/labs/test-runs.ts); its progress is read with `version`. */
  async startTest(user: SessionUser, slug: string, number: number): Promise<void> {
    const row = await this.labFor(user, slug, "edit");
    const v = await this.deps.prisma.labVersion.findUnique({ where: { labId_number: { labId: row.id, number } } });
    if (!v) throw new DomainError("NOT_FOUND", `Lab "${slug}" has no version ${number}.`);
    const { lab, problems } = validateSource(slug, v.source);
    if (!lab) throw new DomainError("BAD_REQUEST", `Version ${number} has ${problems.length} problem(s); fix them before testing (the first: ${formatProblem(problems[0]!)}).`);
    await this.tests.start(v.id, lab, user);
  }

  /**
   * Makes version `number` the one new sessions get. Refused while it has
   * problems, and unless its test passed, or `override` says why it cannot be
   * tested here (e.g. a cluster lab on a host without kind); the reason is
   * kept with the version. Running sessions keep their versions.
   */
  async publish(user: SessionUser, slug: string, number: number, override?: string): Promise<{ number: number }> {
    const row = await this.labFor(user, slug, "edit");
    const v = await this.deps.prisma.labVersion.findUnique({ where: { labId_number: { labId: row.id, number } } });
    if (!v) throw new DomainError("NOT_FOUND", `Lab "${slug}" has no version ${number}.`);
    const { lab, problems } = validateSource(slug, v.source);
    if (!lab) throw new DomainError("BAD_REQUEST", `Version ${number} cannot be published: it has ${problems.length} problem(s) (the first: ${formatProblem(problems[0]!)}).`);
    const reason = override?.trim() || null;
    if (reason && reason.length > MAX_OVERRIDE_REASON) throw new DomainError("BAD_REQUEST", `The reason for publishing untested may be at most ${MAX_OVERRIDE_REASON} characters.`);
    const status = this.tests.statusOf(v.testStatus, v.testReport);
    if (status !== "passed" && !reason) {
      throw new DomainError(
        "BAD_REQUEST",
        status === "running"
          ? `Version ${number}'s test is still running; publish when it has passed.`
          : `Version ${number} has ${status === "untested" ? "not been tested" : `a test that ${status}`}. Run "Test this lab" until it passes, or give the reason it cannot be tested here to publish anyway.`,
      );
    }
    await this.deps.prisma.$transaction([
      this.deps.prisma.labVersion.update({ where: { id: v.id }, data: { publishedAt: v.publishedAt ?? new Date(), publishedBy: user.id, publishOverride: status === "passed" ? null : reason } }),
      this.deps.prisma.lab.update({
        where: { id: row.id },
        data: {
          currentVersionId: v.id,
          archivedAt: null,
          title: lab.title,
          summary: lab.summary,
          difficulty: lab.difficulty,
          durationMinutes: lab.durationMinutes,
          environment: lab.environment,
          sourceHash: v.sourceHash,
        },
      }),
    ]);
    await this.deps.labs.readAuthored(true);
    this.deps.log(`labs: ${user.email} published ${slug} version ${number}${status === "passed" ? "" : ` untested (${reason})`}`);
    return { number };
  }

  /** Hides an authored lab from the catalog (sessions and grades keep it); `restore` brings it back. */
  async setArchived(user: SessionUser, slug: string, archived: boolean): Promise<void> {
    const row = await this.labFor(user, slug, "edit");
    await this.deps.prisma.lab.update({ where: { id: row.id }, data: { archivedAt: archived ? new Date() : null } });
    await this.deps.labs.readAuthored(true);
  }

  async shutdown(): Promise<void> {
    await this.tests.shutdown();
  }

  /**
   * The lab, if the caller may `read` it (staff: any lab's source, built-in
   * ones included) or `edit` it (its owner or an admin; never a built-in).
   * Someone who may not see a lab is told it does not exist.
   */
  private async labFor(user: SessionUser, slug: string, need: "read" | "edit"): Promise<LabRow> {
    assertAuthor(user);
    const row = await this.deps.prisma.lab.findUnique({ where: { slug }, select: { id: true, slug: true, origin: true, ownerId: true, archivedAt: true, currentVersionId: true } });
    const visible = row && (row.origin === "builtin" || user.role === "admin" || row.ownerId === user.id);
    if (!row || !visible) throw new DomainError("NOT_FOUND", `There is no lab called "${slug}" that you can see.`);
    if (need === "edit" && !canEdit(user, row)) {
      throw new DomainError(
        "FORBIDDEN",
        row.origin === "builtin" ? `"${slug}" is a built-in lab: change labs/${slug}/lab.md in the repository, or create a new lab from its text.` : `Only the lab's owner or an admin may change "${slug}".`,
      );
    }
    return row;
  }

  private async names(ids: (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((x): x is string => !!x))];
    if (!wanted.length) return new Map();
    const users = await this.deps.prisma.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
    return new Map(users.map((u) => [u.id, u.name]));
  }
}

/** What the lab page shows of a lab, for the editor's preview. */
export interface LabPreview {
  title: string;
  summary: string;
  difficulty: string;
  durationMinutes: number;
  environment: "node" | "cluster";
  sections: { cgroup: 1 | 2 | null; markdown: string }[];
  tasks: { id: string; title: string; points: number; hints: string[] }[];
}

function previewOf(lab: LabDefinition): LabPreview {
  return {
    title: lab.title,
    summary: lab.summary,
    difficulty: lab.difficulty,
    durationMinutes: lab.durationMinutes,
    environment: lab.environment,
    sections: bodySections(lab.body).sections.map(({ cgroup, markdown }) => ({ cgroup, markdown })),
    tasks: lab.tasks.map((t) => ({ id: t.id, title: t.title, points: t.points, hints: t.hints.map((h) => (typeof h === "string" ? h : JSON.stringify(h))) })),
  };
}

function assertAuthor(user: SessionUser): void {
  if (user.role !== "instructor" && user.role !== "admin") throw new DomainError("FORBIDDEN", "Only instructors and admins write labs.");
}

function canEdit(user: SessionUser, lab: { origin: string; ownerId: string | null }): boolean {
  return lab.origin === "authored" && (user.role === "admin" || lab.ownerId === user.id);
}

function hash(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}
