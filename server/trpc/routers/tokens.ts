import { z } from "zod";
import { idField, tokenName } from "../../fields";
import { createApiToken, listApiTokens, revokeApiToken } from "../../api-tokens/service";
import { tokenScopes } from "../../api-tokens/scopes";
import { authedProcedure, router } from "../init";

/**
 * The caller's own API tokens. Anyone signed in may have them: a token acts
 * as its user with the user's role, so a learner's token reaches only that
 * learner's sessions and an instructor's only their cohorts. Its scopes
 * narrow that further: "read" (results, grades), "labs" (push, pull labs).
 */
export const tokensRouter = router({
  list: authedProcedure.query(({ ctx }) => listApiTokens(ctx.services.db.prisma, ctx.user)),

  /** Creates a token; the answer holds the token itself, which is never shown again. Scopes default to ["read"]. */
  create: authedProcedure
    .input(
      z.object({
        name: tokenName,
        expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
        scopes: tokenScopes.optional(),
      }),
    )
    .mutation(({ ctx, input }) => createApiToken(ctx.services.db.prisma, ctx.user, input)),

  revoke: authedProcedure.input(z.object({ tokenId: idField("The token id") })).mutation(({ ctx, input }) => revokeApiToken(ctx.services.db.prisma, ctx.user, input.tokenId)),
});
