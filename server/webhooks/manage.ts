import { assertCanManageCohort } from "../auth/access";
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { SessionUser } from "../auth/principal";
import { WEBHOOK_EVENTS, type PingPayload, type WebhookEvent } from "./events";
import { generateWebhookSecret } from "./signing";
import { parseWebhookUrl, PUBLIC_TARGETS_ONLY, type WebhookTargetPolicy } from "./url";

/**
 * Webhooks of a cohort, managed by whoever manages the cohort (its
 * instructor, or an admin). The secret is returned once, at creation.
 */

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: Date;
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  url: string;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** Webhooks one cohort may have: enough for an LMS, a chat bot and a spare. */
export const MAX_WEBHOOKS_PER_COHORT = 10;

const VIEW = { id: true, url: true, events: true, active: true, createdAt: true } as const;

async function assertCohort(prisma: PrismaClient, user: Pick<SessionUser, "id" | "role">, cohortId: string) {
  const cohort = await prisma.cohort.findUnique({ where: { id: cohortId }, select: { id: true, name: true, ownerId: true } });
  assertCanManageCohort(user, cohort);
  return cohort as NonNullable<typeof cohort>;
}

async function assertWebhook(prisma: PrismaClient, user: Pick<SessionUser, "id" | "role">, webhookId: string) {
  const hook = await prisma.webhook.findUnique({ where: { id: webhookId }, select: { id: true, cohortId: true, cohort: { select: { id: true, name: true, ownerId: true } } } });
  // The same answer as for a missing webhook, so ids of others' webhooks cannot be probed.
  if (!hook) throw new DomainError("NOT_FOUND", "That webhook does not exist, or it is not yours.");
  try {
    assertCanManageCohort(user, hook.cohort);
  } catch {
    throw new DomainError("NOT_FOUND", "That webhook does not exist, or it is not yours.");
  }
  return hook;
}

export async function listWebhooks(prisma: PrismaClient, user: Pick<SessionUser, "id" | "role">, cohortId: string): Promise<WebhookView[]> {
  await assertCohort(prisma, user, cohortId);
  return prisma.webhook.findMany({ where: { cohortId }, orderBy: { createdAt: "asc" }, select: VIEW });
}

/**
 * Adds a webhook; `secret` is shown to the instructor now and never again.
 * `policy` is the operator's (env WEBHOOK_ALLOW_PRIVATE_TARGETS): by default
 * URLs naming loopback, private or link-local addresses are refused.
 */
export async function createWebhook(
  prisma: PrismaClient,
  user: Pick<SessionUser, "id" | "role">,
  input: { cohortId: string; url: string; events?: WebhookEvent[] },
  policy: WebhookTargetPolicy = PUBLIC_TARGETS_ONLY,
): Promise<{ webhook: WebhookView; secret: string }> {
  await assertCohort(prisma, user, input.cohortId);
  const url = parseWebhookUrl(input.url, policy);
  const events = [...new Set(input.events?.length ? input.events : WEBHOOK_EVENTS)];
  const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (unknown.length) throw new DomainError("BAD_REQUEST", `Unknown webhook event(s): ${unknown.join(", ")}; choose from ${WEBHOOK_EVENTS.join(", ")}.`);
  const secret = generateWebhookSecret();
  const webhook = await prisma.$transaction(async (tx) => {
    // Two instructors adding a webhook at the same moment must not both pass
    // the count: the cohort's row is locked until this transaction ends, so
    // the second waits and then counts the first one's webhook.
    await tx.$queryRaw`SELECT id FROM cohorts WHERE id = ${input.cohortId} FOR UPDATE`;
    if ((await tx.webhook.count({ where: { cohortId: input.cohortId } })) >= MAX_WEBHOOKS_PER_COHORT) {
      throw new DomainError("CONFLICT", `This cohort already has ${MAX_WEBHOOKS_PER_COHORT} webhooks; remove one first.`);
    }
    return tx.webhook.create({ data: { cohortId: input.cohortId, url: url.toString(), secret, events }, select: VIEW });
  });
  return { webhook, secret };
}

/** Removes a webhook and its delivery history. */
export async function deleteWebhook(prisma: PrismaClient, user: Pick<SessionUser, "id" | "role">, webhookId: string): Promise<void> {
  await assertWebhook(prisma, user, webhookId);
  await prisma.webhook.delete({ where: { id: webhookId } });
}

/**
 * Queues a `ping` to one webhook, so an instructor can test a receiver before
 * learners start. At most one waits per webhook: a ping not sent yet
 * refuses another (a button pressed repeatedly cannot pile up requests); a
 * ping waiting for a retry is replaced, so a fixed receiver can be tested
 * again at once. Pings work for archived cohorts too (grading events do not).
 */
export async function pingWebhook(prisma: PrismaClient, user: Pick<SessionUser, "id" | "role">, webhookId: string, now = new Date()): Promise<{ deliveryId: string }> {
  const hook = await assertWebhook(prisma, user, webhookId);
  const payload: PingPayload = {
    event: "ping",
    occurredAt: now.toISOString(),
    cohort: { id: hook.cohort.id, name: hook.cohort.name },
    message: "A test delivery from Runtime Labs: if the signature verifies, this webhook is set up.",
  };
  const row = await prisma.$transaction(async (tx) => {
    // The webhook's row is locked so two presses at once cannot both see "no ping waiting".
    await tx.$queryRaw`SELECT id FROM webhooks WHERE id = ${webhookId} FOR UPDATE`;
    const waiting = await tx.webhookDelivery.findMany({ where: { webhookId, event: "ping", status: "pending" }, select: { id: true, attempts: true } });
    if (waiting.some((d) => d.attempts === 0)) {
      throw new DomainError("CONFLICT", "A test delivery to this webhook has not been sent yet; wait for it to show in the deliveries table before sending another.");
    }
    if (waiting.length) {
      await tx.webhookDelivery.updateMany({
        where: { id: { in: waiting.map((d) => d.id) }, status: "pending" },
        data: { status: "failed", lastError: "Replaced by a newer test delivery before its next retry." },
      });
    }
    return tx.webhookDelivery.create({ data: { webhookId, event: "ping", payload: JSON.parse(JSON.stringify(payload)), nextAttemptAt: now }, select: { id: true } });
  });
  return { deliveryId: row.id };
}

/** The cohort's latest deliveries, newest first, across its webhooks. */
export async function recentDeliveries(prisma: PrismaClient, user: Pick<SessionUser, "id" | "role">, cohortId: string, limit = 25): Promise<DeliveryView[]> {
  await assertCohort(prisma, user, cohortId);
  const rows = await prisma.webhookDelivery.findMany({
    where: { webhook: { cohortId } },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(limit, 1), 100),
    include: { webhook: { select: { url: true } } },
  });
  return rows.map((d) => ({
    id: d.id,
    webhookId: d.webhookId,
    url: d.webhook.url,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    nextAttemptAt: d.status === "pending" ? d.nextAttemptAt : null,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
  }));
}
