import type { PrismaClient } from "../generated/prisma/client";
import { recordWebhookDelivery } from "../observability/metrics";
import { attemptDelivery, type AttemptResult } from "./attempt";
import { retryDelayMs } from "./backoff";
import type { Resolver } from "./post";
import { PUBLIC_TARGETS_ONLY, type WebhookTargetPolicy } from "./url";

export type { AttemptResult } from "./attempt";

export interface WebhookWorkerConfig {
  /** How often due deliveries are looked for (new ones also wake the worker at once). */
  pollMs: number;
  /** Longest one POST may take, from resolving the host to the answer's head (and a failure's body excerpt). */
  timeoutMs: number;
  /** Webhooks served per round (the ones whose oldest due delivery is oldest). */
  batchSize: number;
  /** POSTs in flight at once, each to a different webhook (the host has 2 cores; receivers are mostly waiting). */
  concurrency: number;
  /** Deliveries of one webhook sent per round, one after another; the first failure ends its turn. */
  perWebhookPerRound: number;
  /** Delivered and failed deliveries older than this are deleted. */
  retentionMs: number;
  /** How often old deliveries are pruned. */
  pruneEveryMs: number;
}

export const DEFAULT_WEBHOOK_WORKER_CONFIG: WebhookWorkerConfig = {
  pollMs: 2_000,
  timeoutMs: 10_000,
  batchSize: 20,
  concurrency: 4,
  perWebhookPerRound: 5,
  retentionMs: 30 * 86_400_000,
  pruneEveryMs: 3_600_000,
};

/** Added to the timeout for a claimed delivery's lease: a crash mid-request leaves it to be retried after this. */
const LEASE_MARGIN_MS = 60_000;

type DueDelivery = Awaited<ReturnType<WebhookWorker["dueOf"]>>[number];

