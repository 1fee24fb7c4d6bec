import type { SessionUser } from "../auth/principal";
import { DomainError } from "../errors";
import { parseField } from "../fields";
import type { PrismaClient } from "../generated/prisma/client";
import { platformInput, type PlatformInput } from "./fields";
import { isUniqueViolation } from "./unique";

/** A registered LMS as admins see it. */
export interface PlatformSummary {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  authUrl: string;
  tokenUrl: string;
  tokenAudience: string | null;
  jwksUrl: string;
  createdAt: Date;
}

const SUMMARY = {
  id: true,
  name: true,
  issuer: true,
  clientId: true,
  deploymentIds: true,
  authUrl: true,
  tokenUrl: true,
  tokenAudience: true,
  jwksUrl: true,
  createdAt: true,
} as const;

function assertAdmin(user: Pick<SessionUser, "role">): void {
  if (user.role !== "admin") throw new DomainError("FORBIDDEN", "Only administrators can register an LMS.");
}

/** Deployment ids without blanks or repeats, in the order given. */
function normalise(input: PlatformInput): PlatformInput {
  return { ...input, deploymentIds: [...new Set(input.deploymentIds)], tokenAudience: input.tokenAudience || null };
}

function conflict(err: unknown, input: PlatformInput): never {
  if (isUniqueViolation(err)) {
    throw new DomainError("CONFLICT", `An LMS with issuer ${input.issuer} and client id ${input.clientId} is already registered; edit that one.`);
  }
  throw err;
}

/**
 * LMS registrations (admins only): what the LMS told its admin about us is
 * entered here, and every launch is checked against it.
 */
export class PlatformRegistry {
  constructor(private readonly prisma: PrismaClient) {}

  async list(user: SessionUser): Promise<PlatformSummary[]> {
    assertAdmin(user);
    return this.prisma.ltiPlatform.findMany({ orderBy: { createdAt: "asc" }, select: SUMMARY });
  }

  async create(user: SessionUser, raw: PlatformInput): Promise<PlatformSummary> {
    assertAdmin(user);
    const input = normalise(parseField(platformInput, raw));
    return this.prisma.ltiPlatform.create({ data: input, select: SUMMARY }).catch((err: unknown) => conflict(err, input));
  }

  async update(user: SessionUser, id: string, raw: PlatformInput): Promise<PlatformSummary> {
    assertAdmin(user);
    const input = normalise(parseField(platformInput, raw));
    const found = await this.prisma.ltiPlatform.findUnique({ where: { id }, select: { id: true } });
    if (!found) throw new DomainError("NOT_FOUND", "There is no such LMS registration.");
    return this.prisma.ltiPlatform.update({ where: { id }, data: input, select: SUMMARY }).catch((err: unknown) => conflict(err, input));
  }

  /** Removes a registration with its pending logins, contexts and grade links (accounts stay). */
  async remove(user: SessionUser, id: string): Promise<void> {
    assertAdmin(user);
    const { count } = await this.prisma.ltiPlatform.deleteMany({ where: { id } });
    if (!count) throw new DomainError("NOT_FOUND", "There is no such LMS registration.");
  }

  /** The registration a login initiation names: by issuer, and by client id when the LMS sends one. */
  async forLogin(issuer: string, clientId: string | null) {
    const matches = await this.prisma.ltiPlatform.findMany({ where: { issuer, ...(clientId ? { clientId } : {}) }, take: 2 });
    return matches;
  }
}
