import { z } from "zod";
import { idField, webhookUrl } from "../../fields";
import { WEBHOOK_EVENTS } from "../../webhooks/events";
import { createWebhook, deleteWebhook, listWebhooks, pingWebhook, recentDeliveries } from "../../webhooks/manage";
import { instructorProcedure, router } from "../init";

const cohortId = z.object({ cohortId: idField("The cohort id") });
const webhookId = z.object({ webhookId: idField("The webhook id") });

/** A cohort's webhooks, for whoever manages the cohort (its instructor, or an admin). */
export const webhooksRouter = router({
  list: instructorProcedure.input(cohortId).query(({ ctx, input }) => listWebhooks(ctx.services.db.prisma, ctx.user, input.cohortId)),

  /** Adds a webhook; the answer holds its signing secret, which is never shown again. */
  create: instructorProcedure
    .input(cohortId.extend({ url: webhookUrl, events: z.array(z.enum(WEBHOOK_EVENTS)).max(WEBHOOK_EVENTS.length).optional() }))
    .mutation(({ ctx, input }) => createWebhook(ctx.services.db.prisma, ctx.user, input, { allowPrivateTargets: ctx.services.env.WEBHOOK_ALLOW_PRIVATE_TARGETS })),

  delete: instructorProcedure.input(webhookId).mutation(({ ctx, input }) => deleteWebhook(ctx.services.db.prisma, ctx.user, input.webhookId)),

  /** Sends a signed test event to the receiver now. */
  ping: instructorProcedure.input(webhookId).mutation(async ({ ctx, input }) => {
    const queued = await pingWebhook(ctx.services.db.prisma, ctx.user, input.webhookId);
    ctx.services.webhooks.worker.wake();
    return queued;
  }),

  /** The cohort's latest deliveries with their status, attempts and last error. */
  deliveries: instructorProcedure
    .input(cohortId.extend({ limit: z.number().int().min(1).max(100).default(25) }))
    .query(({ ctx, input }) => recentDeliveries(ctx.services.db.prisma, ctx.user, input.cohortId, input.limit)),
});
