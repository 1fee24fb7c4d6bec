import { assertCanManageCohort } from "../auth/access";
import type { SessionUser } from "../auth/principal";
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { LtiAccounts } from "./accounts";
import { isLearnerRole, MEDIA_TYPE, SCOPE } from "./claims";
import type { VerifiedLaunch } from "./launch";
import { excerpt, PlatformCallError, unreachable, type PlatformTokens, type TokenPlatform } from "./token";

/** One member of a course as NRPS 2.0 lists them. */
export interface RosterMember {
  userId: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  roles: string[];
  status: string;
}

/** Pages followed at most (rel="next"), and members read at most: a course, not a campus directory. */
const MAX_PAGES = 50;
const MAX_MEMBERS = 5_000;

/** The URL of the Link header's rel="next", if any. */
export function nextLink(header: string | null): string | null {
  for (const part of (header ?? "").split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1]!;
  }
  return null;
}

/** The course's members from the LMS's roster service, every page. Throws PlatformCallError. */
export async function fetchRoster(platform: TokenPlatform, url: string, tokens: PlatformTokens, timeoutMs = 10_000): Promise<RosterMember[]> {
  const token = await tokens.get(platform, [SCOPE.memberships]);
  const members: RosterMember[] = [];
  let next: string | null = url;
  for (let page = 0; next && page < MAX_PAGES && members.length < MAX_MEMBERS; page++) {
    let res: Response;
    try {
      res = await fetch(next, {
        headers: { authorization: `Bearer ${token}`, accept: MEDIA_TYPE.memberships, "user-agent": "RuntimeLabs-LTI/1" },
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw unreachable(err, next, timeoutMs);
    }
    if (!res.ok) {
      if (res.status === 401) tokens.forget(platform, [SCOPE.memberships]);
      const said = await excerpt(res);
      throw new PlatformCallError(`${platform.name} refused its course roster (HTTP ${res.status}).${said ? ` It said: ${said}` : ""}`, res.status, false);
    }
    const body = (await res.json().catch(() => null)) as { members?: unknown } | null;
    if (!body || !Array.isArray(body.members)) throw new PlatformCallError(`${platform.name}'s roster answer has no members list.`, res.status, false);
    for (const m of body.members as Record<string, unknown>[]) {
      if (typeof m?.user_id !== "string" || !m.user_id) continue;
      members.push({
        userId: m.user_id,
        name: typeof m.name === "string" ? m.name : undefined,
        givenName: typeof m.given_name === "string" ? m.given_name : undefined,
        familyName: typeof m.family_name === "string" ? m.family_name : undefined,
        roles: Array.isArray(m.roles) ? m.roles.filter((r): r is string => typeof r === "string") : [],
        status: typeof m.status === "string" ? m.status : "Active",
      });
    }
    next = nextLink(res.headers.get("link"));
  }
  return members.slice(0, MAX_MEMBERS);
}

/** A course an instructor launched from, as their roster page lists it. */
export interface LtiCourse {
  id: string;
  title: string;
  platformName: string;
  hasRoster: boolean;
}

/** What pulling a roster did. */
export interface RosterSyncReport {
  learners: number;
  added: number;
  alreadyMembers: number;
  accountsMade: number;
}

/**
 * Courses (LTI contexts) and their rosters: launches record the course and
 * who teaches it; its instructors may pull its active learners into a
 * cohort they manage, making accounts (linked by LMS user id) for learners
 * who never launched.
 */
export class Rosters {
  constructor(private readonly deps: { prisma: PrismaClient; accounts: LtiAccounts; tokens: PlatformTokens }) {}

  /** Records the launch's course, its roster URL and, for an instructor, that they teach it. */
  async record(launch: VerifiedLaunch, userId: string): Promise<void> {
    if (!launch.context) return;
    const prisma = this.deps.prisma;
    const key = { platformId_contextId: { platformId: launch.platform.id, contextId: launch.context.id } };
    const row = await prisma.ltiContext.upsert({
      where: key,
      create: {
        platformId: launch.platform.id,
        contextId: launch.context.id,
        title: launch.context.title,
        membershipsUrl: launch.membershipsUrl,
        instructorIds: launch.role === "instructor" ? [userId] : [],
      },
      update: { title: launch.context.title, ...(launch.membershipsUrl ? { membershipsUrl: launch.membershipsUrl } : {}) },
    });
    if (launch.role === "instructor" && !row.instructorIds.includes(userId)) {
      await prisma.ltiContext.update({ where: key, data: { instructorIds: { push: userId } } });
    }
  }

  /** The courses `user` launched from as an instructor (admins: every course). */
  async courses(user: SessionUser): Promise<LtiCourse[]> {
    const rows = await this.deps.prisma.ltiContext.findMany({
      where: user.role === "admin" ? {} : { instructorIds: { has: user.id } },
      orderBy: { updatedAt: "desc" },
      include: { platform: { select: { name: true } } },
    });
    return rows.map((r) => ({ id: r.id, title: r.title, platformName: r.platform.name, hasRoster: r.membershipsUrl !== null }));
  }

  /** Pulls the course's active learners into the cohort (both must be `user`'s to manage). */
  async pull(user: SessionUser, courseId: string, cohortId: string): Promise<RosterSyncReport> {
    const prisma = this.deps.prisma;
    const course = await prisma.ltiContext.findUnique({ where: { id: courseId }, include: { platform: true } });
    if (!course || (user.role !== "admin" && !course.instructorIds.includes(user.id))) {
      throw new DomainError("NOT_FOUND", "There is no such course, or you have not launched from it as its instructor.");
    }
    const cohort = await prisma.cohort.findUnique({ where: { id: cohortId }, select: { ownerId: true, archivedAt: true } });
    assertCanManageCohort(user, cohort);
    if (cohort.archivedAt) throw new DomainError("CONFLICT", "That cohort is archived; restore it before adding learners.");
    if (!course.membershipsUrl) throw new DomainError("CONFLICT", `${course.platform.name} did not offer its roster service (NRPS) in launches from this course.`);
    let members: RosterMember[];
    try {
      members = await fetchRoster(course.platform, course.membershipsUrl, this.deps.tokens);
    } catch (err) {
      if (err instanceof PlatformCallError) throw new DomainError("UNAVAILABLE", `The course roster could not be read: ${err.message}`);
      throw err;
    }
    const learners = members.filter((m) => m.status === "Active" && isLearnerRole(m.roles));
    let accountsMade = 0;
    const userIds: string[] = [];
    for (const m of learners) {
      const linked = await this.deps.accounts.linkOrCreate(course.platform.issuer, m.userId, m, "learner");
      if (linked.created) accountsMade++;
      userIds.push(linked.userId);
    }
    const { count } = await prisma.cohortMember.createMany({ data: userIds.map((id) => ({ cohortId, userId: id })), skipDuplicates: true });
    return { learners: learners.length, added: count, alreadyMembers: userIds.length - count, accountsMade };
  }
}
