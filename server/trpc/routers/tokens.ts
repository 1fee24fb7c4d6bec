import { z } from "zod";
import { createApiToken, listApiTokens, revokeApiToken } from "../../api-tokens/service";
import { authedProcedure, router } from "../init";

/**
 * The caller's own API tokens. Anyone signed in may have them: a token acts
 * as its user with the user's role, so a learner's token reaches only that
 * learner's sessions and an instructor's only their cohorts.
 */
export const tokensRouter = router({
  list: authedProcedure.query(({ ctx }) => listApiTokens(ctx.services.db.prisma, ctx.user)),

  /** Creates a token; the answer holds the token itself, which is never shown again. */
  create: authedProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "give the token a name").max(80, "keep the name under 80 characters"),
        expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => createApiToken(ctx.services.db.prisma, ctx.user, input)),

  revoke: authedProcedure
    .input(z.object({ tokenId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => revokeApiToken(ctx.services.db.prisma, ctx.user, input.tokenId)),
});
