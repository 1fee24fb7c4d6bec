import { z } from "zod";
import { idField } from "../../fields";
import { authedProcedure, rateLimitedProcedure, router } from "../init";

const sessionId = z.object({ sessionId: idField("The session id") });

export const gradingRouter = router({
  /** The session's task checklist. */
  tasks: authedProcedure.input(sessionId).query(({ ctx, input }) => ctx.services.grading.results(ctx.user, input.sessionId)),

  /** The checklist now and after every change (tasks tick after the learner's commands, docs/checks.md), over SSE. */
  watchTasks: authedProcedure.input(sessionId).subscription(({ ctx, input, signal }) => ctx.services.grading.watch(ctx.user, input.sessionId, signal)),

  /** Opens the task's next hint (one at a time; recorded). */
  revealHint: authedProcedure.input(sessionId.extend({ taskId: idField("The task id") })).mutation(({ ctx, input }) => ctx.services.grading.revealHint(ctx.user, input.sessionId, input.taskId)),

  /**
   * Catching up: the reference solutions of every task before `taskId` are
   * applied on a fresh node (the learner's passes are kept); the tasks that
   * pass this way are marked assisted. Returns the session to continue in.
   * Refused where the learner's cohort turned it off. Takes seconds: a node,
   * then one solution after another.
   */
  fastForward: authedProcedure.input(sessionId.extend({ taskId: idField("The task id") })).mutation(({ ctx, input }) => ctx.services.fastForward.run(ctx.user, input.sessionId, input.taskId)),

  /** Evaluates pending tasks now, for changes no command in the terminal announced (rate-limited per user: it runs checks on the node). */
  checkNow: rateLimitedProcedure((limits) => limits.checkNow)
    .input(sessionId)
    .mutation(async ({ ctx, input }) => {
      const tasks = await ctx.services.grading.evaluate(ctx.user, input.sessionId); // checks who may
      // Only the learner's own actions count as activity (staff checking must not keep a session alive).
      const session = await ctx.services.sessions.get(ctx.user, input.sessionId);
      if (session.userId === ctx.user.id) await ctx.services.sessions.touch(input.sessionId);
      return tasks;
    }),
});
