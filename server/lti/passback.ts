import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { GradingEvent, GradingService } from "../grading/service";
import { learnerLabGrade } from "../grades/learner-lab";
import type { LabCatalogService } from "../labs/service";
import { retryDelayMs } from "../webhooks/backoff";
import { postScore, scoreOf, type AgsScore } from "./ags";
import { PlatformCallError, type PlatformTokens } from "./token";

export interface PassbackConfig {
  /** How often due deliveries are looked for (new ones wake the worker at once). */
  pollMs: number;
  /** Longest one token request or score POST may take. */
  timeoutMs: number;
  /** Deliveries attempted per round. */
  batchSize: number;
  /** Delivered, failed and superseded deliveries older than this are deleted. */
  retentionMs: number;
  pruneEveryMs: number;
}

export const DEFAULT_PASSBACK_CONFIG: PassbackConfig = {
  pollMs: 2_000,
  timeoutMs: 10_000,
  batchSize: 20,
  retentionMs: 30 * 86_400_000,
  pruneEveryMs: 3_600_000,
};

/** Added to the timeout for a claimed delivery's lease: a crash mid-request leaves it to be retried after this. */
const LEASE_MARGIN_MS = 60_000;

/**
 * Grade passback (AGS): when grading says a task passed or a lab was
 * completed, the learner's score on that lab becomes one pending
 * LtiScoreDelivery per line item they launched it from; a newer score
 * supersedes one not yet sent (the LMS keeps only the latest anyway, and
 * must never get an older one after a newer). The worker POSTs them with a
 * cached token and retries failures with the webhooks' backoff (10 s, 30 s,
 * 2 min, 10 min, 1 h), recording each attempt's status and error.
 */
