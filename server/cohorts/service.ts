import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { DomainError } from "../errors";
import { cohortName, labSlug, parseField } from "../fields";
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { GradingService, TaskView } from "../grading/service";
import type { CohortResults } from "../grades/types";
import type { LabCatalogService } from "../labs/service";
import { pinLabVersion } from "./pins";
import type { SessionService } from "../sessions/service";
import type { SessionUser } from "../auth/principal";
import { assertCanManageCohort, canWatchSession } from "../auth/access";
import { cohortResultsFeed } from "./results-feed";

/** A cohort as its instructor sees it in lists. */
export interface CohortSummary {
  id: string;
  name: string;
  joinCode: string;
  dueAt: Date | null;
  archivedAt: Date | null;
  /** Whether tasks learners passed before joining earn points in this cohort's grades. */
  includeWorkBeforeJoining: boolean;
  /** Whether learners may fast-forward this cohort's labs (server/grading/fast-forward.ts). */
  allowFastForward: boolean;
  createdAt: Date;
  owner: { id: string; name: string };
  /** Each lab with the version the cohort pins (null: follows the latest) and the published versions it could pin. */
  labs: { slug: string; title: string; pinnedVersion: number | null; publishedVersions: number[] }[];
  memberCount: number;
}

/** A cohort as a learner sees it (no join code beyond their own, no members). */
export interface MyCohort {
  id: string;
  name: string;
  dueAt: Date | null;
  labs: { slug: string; title: string }[];
}

/** What the join page shows before the learner joins. */
export interface CohortPreview {
  name: string;
  dueAt: Date | null;
  owner: string;
  labs: { slug: string; title: string }[];
  archived: boolean;
  alreadyMember: boolean;
}

/** One change of a task's result, as the drill-down shows it. */
export interface TaskHistoryEntry {
  id: string;
  taskId: string;
  status: "pending" | "passed" | "failed";
  message: string | null;
  evidence: unknown;
  trigger: string;
  at: Date;
}

/** Everything an instructor sees about one learner's session. */
export interface SessionDetail {
  session: {
    id: string;
    state: string;
    reason: string | null;
    createdAt: Date;
    endedAt: Date | null;
    expiresAt: Date | null;
    lab: { slug: string; title: string };
    learner: { id: string; name: string; email: string };
  };
  tasks: TaskView[];
  history: TaskHistoryEntry[];
  /** Terminals the learner has open now (to watch read-only). */
  terminals: { terminalId: string; clients: number }[];
}

export interface CohortInput {
  name: string;
  labSlugs: string[];
  dueAt?: Date | null;
  includeWorkBeforeJoining?: boolean;
  allowFastForward?: boolean;
}

export interface CohortServiceDeps {
  prisma: PrismaClient;
  labs: LabCatalogService;
  grading: GradingService;
  sessions: SessionService;
  /** The results matrix (server/grades/cohort-results.ts). */
  results: (cohortId: string) => Promise<CohortResults>;
  /** Open terminals of a session, when a terminal gateway runs in this process. */
  terminals?: () => { list(sessionId: string): { terminalId: string; clients: number }[] } | null;
}

// Crockford-style alphabet without look-alikes (no 0/O, 1/I/L): join codes
// get read aloud and typed from slides.
const CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const CODE_LENGTH = 10;

/** A random join code (about 49 bits): unguessable enough for a link that only grants joining. */
export function newJoinCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  return [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
}

const HISTORY_LIMIT = 200;

/** What a CohortSummary is read from (one query for one cohort or many). */
const SUMMARY_INCLUDE = {
  owner: { select: { id: true, name: true } },
  labs: {
    orderBy: { position: "asc" },
    include: { lab: { select: { slug: true, title: true, versions: { where: { publishedAt: { not: null } }, orderBy: { number: "desc" }, take: 50, select: { number: true } } } } },
  },
  _count: { select: { members: true } },
} satisfies Prisma.CohortInclude;

