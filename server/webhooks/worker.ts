import type { PrismaClient } from "../generated/prisma/client";
import { recordWebhookDelivery } from "../observability/metrics";
import { retryDelayMs } from "./backoff";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signing";

export interface WebhookWorkerConfig {
  /** How often due deliveries are looked for (new ones also wake the worker at once). */
  pollMs: number;
  /** Longest one POST may take, connection to last byte of the response head. */
  timeoutMs: number;
  /** Deliveries sent per round, one after another (receivers are slow; the host has 2 cores). */
  batchSize: number;
}

export const DEFAULT_WEBHOOK_WORKER_CONFIG: WebhookWorkerConfig = { pollMs: 2_000, timeoutMs: 10_000, batchSize: 20 };

/** How one HTTP attempt went. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  /** A sentence for the instructor's deliveries table; null when delivered. */
  error: string | null;
}

/** The most of a failing receiver's answer kept in the error sentence. */
const BODY_SNIPPET_CHARS = 200;

/**
 * Sends pending webhook deliveries: picks the due ones, POSTs each signed
 * body with a timeout, marks 2xx delivered, and otherwise schedules the next
 * attempt with backoff (10 s, 30 s, 2 min, 10 min, 1 h) until it gives up and
 * marks it failed. Every attempt's status code and error are recorded.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      config?: Partial<WebhookWorkerConfig>;
      log?: (msg: string) => void;
      fetch?: typeof fetch;
      random?: () => number;
    },
  ) {}

  private get config(): WebhookWorkerConfig {
    return { ...DEFAULT_WEBHOOK_WORKER_CONFIG, ...this.deps.config };
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
   * One round: sends every delivery due at `now` (up to the batch size).
   * Returns how many were attempted. Tests call it directly with a `now` in
   * the future to step through the backoff without waiting.
   */
  async runOnce(now: Date = new Date()): Promise<number> {
    const prisma = this.deps.prisma;
    const due = await prisma.webhookDelivery.findMany({
      where: { status: "pending", nextAttemptAt: { lte: now } },
      orderBy: { nextAttemptAt: "asc" },
      take: this.config.batchSize,
      include: { webhook: { select: { url: true, secret: true, active: true } } },
    });
    let attempted = 0;
    for (const d of due) {
      // Claim the row by moving it out of reach for a lease: another process
      // on the same database (PostgreSQL) sees it claimed and skips it. A
      // crash mid-request leaves it to be retried after the lease.
      const lease = new Date(now.getTime() + this.config.timeoutMs + 60_000);
      const claimed = await prisma.webhookDelivery.updateMany({
        where: { id: d.id, status: "pending", attempts: d.attempts, nextAttemptAt: { lte: now } },
        data: { nextAttemptAt: lease },
      });
      if (claimed.count !== 1) continue;
      if (!d.webhook.active) {
        await prisma.webhookDelivery.update({ where: { id: d.id }, data: { status: "failed", lastError: "The webhook was turned off before this delivery was sent." } });
        continue;
      }
      attempted++;
      const started = performance.now();
      const result = await this.attempt(d.webhook.url, d.webhook.secret, { id: d.id, event: d.event, payload: d.payload });
      const attempts = d.attempts + 1;
      // retryDelayMs is null once MAX_ATTEMPTS attempts were made: then it has failed for good.
      const delay = result.ok ? null : retryDelayMs(attempts, this.deps.random);
      const outcome = result.ok ? "delivered" : delay === null ? "failed" : "retry";
      await prisma.webhookDelivery.update({
        where: { id: d.id },
        data: {
          attempts,
          lastStatusCode: result.statusCode,
          lastError: result.error,
          ...(outcome === "delivered" ? { status: "delivered", deliveredAt: new Date() } : {}),
          ...(outcome === "failed" ? { status: "failed" } : {}),
          ...(outcome === "retry" ? { nextAttemptAt: new Date(now.getTime() + delay!) } : {}),
        },
      });
      recordWebhookDelivery({ event: d.event, outcome, durationMs: performance.now() - started });
      if (outcome === "failed") this.deps.log?.(`webhooks: delivery ${d.id} to ${d.webhook.url} failed after ${attempts} attempts: ${result.error}`);
    }
    return attempted;
  }

  /** One signed POST. Never throws: every failure becomes a sentence. */
  async attempt(url: string, secret: string, delivery: { id: string; event: string; payload: unknown }): Promise<AttemptResult> {
    const body = JSON.stringify(delivery.payload);
    const doFetch = this.deps.fetch ?? fetch;
    const timeoutMs = this.config.timeoutMs;
    try {
      const res = await doFetch(url, {
        method: "POST",
        body,
        // A redirect is not followed: it could lead the server somewhere the
        // instructor could not have named (SSRF), and it is usually a typo.
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          "content-type": "application/json",
          "user-agent": "RuntimeLabs-Webhooks/1",
          [EVENT_HEADER]: delivery.event,
          [DELIVERY_HEADER]: delivery.id,
          [SIGNATURE_HEADER]: signatureHeader(secret, body),
        },
      });
      const snippet = await readSnippet(res);
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, error: null };
      if (res.status >= 300 && res.status < 400) {
        const to = res.headers.get("location");
        return { ok: false, statusCode: res.status, error: `The receiver answered with a redirect (HTTP ${res.status}${to ? ` to ${to}` : ""}); webhooks do not follow redirects, so use the final URL.` };
      }
      return { ok: false, statusCode: res.status, error: `The receiver answered HTTP ${res.status}; only 2xx counts as delivered.${snippet ? ` It said: ${snippet}` : ""}` };
    } catch (err) {
      return { ok: false, statusCode: null, error: describeFailure(err, url, timeoutMs) };
    }
  }
}

/** The first characters of a response body, on one line; the rest is discarded so the socket is freed. */
async function readSnippet(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < BODY_SNIPPET_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    return "";
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).toString("utf8").replace(/\s+/g, " ").trim();
  return text.length > BODY_SNIPPET_CHARS ? `${text.slice(0, BODY_SNIPPET_CHARS)}…` : text;
}

/** Why a request did not get an answer, as a sentence. */
function describeFailure(err: unknown, url: string, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `The receiver did not answer within ${timeoutMs / 1000} s.`;
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const code = e?.cause?.code;
  if (code === "ECONNREFUSED") return `Nothing accepted the connection at ${host} (connection refused); is the receiver running?`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `The host name ${host} could not be resolved; check the webhook URL.`;
  if (code === "ECONNRESET") return `The connection to ${host} was reset before an answer came.`;
  return `The request to ${host} failed: ${e?.cause?.message ?? e?.message ?? String(err)}.`;
}
