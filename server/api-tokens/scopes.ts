import { z } from "zod";

/**
 * What an API token may do. A token still acts as its user with the user's
 * role; its scopes narrow that further, so the LMS's grade-sync token cannot
 * publish a lab, and an author's push token cannot read a cohort's grades.
 * - "read": the API as it was first built: me, cohort results, sessions, grade.
 * - "labs": push, pull, test and publish labs (docs/authoring.md, "Push from your machine").
 * A browser session (the cookie) has every scope.
 */
export const TOKEN_SCOPES = ["read", "labs"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What a token gets when its creator does not say. */
export const DEFAULT_TOKEN_SCOPES: readonly TokenScope[] = ["read"];

/** What each scope lets a token do, for the sentence that refuses a token without it. */
const SCOPE_ACTIONS: Record<TokenScope, string> = {
  read: "read results, sessions or grades",
  labs: "push or pull labs",
};

/**
 * The scopes a token is created with: at least one, only known ones,
 * returned once each in TOKEN_SCOPES order (so lists read the same way).
 */
export const tokenScopes = z
  .array(z.string(), { error: 'The token\'s scopes must be a list, like ["read"].' })
  .max(TOKEN_SCOPES.length * 4, "A token has at most two scopes: read and labs.")
  .superRefine((scopes, ctx) => {
    const unknown = scopes.find((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
    if (unknown !== undefined) ctx.addIssue({ code: "custom", message: `"${unknown.slice(0, 40)}" is not a token scope: choose read, labs or both.` });
    else if (!scopes.length) ctx.addIssue({ code: "custom", message: "Give the token at least one scope: read (results and grades), labs (push and pull labs) or both." });
  })
  .transform((scopes) => TOKEN_SCOPES.filter((s) => scopes.includes(s)));

/** The known scopes among those stored (a row written by a later version may name more; they grant nothing here). */
export function knownScopes(stored: readonly string[]): TokenScope[] {
  return TOKEN_SCOPES.filter((s) => stored.includes(s));
}

/** The sentence refusing a token without `scope`: what it may not do, and how to get a token that may. */
export function missingScopeSentence(scope: TokenScope): string {
  return `This token may not ${SCOPE_ACTIONS[scope]}: create a token with the ${scope} scope on your Account page.`;
}
