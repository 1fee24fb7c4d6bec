import { z } from "zod";
import { DomainError } from "./errors";
import { MAX_COHORT_NAME, MAX_ID, MAX_LAB_SLUG, MAX_TOKEN_NAME, MAX_WEBHOOK_URL, tooLongSentence } from "./limits";
import { SLUG_PATTERN } from "./labs/schema";

/**
 * The fields people type, as zod schemas the tRPC routers use for input and
 * the services use again through parseField (REST and other callers reach
 * the services without the routers). Each refusal is one full sentence that
 * names the field and, for lengths, the limit and the length given.
 */

/**
 * At most `max` characters, refused with tooLongSentence. `abort`: a value
 * over the limit is not checked further, so no pattern runs on a megabyte.
 */
function capped(field: string, max: number) {
  return { abort: true, error: (issue: { input?: unknown }) => tooLongSentence(field, max, typeof issue.input === "string" ? issue.input.length : 0) };
}

/** A required line of text: trimmed, not blank, at most `max` characters. */
function textField(field: string, max: number, blankSentence: string) {
  return z.string().trim().min(1, blankSentence).max(max, capped(field, max));
}

export const cohortName = textField("The cohort name", MAX_COHORT_NAME, "Give the cohort a name.");
export const tokenName = textField("The token name", MAX_TOKEN_NAME, "Give the token a name that says where it is used, e.g. “LMS grade sync”.");
// Only the length here: what a webhook URL may point at is server/webhooks/url.ts's to say.
export const webhookUrl = textField("The webhook URL", MAX_WEBHOOK_URL, "Give the receiver's URL.");

/** A lab slug from an input or an address: the length first, then SLUG_PATTERN. */
export const labSlug = z
  .string()
  .max(MAX_LAB_SLUG, capped("A lab slug", MAX_LAB_SLUG))
  .regex(SLUG_PATTERN, `A lab slug is 2 to ${MAX_LAB_SLUG} lowercase letters, digits and dashes, like first-container.`);

/** One of our ids (a session's, a cohort's, ...), named in its refusals as `field`, e.g. "The session id". */
export function idField(field: string) {
  return z.string().min(1, `${field} is missing.`).max(MAX_ID, capped(field, MAX_ID));
}

/** `value` as `schema` reads it, or a BAD_REQUEST domain error with the schema's first sentence. */
export function parseField<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new DomainError("BAD_REQUEST", result.error.issues[0]?.message ?? "That value is not accepted.");
}
