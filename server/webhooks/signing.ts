import crypto from "node:crypto";

/**
 * Webhook signatures. Each request carries
 *
 *   X-RuntimeLabs-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * where the HMAC key is the webhook's secret and the signed text is
 * `${t}.${body}` (the raw request body). Putting the time inside the MAC lets
 * receivers refuse replays of an old request; `v1` names the scheme so a
 * future one can be sent beside it. docs/api.md shows how to verify.
 */

export const SIGNATURE_HEADER = "X-RuntimeLabs-Signature";
export const EVENT_HEADER = "X-RuntimeLabs-Event";
export const DELIVERY_HEADER = "X-RuntimeLabs-Delivery";
/** How old a signature a receiver should accept by default (clock skew plus transit). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Hex HMAC-SHA256 of `${timestamp}.${body}`. */
export function sign(secret: string, timestamp: number, body: string): string {
  return crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The signature header's value for a body sent at `now`. */
export function signatureHeader(secret: string, body: string, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${sign(secret, t, body)}`;
}

/** The parts of a signature header; unknown keys are ignored, several v1 values allowed (secret rotation). */
export function parseSignatureHeader(header: string): { timestamp: number | null; v1: string[] } {
  let timestamp: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) v1.push(value.toLowerCase());
  }
  return { timestamp, v1 };
}

/**
 * Checks a received request the way a receiver should: the header parses,
 * the timestamp is recent, and some v1 value equals our HMAC (compared in
 * constant time). Returns why not, or null when it is genuine.
 */
export function verifySignature(secret: string, header: string | null | undefined, body: string, opts: { now?: Date; toleranceSeconds?: number } = {}): string | null {
  if (!header) return `the ${SIGNATURE_HEADER} header is missing`;
  const { timestamp, v1 } = parseSignatureHeader(header);
  if (timestamp === null || !v1.length) return `the ${SIGNATURE_HEADER} header is not of the form t=<seconds>,v1=<hex>`;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return "the signature is too old (or from the future): a replay, or a wrong clock";
  const expected = Buffer.from(sign(secret, timestamp, body), "hex");
  const matches = v1.some((candidate) => crypto.timingSafeEqual(Buffer.from(candidate, "hex"), expected));
  return matches ? null : "the signature does not match: wrong secret, or the body was changed";
}

/** A new webhook secret: `whsec_` and 32 random bytes. */
export function generateWebhookSecret(random: (n: number) => Buffer = crypto.randomBytes): string {
  return `whsec_${random(32).toString("base64url")}`;
}