/**
 * Sends pending webhook deliveries: picks the due ones, POSTs each signed
 * body with a timeout, marks 2xx delivered, and otherwise schedules the next
 * attempt with backoff (10 s, 30 s, 2 min, 10 min, 1 h) until it gives up and
 * marks it failed. Every attempt's status code and error are recorded.
 *
 * A round serves up to `batchSize` webhooks, `concurrency` of them at once,
 * one delivery per webhook at a time (a receiver sees its events in order
 * and never several connections from us). A webhook whose receiver fails
 * gets no more attempts in that round, so a dead receiver costs one timeout
 * per round and slows only its own cohort. Times written to the database
 * (leases, next attempts) come from the clock when the row is claimed or
 * finished, not when the round began.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      config?: Partial<WebhookWorkerConfig>;
      /** Whether deliveries may reach loopback, private and link-local addresses (env WEBHOOK_ALLOW_PRIVATE_TARGETS); default: no. */
      allowPrivateTargets?: boolean;
      log?: (msg: string) => void;
      random?: () => number;
      /** The time (tests step through backoff with their own clock). */
      clock?: () => Date;
      /** Host name resolution (tests map names to loopback). */
      resolve?: Resolver;
    },
  ) {}

  private get config(): WebhookWorkerConfig {
    return { ...DEFAULT_WEBHOOK_WORKER_CONFIG, ...this.deps.config };
  }

  private get policy(): WebhookTargetPolicy {
    return this.deps.allowPrivateTargets ? { allowPrivateTargets: true } : PUBLIC_TARGETS_ONLY;
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Polls for due deliveries until stopped; pending rows left by a previous process are picked up too. */
  start(): void {
    this.stopped = false;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.wake(), this.config.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops polling and waits for a round in flight (so the database is not closed under it). */
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
        this.deps.log?.(`webhooks: delivery round failed: ${(err as Error).message}`);
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

  /**
   * One round: sends deliveries due at `dueAt` (default: now), prunes old
   * ones if an hour has passed since it last did. Returns how many were
   * attempted.
   */
  async runOnce(dueAt: Date = this.now()): Promise<number> {
    await this.pruneIfDue();
    const config = this.config;
    const webhooks = await this.deps.prisma.webhookDelivery.groupBy({
      by: ["webhookId"],
      where: { status: "pending", nextAttemptAt: { lte: dueAt } },
      _min: { nextAttemptAt: true },
      orderBy: { _min: { nextAttemptAt: "asc" } },
      take: config.batchSize,
    });
    let attempted = 0;
    let moreDue = false;
    await forEachLimited(
      webhooks.map((w) => w.webhookId),
      config.concurrency,
      async (webhookId) => {
        const due = await this.dueOf(webhookId, dueAt, config.perWebhookPerRound);
        for (const d of due) {
          const result = await this.deliver(d, dueAt);
          if (result === "skipped" || result === "turned-off") continue;
          attempted++;
          if (result !== "delivered") return; // the receiver is struggling: its other deliveries wait for a later round
        }
        if (due.length === config.perWebhookPerRound) moreDue = true;
      },
      (err, webhookId) => this.deps.log?.(`webhooks: deliveries to webhook ${webhookId} failed this round: ${(err as Error).message}`),
    );
    // A busy webhook has more waiting: go again at once rather than at the next poll.
    if (moreDue && !this.stopped) this.again = true;
    return attempted;
  }

  /** One HTTP attempt of a delivery (no database), as the worker makes it. */
  attempt(url: string, secret: string, delivery: { id: string; event: string; payload: unknown }): Promise<AttemptResult> {
    return attemptDelivery(url, secret, delivery, { timeoutMs: this.config.timeoutMs, policy: this.policy, resolve: this.deps.resolve });
  }

  /**
   * Deletes delivered and failed deliveries older than the retention, at
   * most once per `pruneEveryMs`. Pending ones are kept whatever their age.
   * Returns how many were deleted (0 when it was not time yet).
   */
  async pruneIfDue(): Promise<number> {
    const now = this.now().getTime();
    if (now - this.lastPruneAt < this.config.pruneEveryMs) return 0;
    this.lastPruneAt = now;
    const { count } = await this.deps.prisma.webhookDelivery.deleteMany({
      where: { status: { in: ["delivered", "failed"] }, createdAt: { lt: new Date(now - this.config.retentionMs) } },
    });
    if (count) this.deps.log?.(`webhooks: pruned ${count} delivery record(s) older than ${Math.round(this.config.retentionMs / 86_400_000)} days`);
    return count;
  }

  /** The webhook's oldest due deliveries. */
  private dueOf(webhookId: string, dueAt: Date, take: number) {
    return this.deps.prisma.webhookDelivery.findMany({
      where: { webhookId, status: "pending", nextAttemptAt: { lte: dueAt } },
      orderBy: { nextAttemptAt: "asc" },
      take,
      include: { webhook: { select: { url: true, secret: true, active: true } } },
    });
  }

  /** Claims, sends and records one delivery; "skipped" when another worker claimed it first. */
  private async deliver(d: DueDelivery, dueAt: Date): Promise<"skipped" | "turned-off" | "delivered" | "retry" | "failed"> {
    const prisma = this.deps.prisma;
    // Claim the row by moving it out of reach for a lease: another process
    // on the same database sees it claimed and skips it. A crash mid-request
    // leaves it to be retried after the lease. The lease runs from now, not
    // from the round's start: earlier deliveries of the round took time.
    const lease = new Date(this.now().getTime() + this.config.timeoutMs + LEASE_MARGIN_MS);
    const claimed = await prisma.webhookDelivery.updateMany({
      where: { id: d.id, status: "pending", attempts: d.attempts, nextAttemptAt: { lte: dueAt } },
      data: { nextAttemptAt: lease },
    });
    if (claimed.count !== 1) return "skipped";
    if (!d.webhook.active) {
      await prisma.webhookDelivery.update({ where: { id: d.id }, data: { status: "failed", lastError: "The webhook was turned off before this delivery was sent." } });
      return "turned-off";
    }
    const started = performance.now();
    const result = await this.attempt(d.webhook.url, d.webhook.secret, { id: d.id, event: d.event, payload: d.payload });
    const attempts = d.attempts + 1;
    // retryDelayMs is null once MAX_ATTEMPTS attempts were made: then it has failed for good.
    const delay = result.ok || result.permanent ? null : retryDelayMs(attempts, this.deps.random);
    const outcome = result.ok ? "delivered" : delay === null ? "failed" : "retry";
    await prisma.webhookDelivery.update({
      where: { id: d.id },
      data: {
        attempts,
        lastStatusCode: result.statusCode,
        lastError: result.error,
        ...(outcome === "delivered" ? { status: "delivered", deliveredAt: this.now() } : {}),
        ...(outcome === "failed" ? { status: "failed" } : {}),
        ...(outcome === "retry" ? { nextAttemptAt: new Date(this.now().getTime() + delay!) } : {}),
      },
    });
    recordWebhookDelivery({ event: d.event, outcome, durationMs: performance.now() - started });
    if (outcome === "failed") this.deps.log?.(`webhooks: delivery ${d.id} to ${d.webhook.url} failed after ${attempts} attempt(s): ${result.error}`);
    return outcome;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time; a failing item is reported and does not stop the others. */
async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>, onError: (err: unknown, item: T) => void): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item).catch((err: unknown) => onError(err, item));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