export class ScorePassback {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = true;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      labs: LabCatalogService;
      tokens: PlatformTokens;
      config?: Partial<PassbackConfig>;
      log?: (msg: string) => void;
      random?: () => number;
      clock?: () => Date;
    },
  ) {}

  private get config(): PassbackConfig {
    return { ...DEFAULT_PASSBACK_CONFIG, ...this.deps.config };
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Subscribes to grading (without touching it); returns the function that unsubscribes. */
  attach(grading: Pick<GradingService, "onEvent">): () => void {
    return grading.onEvent((event: GradingEvent) => {
      if (event.type !== "task.passed" && event.type !== "lab.completed") return Promise.resolve();
      return this.enqueue(event.userId, event.labSlug).then(() => undefined);
    });
  }

  /**
   * Queues the learner's current score on the lab for every line item they
   * launched it from; `onlyWithProgress`: not when nothing has passed yet
   * (a first launch has nothing worth posting). Returns how many were queued.
   */
  async enqueue(userId: string, labSlug: string, onlyWithProgress = false): Promise<number> {
    const prisma = this.deps.prisma;
    const links = await prisma.ltiGradeLink.findMany({ where: { userId, labSlug }, select: { id: true, subject: true } });
    if (!links.length) return 0;
    const lab = await prisma.lab.findUnique({ where: { slug: labSlug }, select: { id: true, slug: true, archivedAt: true } });
    if (!lab) return 0;
    const { tasks, cell } = await learnerLabGrade(prisma, this.deps.labs, userId, lab);
    if (cell.maxPoints <= 0 || (onlyWithProgress && cell.points === 0)) return 0;
    const at = this.now();
    await prisma.$transaction(async (tx) => {
      for (const link of links) {
        const score: AgsScore = scoreOf(link.subject, tasks.list, cell, at);
        await tx.ltiScoreDelivery.updateMany({ where: { linkId: link.id, status: "pending" }, data: { status: "superseded" } });
        await tx.ltiScoreDelivery.create({ data: { linkId: link.id, score: score as unknown as Prisma.InputJsonValue, nextAttemptAt: at } });
      }
    });
    this.deps.log?.(`lti: score ${cell.points}/${cell.maxPoints} on ${labSlug} for ${userId} queued for ${links.length} line item(s)`);
    this.wake();
    return links.length;
  }

  /** Polls for due deliveries until stopped; pending rows left by a previous process are picked up too. */
  start(): void {
    this.stopped = false;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.wake(), this.config.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops polling and waits for a round in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => 0);
  }

  /** Runs a round now, or right after the one in flight. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runOnce()
      .catch((err: unknown) => {
        this.deps.log?.(`lti: score round failed: ${(err as Error).message}`);
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** One round: attempts the deliveries due at `dueAt` (oldest first); returns how many. */
  async runOnce(dueAt: Date = this.now()): Promise<number> {
    await this.pruneIfDue();
    const due = await this.dueOf(dueAt);
    let attempted = 0;
    for (const d of due) if (await this.deliver(d, dueAt)) attempted++;
    return attempted;
  }

  /** Claims, sends and records one delivery; false when another worker claimed it first. */
  private async deliver(d: Awaited<ReturnType<typeof this.dueOf>>[number], dueAt: Date): Promise<boolean> {
    const prisma = this.deps.prisma;
    const lease = new Date(this.now().getTime() + this.config.timeoutMs * 2 + LEASE_MARGIN_MS);
    const claimed = await prisma.ltiScoreDelivery.updateMany({
      where: { id: d.id, status: "pending", attempts: d.attempts, nextAttemptAt: { lte: dueAt } },
      data: { nextAttemptAt: lease },
    });
    if (claimed.count !== 1) return false;
    let statusCode: number | null = null;
    let error: string | null = null;
    let permanent = false;
    try {
      statusCode = await postScore(d.link.platform, d.link.lineItemUrl, d.score as unknown as AgsScore, this.deps.tokens, this.config.timeoutMs);
    } catch (err) {
      const e = err instanceof PlatformCallError ? err : new PlatformCallError(`Posting the score failed: ${(err as Error).message}`, null, false);
      statusCode = e.statusCode;
      error = e.message;
      permanent = e.permanent;
    }
    const attempts = d.attempts + 1;
    const delay = error === null || permanent ? null : retryDelayMs(attempts, this.deps.random);
    const outcome = error === null ? "delivered" : delay === null ? "failed" : "retry";
    await prisma.ltiScoreDelivery.update({
      where: { id: d.id },
      data: {
        attempts,
        lastStatusCode: statusCode,
        lastError: error,
        ...(outcome === "delivered" ? { status: "delivered", deliveredAt: this.now() } : {}),
        ...(outcome === "failed" ? { status: "failed" } : {}),
        ...(outcome === "retry" ? { nextAttemptAt: new Date(this.now().getTime() + delay!) } : {}),
      },
    });
    if (outcome !== "delivered") this.deps.log?.(`lti: score ${d.id} to ${d.link.lineItemUrl}: ${outcome} after ${attempts} attempt(s): ${error}`);
    return true;
  }

  /** The oldest due deliveries, with where they go. */
  private dueOf(dueAt: Date) {
    return this.deps.prisma.ltiScoreDelivery.findMany({
      where: { status: "pending", nextAttemptAt: { lte: dueAt } },
      orderBy: { nextAttemptAt: "asc" },
      take: this.config.batchSize,
      include: { link: { include: { platform: true } } },
    });
  }

  /** The latest deliveries, newest first, as admins see them (no score bodies beyond the numbers). */
  async recent(limit: number) {
    const rows = await this.deps.prisma.ltiScoreDelivery.findMany({
      orderBy: { createdAt: "desc" },
      take: limit,
      include: { link: { select: { labSlug: true, userId: true, lineItemUrl: true, platform: { select: { name: true } } } } },
    });
    return rows.map((r) => {
      const score = r.score as unknown as AgsScore;
      return {
        id: r.id,
        platformName: r.link.platform.name,
        labSlug: r.link.labSlug,
        userId: r.link.userId,
        lineItemUrl: r.link.lineItemUrl,
        scoreGiven: score.scoreGiven,
        scoreMaximum: score.scoreMaximum,
        gradingProgress: score.gradingProgress,
        status: r.status,
        attempts: r.attempts,
        lastStatusCode: r.lastStatusCode,
        lastError: r.lastError,
        createdAt: r.createdAt,
      };
    });
  }

  /** Deletes finished deliveries older than the retention, at most once per pruneEveryMs; expired logins and deep links too. */
  async pruneIfDue(): Promise<number> {
    const now = this.now().getTime();
    if (now - this.lastPruneAt < this.config.pruneEveryMs) return 0;
    this.lastPruneAt = now;
    const prisma = this.deps.prisma;
    const { count } = await prisma.ltiScoreDelivery.deleteMany({
      where: { status: { in: ["delivered", "failed", "superseded"] }, createdAt: { lt: new Date(now - this.config.retentionMs) } },
    });
    // Spent or expired states are kept an hour, so a late replay is told "already used" rather than "unknown".
    const hourAgo = new Date(now - 3_600_000);
    await prisma.ltiLoginState.deleteMany({ where: { expiresAt: { lt: hourAgo } } });
    await prisma.ltiDeepLinkRequest.deleteMany({ where: { expiresAt: { lt: hourAgo } } });
    return count;
  }
}