function toSummary(c: Prisma.CohortGetPayload<{ include: typeof SUMMARY_INCLUDE }>): CohortSummary {
  return {
    id: c.id,
    name: c.name,
    joinCode: c.joinCode,
    dueAt: c.dueAt,
    archivedAt: c.archivedAt,
    includeWorkBeforeJoining: c.includeWorkBeforeJoining,
    allowFastForward: c.allowFastForward,
    createdAt: c.createdAt,
    owner: c.owner,
    labs: c.labs.map((l) => ({ slug: l.lab.slug, title: l.lab.title, pinnedVersion: l.pinnedVersion, publishedVersions: l.lab.versions.map((v) => v.number) })),
    memberCount: c._count.members,
  };
}

/**
 * Cohorts: an instructor's group of learners and the labs they work on.
 * Instructors create and manage their own cohorts (admins any), share a join
 * link, and watch the results matrix live. Learners join with the link.
 */
export class CohortService {
  /** Emits a cohort id when its membership or labs change. */
  private readonly events = new EventEmitter();

  constructor(private readonly deps: CohortServiceDeps) {
    this.events.setMaxListeners(0);
  }

  private get prisma() {
    return this.deps.prisma;
  }

  // ---- instructors ---------------------------------------------------------

  async create(user: SessionUser, input: CohortInput): Promise<CohortSummary> {
    if (user.role === "learner") throw new DomainError("FORBIDDEN", "Only instructors can create cohorts.");
    const name = parseField(cohortName, input.name);
    const labIds = await this.resolveLabs(input.labSlugs);
    const cohort = await this.prisma.cohort.create({
      data: {
        name,
        dueAt: input.dueAt ?? null,
        joinCode: newJoinCode(),
        ownerId: user.id,
        labs: { create: labIds.map((labId, position) => ({ labId, position })) },
      },
    });
    return this.summary(cohort.id);
  }

  async update(user: SessionUser, cohortId: string, input: Partial<CohortInput>): Promise<CohortSummary> {
    await this.managed(user, cohortId);
    const name = input.name !== undefined ? parseField(cohortName, input.name) : undefined;
    const labIds = input.labSlugs ? await this.resolveLabs(input.labSlugs) : null;
    await this.prisma.$transaction(async (tx) => {
      await tx.cohort.update({
        where: { id: cohortId },
        data: {
          ...(name !== undefined ? { name } : {}),
          ...(input.dueAt !== undefined ? { dueAt: input.dueAt } : {}),
          ...(input.includeWorkBeforeJoining !== undefined ? { includeWorkBeforeJoining: input.includeWorkBeforeJoining } : {}),
          ...(input.allowFastForward !== undefined ? { allowFastForward: input.allowFastForward } : {}),
        },
      });
      if (labIds) {
        // Labs that stay keep their pinned versions.
        const pins = new Map((await tx.cohortLab.findMany({ where: { cohortId }, select: { labId: true, pinnedVersion: true } })).map((l) => [l.labId, l.pinnedVersion]));
        await tx.cohortLab.deleteMany({ where: { cohortId } });
        await tx.cohortLab.createMany({ data: labIds.map((labId, position) => ({ cohortId, labId, position, pinnedVersion: pins.get(labId) ?? null })) });
      }
    });
    this.events.emit(cohortId);
    return this.summary(cohortId);
  }

  /** Archived cohorts keep their results but accept no new members. */
  async archive(user: SessionUser, cohortId: string, archived = true): Promise<CohortSummary> {
    await this.managed(user, cohortId);
    await this.prisma.cohort.update({ where: { id: cohortId }, data: { archivedAt: archived ? new Date() : null } });
    this.events.emit(cohortId);
    return this.summary(cohortId);
  }

  /** A new join code; links with the old one stop working. */
  /** Pins a lab of the cohort to a published version (new sessions of its learners get it), or follows the latest (null). */
  async pinLabVersion(user: SessionUser, cohortId: string, labSlug: string, number: number | null): Promise<CohortSummary> {
    await this.managed(user, cohortId);
    await pinLabVersion(this.prisma, cohortId, labSlug, number);
    return this.summary(cohortId);
  }

