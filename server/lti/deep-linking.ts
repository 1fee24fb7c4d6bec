import { randomBytes, randomUUID } from "node:crypto";
import type { SessionUser } from "../auth/principal";
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { LabCatalogService, LabListItem } from "../labs/service";
import { CLAIM, LTI_VERSION, MESSAGE_TYPE } from "./claims";
import type { ToolKeys } from "./keys";
import type { VerifiedLaunch } from "./launch";

/** How long an instructor has to pick labs after the LMS opened the picker. */
export const DEEP_LINK_TTL_MS = 30 * 60_000;

/** An `ltiResourceLink` content item (Deep Linking 2.0 §3.4.2) for one lab, with its line item. */
export interface LabContentItem {
  type: "ltiResourceLink";
  title: string;
  text: string;
  url: string;
  custom: { lab: string };
  lineItem: { scoreMaximum: number; label: string; resourceId: string };
}

/** What the picker page shows. */
export interface DeepLinkPicker {
  id: string;
  platformName: string;
  acceptMultiple: boolean;
  labs: (LabListItem & { maxPoints: number })[];
}

/** The labs points, as the line item's maximum: every task's points added up. */
async function maxPointsOf(labs: LabCatalogService, slug: string): Promise<number> {
  const def = await labs.get(slug);
  return def.tasks.reduce((n, t) => n + t.points, 0);
}

/**
 * Deep Linking 2.0: an instructor's LtiDeepLinkingRequest becomes a pending
 * request (theirs only, used once, for DEEP_LINK_TTL_MS); they pick labs on
 * our page; the labs go back to the LMS as a signed LtiDeepLinkingResponse,
 * each an LTI resource link to the lab with a line item worth the lab's
 * points (resourceId: the lab's slug).
 */
export class DeepLinking {
  constructor(private readonly deps: { prisma: PrismaClient; labs: LabCatalogService; keys: ToolKeys; publicUrl: string; clock?: () => Date }) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Stores the request of a verified deep-linking launch for `userId`; returns the picker's id. */
  async begin(launch: VerifiedLaunch, userId: string): Promise<string> {
    const settings = launch.deepLinking;
    if (!settings) throw new Error("not a deep-linking launch");
    const id = randomBytes(24).toString("base64url");
    await this.deps.prisma.ltiDeepLinkRequest.create({
      data: {
        id,
        platformId: launch.platform.id,
        userId,
        deploymentId: launch.deploymentId,
        returnUrl: settings.returnUrl,
        data: settings.data,
        acceptMultiple: settings.acceptMultiple,
        expiresAt: new Date(this.now().getTime() + DEEP_LINK_TTL_MS),
      },
    });
    return id;
  }

  /** The pending request `id` of `user` (NOT_FOUND when not theirs, used or expired). */
  private async pending(user: SessionUser, id: string) {
    const row = await this.deps.prisma.ltiDeepLinkRequest.findUnique({ where: { id }, include: { platform: true } });
    if (!row || row.userId !== user.id) throw new DomainError("NOT_FOUND", "There is no such request to add labs; open the LMS's “add activity” dialog again.");
    if (row.usedAt) throw new DomainError("CONFLICT", "These labs were already sent to the LMS; open its “add activity” dialog again to add more.");
    if (row.expiresAt <= this.now()) throw new DomainError("CONFLICT", "This request to add labs is older than 30 minutes; open the LMS's “add activity” dialog again.");
    return row;
  }

  /** The picker: the catalog with each lab's points. */
  async picker(user: SessionUser, id: string): Promise<DeepLinkPicker> {
    const row = await this.pending(user, id);
    const labs = await this.deps.labs.list();
    const withPoints = await Promise.all(labs.map(async (l) => ({ ...l, maxPoints: await maxPointsOf(this.deps.labs, l.slug) })));
    return { id, platformName: row.platform.name, acceptMultiple: row.acceptMultiple, labs: withPoints };
  }

  /** The content item of one lab. */
  async contentItem(slug: string): Promise<LabContentItem> {
    const def = await this.deps.labs.get(slug);
    return {
      type: "ltiResourceLink",
      title: def.title,
      text: def.summary,
      url: `${this.deps.publicUrl}/labs/${slug}`,
      custom: { lab: slug },
      lineItem: { scoreMaximum: await maxPointsOf(this.deps.labs, slug), label: def.title, resourceId: slug },
    };
  }

  /**
   * Spends the request and signs the response carrying `slugs` (in the order
   * given). Returns where the browser must POST it (as the form field JWT).
   */
  async respond(user: SessionUser, id: string, slugs: string[]): Promise<{ returnUrl: string; jwt: string; count: number }> {
    const row = await this.pending(user, id);
    const unique = [...new Set(slugs)];
    if (!unique.length) throw new DomainError("BAD_REQUEST", "Pick at least one lab to add.");
    if (unique.length > 1 && !row.acceptMultiple) throw new DomainError("BAD_REQUEST", "This place in the LMS takes one lab only; pick one.");
    const items = await Promise.all(unique.map((slug) => this.contentItem(slug)));
    const spent = await this.deps.prisma.ltiDeepLinkRequest.updateMany({ where: { id, usedAt: null }, data: { usedAt: this.now() } });
    if (spent.count !== 1) throw new DomainError("CONFLICT", "These labs were already sent to the LMS; open its “add activity” dialog again to add more.");
    const jwt = await this.deps.keys.sign(
      {
        iss: row.platform.clientId,
        aud: row.platform.issuer,
        nonce: randomUUID(),
        [CLAIM.messageType]: MESSAGE_TYPE.deepLinkingResponse,
        [CLAIM.version]: LTI_VERSION,
        [CLAIM.deploymentId]: row.deploymentId,
        [CLAIM.contentItems]: items,
        [CLAIM.deepLinkingMessage]: `${items.length} lab${items.length === 1 ? "" : "s"} added from Runtime Labs.`,
        ...(row.data !== null ? { [CLAIM.deepLinkingData]: row.data } : {}),
      },
      300,
    );
    return { returnUrl: row.returnUrl, jwt, count: items.length };
  }
}
