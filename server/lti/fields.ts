import { z } from "zod";
import { tooLongSentence } from "../limits";

/**
 * What an admin types to register an LMS, as zod schemas the tRPC router
 * uses and the service checks again. Each refusal is one sentence naming the
 * field.
 */

/** An LMS's name as admins see it in lists ("Moodle, main campus"). */
export const MAX_PLATFORM_NAME = 120;
/** Issuers, client ids and deployment ids are opaque strings chosen by the LMS; 255 is far above any seen (Canvas: about 20). */
export const MAX_LTI_IDENTIFIER = 255;
/** The platform's endpoints: the same bound as webhook URLs (about the longest URL every proxy accepts). */
export const MAX_LTI_URL = 2000;
/** Deployments of one registration (one per course or account a tool is installed in; a few in practice). */
export const MAX_DEPLOYMENTS = 50;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * An endpoint URL of the platform: https, or http on this machine only
 * (LTI requires TLS; the loopback exception is for a test platform).
 * Credentials and fragments are refused: they have no place in these URLs.
 */
export function endpointUrl(field: string, example: string) {
  return z
    .string()
    .trim()
    .min(1, `${field} is required (e.g. ${example}).`)
    .max(MAX_LTI_URL, { abort: true, error: (i) => tooLongSentence(field, MAX_LTI_URL, typeof i.input === "string" ? i.input.length : 0) })
    .superRefine((text, ctx) => {
      const problem = endpointProblem(text);
      if (problem) ctx.addIssue({ code: "custom", message: `${field} ${problem} (e.g. ${example}).` });
    });
}

/** Why `text` cannot be a platform endpoint, as the end of a sentence; null when it can. */
export function endpointProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  if (url.username || url.password) return "must not carry a user name or password";
  if (url.hash) return "must not have a #fragment";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return null;
  return "must use https:// (plain http is accepted only on this machine, for testing)";
}

function identifier(field: string) {
  return z
    .string()
    .trim()
    .min(1, `${field} is required.`)
    .max(MAX_LTI_IDENTIFIER, { abort: true, error: (i) => tooLongSentence(field, MAX_LTI_IDENTIFIER, typeof i.input === "string" ? i.input.length : 0) });
}

/** A platform registration as an admin enters it. */
export const platformInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the LMS a name, e.g. “Moodle, main campus”.")
    .max(MAX_PLATFORM_NAME, { abort: true, error: (i) => tooLongSentence("The LMS name", MAX_PLATFORM_NAME, typeof i.input === "string" ? i.input.length : 0) }),
  // The issuer is compared exactly as the LMS writes it in its tokens: no trailing-slash games.
  issuer: identifier("The issuer"),
  clientId: identifier("The client id"),
  deploymentIds: z
    .array(identifier("A deployment id"))
    .min(1, "Give at least one deployment id (the LMS shows it when the tool is deployed).")
    .max(MAX_DEPLOYMENTS, `At most ${MAX_DEPLOYMENTS} deployment ids per registration.`),
  authUrl: endpointUrl("The OIDC authentication URL", "https://lms.example.edu/mod/lti/auth.php"),
  tokenUrl: endpointUrl("The access token URL", "https://lms.example.edu/mod/lti/token.php"),
  tokenAudience: identifier("The token audience").nullish(),
  jwksUrl: endpointUrl("The platform's keyset URL", "https://lms.example.edu/mod/lti/certs.php"),
});

export type PlatformInput = z.infer<typeof platformInput>;