  async rotateJoinCode(user: SessionUser, cohortId: string): Promise<CohortSummary> {
    await this.managed(user, cohortId);
    await this.prisma.cohort.update({ where: { id: cohortId }, data: { joinCode: newJoinCode() } });
    return this.summary(cohortId);
  }

  async removeMember(user: SessionUser, cohortId: string, userId: string): Promise<void> {
    await this.managed(user, cohortId);
    await this.prisma.cohortMember.deleteMany({ where: { cohortId, userId } });
    this.events.emit(cohortId);
  }

  /** Cohorts the user manages: their own (instructors) or all (admins), newest first. */
  async list(user: SessionUser): Promise<CohortSummary[]> {
    if (user.role === "learner") return [];
    const rows = await this.prisma.cohort.findMany({
      where: user.role === "admin" ? {} : { ownerId: user.id },
      orderBy: [{ archivedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
      include: SUMMARY_INCLUDE,
    });
    return rows.map(toSummary);
  }

  async get(user: SessionUser, cohortId: string): Promise<CohortSummary> {
    await this.managed(user, cohortId);
    return this.summary(cohortId);
  }

  /** The learners x tasks matrix. */
  async results(user: SessionUser, cohortId: string): Promise<CohortResults> {
    await this.managed(user, cohortId);
    return this.deps.results(cohortId);
  }

  /**
   * The matrix now and again after every change that touches it, for as
   * long as the caller may manage the cohort (results-feed.ts).
   */
  async *watchResults(user: SessionUser, cohortId: string, signal?: AbortSignal): AsyncGenerator<CohortResults> {
    await this.managed(user, cohortId);
    yield* cohortResultsFeed(
      cohortId,
      {
        prisma: this.prisma,
        grading: this.deps.grading,
        sessions: this.deps.sessions,
        results: (id) => this.deps.results(id),
        onCohortChange: (listener) => {
          this.events.on(cohortId, listener);
          return () => this.events.off(cohortId, listener);
        },
        assertStillAllowed: async () => {
          const current = await this.prisma.user.findUnique({ where: { id: user.id }, select: { id: true, role: true } });
          await this.managed({ ...user, role: current?.role ?? "learner" }, cohortId);
        },
      },
      signal,
    );
  }

  /**
   * One learner's session for the drill-down: checklist, the history of
   * check results with evidence, and the terminals open now. The session's
   * owner, admins, and instructors of a cohort with that learner and lab.
   */
  async sessionDetail(user: SessionUser, sessionId: string): Promise<SessionDetail> {
    const row = await this.prisma.labSession.findUnique({
      where: { id: sessionId },
      include: { lab: { select: { slug: true, title: true } }, user: { select: { id: true, name: true, email: true } } },
    });
    if (!row || !(await canWatchSession(this.prisma, user, row))) throw new DomainError("NOT_FOUND", "That lab session does not exist.");
    const [tasks, events] = await Promise.all([
      this.deps.grading.results(user, sessionId),
      this.prisma.taskEvent.findMany({ where: { sessionId }, orderBy: { createdAt: "desc" }, take: HISTORY_LIMIT }),
    ]);
    return {
      session: {
        id: row.id,
        state: row.state,
        reason: row.stateReason,
        createdAt: row.createdAt,
        endedAt: row.endedAt,
        expiresAt: row.expiresAt,
        lab: row.lab,
        learner: row.user,
      },
      tasks,
      history: events.map((e) => ({ id: e.id, taskId: e.taskId, status: e.status, message: e.message, evidence: e.evidence, trigger: e.trigger, at: e.createdAt })),
      terminals: row.state === "ready" ? (this.deps.terminals?.()?.list(sessionId) ?? []) : [],
    };
  }

  // ---- learners ------------------------------------------------------------

  /** What a join link leads to; NOT_FOUND for a wrong code. */
  async preview(user: SessionUser, joinCode: string): Promise<CohortPreview> {
    const cohort = await this.byCode(joinCode);
    const member = await this.prisma.cohortMember.findUnique({ where: { cohortId_userId: { cohortId: cohort.id, userId: user.id } } });
    const s = await this.summary(cohort.id);
    return { name: s.name, dueAt: s.dueAt, owner: s.owner.name, labs: s.labs, archived: s.archivedAt !== null, alreadyMember: member !== null };
  }

  /** Joins the cohort behind a join code. Joining twice is harmless. */
  async join(user: SessionUser, joinCode: string): Promise<MyCohort> {
    const cohort = await this.byCode(joinCode);
    if (cohort.archivedAt) throw new DomainError("CONFLICT", `The cohort "${cohort.name}" is closed; ask your instructor for a new link.`);
    await this.prisma.cohortMember.upsert({
      where: { cohortId_userId: { cohortId: cohort.id, userId: user.id } },
      create: { cohortId: cohort.id, userId: user.id },
      update: {},
    });
    this.events.emit(cohort.id);
    const s = await this.summary(cohort.id);
    return { id: s.id, name: s.name, dueAt: s.dueAt, labs: s.labs };
  }

  /** Live cohorts the user belongs to. */
  async mine(user: SessionUser): Promise<MyCohort[]> {
    // One query: the catalog page asks on every load.
    const rows = await this.prisma.cohortMember.findMany({
      where: { userId: user.id, cohort: { archivedAt: null } },
      orderBy: { joinedAt: "desc" },
      select: { cohort: { select: { id: true, name: true, dueAt: true, labs: SUMMARY_INCLUDE.labs } } },
    });
    return rows.map(({ cohort: c }) => ({ id: c.id, name: c.name, dueAt: c.dueAt, labs: c.labs.map((l) => l.lab) }));
  }

  async leave(user: SessionUser, cohortId: string): Promise<void> {
    await this.prisma.cohortMember.deleteMany({ where: { cohortId, userId: user.id } });
    this.events.emit(cohortId);
  }

  // ---- helpers -------------------------------------------------------------

  private async managed(user: SessionUser, cohortId: string) {
    const cohort = await this.prisma.cohort.findUnique({ where: { id: cohortId }, select: { id: true, ownerId: true } });
    assertCanManageCohort(user, cohort);
    return cohort;
  }

  private async byCode(joinCode: string) {
    const cohort = await this.prisma.cohort.findUnique({ where: { joinCode: joinCode.trim().toLowerCase() } });
    if (!cohort) throw new DomainError("NOT_FOUND", "That join link is not valid: check it was copied whole, or ask your instructor for a new one.");
    return cohort;
  }

  /** Lab ids for slugs, in the given order; every slug must be a lab in the catalog. */
  private async resolveLabs(slugs: string[]): Promise<string[]> {
    // Checked here too: the slugs go into a query and, when unknown, into the refusal.
    const unique = [...new Set(slugs.map((slug) => parseField(labSlug, slug)))];
    if (!unique.length) throw new DomainError("BAD_REQUEST", "Choose at least one lab for the cohort.");
    const rows = await this.prisma.lab.findMany({ where: { slug: { in: unique }, archivedAt: null }, select: { id: true, slug: true } });
    const bySlug = new Map(rows.map((r) => [r.slug, r.id]));
    const missing = unique.filter((s) => !bySlug.has(s));
    if (missing.length) throw new DomainError("BAD_REQUEST", `No such lab in the catalog: ${missing.map((s) => `"${s}"`).join(", ")}.`);
    return unique.map((s) => bySlug.get(s)!);
  }

  private async summary(cohortId: string): Promise<CohortSummary> {
    return toSummary(await this.prisma.cohort.findUniqueOrThrow({ where: { id: cohortId }, include: SUMMARY_INCLUDE }));
  }
}
