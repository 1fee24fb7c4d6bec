/**
 * The longest value, in characters, each field people type may hold.
 *
 * Why there are limits at all: what one person types is read back by
 * others, often many times over. A 20 MiB display name once made the
 * instructor's results 22 MB, doubled the server's memory and made the
 * dashboard 105,000 px wide (issue 16). Each limit is far above any real
 * value and far below anything that costs the platform.
 *
 * The API checks these with zod (server/fields.ts) and the services check
 * them again, so a caller other than tRPC (REST, the CLI, a test) meets the
 * same rule with the same sentence. UI forms repeat the numbers as
 * `maxLength` (app/ may not import server values) to stop typing early; the
 * server's answer is the one that counts.
 */

/**
 * A person's display name (enforced by better-auth's hooks in
 * server/auth/auth.ts). Room for several given names and family names;
 * shown on every row of a results matrix, CSV and webhook body.
 */
export const MAX_DISPLAY_NAME = 100;

/**
 * A cohort's name: a course title with its code, term and section
 * ("Container runtimes (CS 4830), spring 2031, section 2: Tuesday lab") fits
 * with room to spare. It heads dashboards and names export files.
 */
export const MAX_COHORT_NAME = 120;

/**
 * An API token's name: a label saying where the token lives ("LMS grade
 * sync, production"). It is quoted in the sentence that refuses a revoked or
 * expired token, so it stays short.
 */
export const MAX_TOKEN_NAME = 80;

/**
 * A webhook receiver's URL: about the longest URL browsers, proxies and web
 * servers all accept, enough for a receiver with a long signed query string.
 */
export const MAX_WEBHOOK_URL = 2000;

/**
 * A lab slug: the lab's directory name and the last part of its page's
 * address. 63 is the length of a DNS label, so a slug is safe wherever a
 * name-like token is (SLUG_PATTERN in server/labs/schema.ts is built from it).
 */
export const MAX_LAB_SLUG = 63;

/**
 * An id of ours (cuids of 25 characters, better-auth's user ids of 32) in
 * an input or a URL path: double the longest we make, so a longer one is
 * refused before any query.
 */
export const MAX_ID = 64;

/**
 * The one way a value over its limit is refused, so every field and every
 * way in says it alike: "The cohort name can be at most 120 characters
 * (this one has 10000)."
 */
export function tooLongSentence(field: string, max: number, length: number): string {
  return `${field} can be at most ${max} characters (this one has ${length}).`;
}
