import { postToReceiver, type Resolver } from "./post";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signing";
import type { WebhookTargetPolicy } from "./url";

/** How one HTTP attempt went. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  /** A sentence for the instructor's deliveries table; null when delivered. */
  error: string | null;
  /** True when trying again cannot help (the destination is refused): the delivery fails now instead of after retries. */
  permanent: boolean;
}

/**
 * The most of a failing receiver's body kept in the error sentence. Short on
 * purpose: the deliveries table shows it to the instructor, and it should say
 * why the receiver refused, not carry a page of whatever answered.
 */
export const BODY_EXCERPT_CHARS = 100;

export interface AttemptOptions {
  timeoutMs: number;
  policy: WebhookTargetPolicy;
  resolve?: Resolver;
}

/** One signed POST of a delivery. Never throws: every failure becomes a sentence. */
export async function attemptDelivery(url: string, secret: string, delivery: { id: string; event: string; payload: unknown }, opts: AttemptOptions): Promise<AttemptResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, statusCode: null, error: "The stored webhook URL is not a valid URL; remove the webhook and add it again.", permanent: true };
  }
  const body = JSON.stringify(delivery.payload);
  const headers = {
    "content-type": "application/json",
    "user-agent": "RuntimeLabs-Webhooks/1",
    [EVENT_HEADER]: delivery.event,
    [DELIVERY_HEADER]: delivery.id,
    [SIGNATURE_HEADER]: signatureHeader(secret, body),
  };
  try {
    const answer = await postToReceiver(target, body, headers, { timeoutMs: opts.timeoutMs, policy: opts.policy, resolve: opts.resolve, maxBodyBytes: BODY_EXCERPT_CHARS * 4 });
    const status = answer.status;
    if (status >= 200 && status < 300) return { ok: true, statusCode: status, error: null, permanent: false };
    if (status >= 300 && status < 400) {
      // The Location is not repeated: only the status of an answer is ever recorded, never its headers.
      return { ok: false, statusCode: status, error: `The receiver answered with a redirect (HTTP ${status}); webhooks do not follow redirects, so use the final URL.`, permanent: false };
    }
    const excerpt = bodyExcerpt(answer.body);
    return { ok: false, statusCode: status, error: `The receiver answered HTTP ${status}; only 2xx counts as delivered.${excerpt ? ` It said: ${excerpt}` : ""}`, permanent: false };
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e?.code === "ERR_WEBHOOK_TARGET_REFUSED") return { ok: false, statusCode: null, error: e.message, permanent: true };
    return { ok: false, statusCode: null, error: describeFailure(e, target.host, opts.timeoutMs), permanent: false };
  }
}

/** The start of a body on one line, without control characters, at most BODY_EXCERPT_CHARS long. */
export function bodyExcerpt(body: Buffer): string {
  // \p{Cc} is every control character (C0, DEL, C1): none of them belongs in a table cell.
  const text = body
    .toString("utf8")
    .replace(/[\p{Cc}\s]+/gu, " ")
    .trim();
  return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text;
}

/** Why a request did not get an answer, as a sentence. */
function describeFailure(err: Error & { code?: string }, host: string, timeoutMs: number): string {
  if (err?.name === "AbortError" || err?.name === "TimeoutError") return `The receiver did not answer within ${timeoutMs / 1000} s.`;
  switch (err?.code) {
    case "ECONNREFUSED":
      return `Nothing accepted the connection at ${host} (connection refused); is the receiver running?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `The host name ${host} could not be resolved; check the webhook URL.`;
    case "ECONNRESET":
      return `The connection to ${host} was reset before an answer came.`;
    default:
      return `The request to ${host} failed: ${err?.message ?? String(err)}.`;
  }
}
