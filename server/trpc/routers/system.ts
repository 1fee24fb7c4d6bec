import { z } from "zod";
import { publicProcedure, router } from "../init";

export const systemRouter = router({
  /** Database and Docker state, as /api/health reports it. */
  health: publicProcedure.query(({ ctx }) => ctx.services.health()),

  /**
   * Health as a live stream (SSE through httpSubscriptionLink): one report
   * now, then one per interval until the client goes away.
   */
  watchHealth: publicProcedure.input(z.object({ intervalMs: z.number().int().min(1000).max(60_000).default(5000) }).optional()).subscription(async function* ({ ctx, input, signal }) {
    const interval = input?.intervalMs ?? 5000;
    while (!signal?.aborted) {
      yield await ctx.services.health();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }),

  /** Who is calling: the signed-in user, or null. */
  me: publicProcedure.query(({ ctx }) => ctx.user),
});
