import type { PrismaClient } from "../generated/prisma/client";
import type { GradingEvent, GradingService } from "../grading/service";
import type { LabCatalogService } from "../labs/service";
import { learnerLabGrade } from "../grades/learner-lab";
import type { GradeEventPayload } from "./events";

type WebhookGradingEvent = Extract<GradingEvent, { type: "task.passed" | "lab.completed" }>;

/**
 * Turns grading events into webhook deliveries: one pending WebhookDelivery
 * row per active webhook (subscribed to the event) of every live cohort that
 * has the learner as a member and the lab among its labs. Rows, not requests:
 * the worker sends them, retries them and survives restarts.
 */
export class WebhookDispatcher {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      labs: LabCatalogService;
      log?: (msg: string) => void;
      /** Called after rows were added (the worker sends them at once instead of at its next poll). */
      onEnqueued?: () => void;
    },
  ) {}

  /** Subscribes to grading; returns the function that unsubscribes. */
  attach(grading: Pick<GradingService, "onEvent">): () => void {
    return grading.onEvent((event) => this.handle(event).then(() => undefined));
  }

  /** Enqueues deliveries for one event; returns how many. Other event types are ignored. */
  async handle(event: GradingEvent): Promise<number> {
    if (event.type !== "task.passed" && event.type !== "lab.completed") return 0;
    const prisma = this.deps.prisma;
    const webhooks = await prisma.webhook.findMany({
      where: {
        active: true,
        events: { has: event.type },
        cohort: { archivedAt: null, members: { some: { userId: event.userId } }, labs: { some: { lab: { slug: event.labSlug } } } },
      },
      select: { id: true, cohort: { select: { id: true, name: true } } },
    });
    if (!webhooks.length) return 0;
    const body = await this.payloadBase(event);
    if (!body) return 0;
    await prisma.webhookDelivery.createMany({
      data: webhooks.map((w) => ({ webhookId: w.id, event: event.type, payload: JSON.parse(JSON.stringify({ ...body, cohort: w.cohort })), nextAttemptAt: new Date() })),
    });
    this.deps.log?.(`webhooks: ${event.type} of ${event.labSlug} for ${event.userId}: ${webhooks.length} delivery(ies) queued`);
    this.deps.onEnqueued?.();
    return webhooks.length;
  }

  /** Everything in the payload but the cohort (the same for each cohort's webhook). */
  private async payloadBase(event: WebhookGradingEvent): Promise<Omit<GradeEventPayload, "cohort"> | null> {
    const prisma = this.deps.prisma;
    const [user, lab] = await Promise.all([
      prisma.user.findUnique({ where: { id: event.userId }, select: { id: true, name: true, email: true } }),
      prisma.lab.findUnique({ where: { slug: event.labSlug }, select: { id: true, slug: true, title: true, archivedAt: true } }),
    ]);
    if (!user || !lab) return null;
    const { tasks, cell } = await learnerLabGrade(prisma, this.deps.labs, user.id, lab);
    const task = event.type === "task.passed" ? tasks.list.find((t) => t.id === event.taskId) : undefined;
    return {
      event: event.type,
      occurredAt: event.at.toISOString(),
      learner: user,
      lab: { slug: lab.slug, title: lab.title },
      session: { id: event.sessionId },
      ...(event.type === "task.passed" ? { task: task ?? { id: event.taskId, title: event.taskId, points: 0 } } : {}),
      labScore: { points: cell.points, maxPoints: cell.maxPoints, score: cell.score, completedAt: cell.completedAt?.toISOString() ?? null },
    };
  }
}
