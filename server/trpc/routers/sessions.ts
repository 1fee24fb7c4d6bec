import { z } from "zod";
import { readCgroupTree } from "../../explore/cgroup-tree";
import { idField, labSlug } from "../../fields";
import { sessionHistoryFor } from "../../labs/progress";
import { authedProcedure, instructorProcedure, rateLimitedProcedure, router } from "../init";

const sessionId = z.object({ id: idField("The session id") });

export const sessionsRouter = router({
  /**
   * Starts the caller's session for a lab, or returns the one already open.
   * A lab whose environment this install cannot provide is refused up front
   * with the learner's sentence (UNAVAILABLE), not queued to fail.
   */
  start: authedProcedure.input(z.object({ slug: labSlug })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.services.sessions.current(ctx.user, input.slug))) {
      await ctx.services.availability.assertAvailable((await ctx.services.labs.get(input.slug)).environment);
    }
    return ctx.services.sessions.start(ctx.user, input.slug);
  }),

  /** The caller's open session for a lab, or null. */
  current: authedProcedure.input(z.object({ slug: labSlug })).query(({ ctx, input }) => ctx.services.sessions.current(ctx.user, input.slug)),

  get: authedProcedure.input(sessionId).query(({ ctx, input }) => ctx.services.sessions.get(ctx.user, input.id)),

  /** The session now and after every change (state, provisioning step, queue place), over SSE. */
  watch: authedProcedure.input(sessionId).subscription(({ ctx, input, signal }) => ctx.services.sessions.watch(ctx.user, input.id, signal)),

  extend: authedProcedure.input(sessionId).mutation(({ ctx, input }) => ctx.services.sessions.extend(ctx.user, input.id)),

  end: authedProcedure.input(sessionId).mutation(({ ctx, input }) => ctx.services.sessions.end(ctx.user, input.id)),

  /** Replaces the caller's sandbox with a fresh one, keeping passed tasks; returns the new session (owner only). */
  reset: authedProcedure.input(sessionId).mutation(({ ctx, input }) => ctx.services.sessions.reset(ctx.user, input.id)),

  /**
   * The session's open terminals. Shells belong to the session, not to a
   * browser tab: another tab or browser of the learner lists them here and
   * reattaches (the server replays their scrollback).
   */
  terminals: authedProcedure.input(sessionId).query(async ({ ctx, input }) => {
    const session = await ctx.services.sessions.get(ctx.user, input.id); // NOT_FOUND unless the caller may see it
    return session.state === "ready" ? (ctx.services.terminals?.list(session.id) ?? []) : [];
  }),

  /** The caller's lab sessions, newest first, with tasks passed in each (the profile's history). */
  history: authedProcedure.query(({ ctx }) => sessionHistoryFor(ctx.services.db.prisma, ctx.services.labs, ctx.user.id)),

  /** The learner's node's cgroup tree (memory and pids), for the live tree on the lab page (rate-limited per user: a `docker exec` each). */
  cgroupTree: rateLimitedProcedure((limits) => limits.cgroupTree)
    .input(sessionId)
    .query(async ({ ctx, input }) => {
      const { provider, sandboxId } = await ctx.services.sessions.sandboxOf(ctx.user, input.id);
      return readCgroupTree(provider, sandboxId);
    }),

  /** Sandboxes used, queued and warm per environment. */
  capacity: instructorProcedure.query(({ ctx }) => ctx.services.sessions.capacity()),
});
