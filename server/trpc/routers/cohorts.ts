import { z } from "zod";
import { cohortName, idField, labSlug } from "../../fields";
import { authedProcedure, instructorProcedure, router } from "../init";

const cohortId = z.object({ cohortId: idField("The cohort id") });
const joinCode = z.object({ code: z.string().trim().min(4, "the join code is too short").max(64) });
const fields = {
  name: cohortName,
  labSlugs: z.array(labSlug).min(1, "Choose at least one lab.").max(50, "A cohort can have at most 50 labs."),
  dueAt: z.date().nullable().optional(),
};

/** Cohorts: instructors create and watch them; learners join with a link. */
export const cohortsRouter = router({
  // ---- instructors (their own cohorts; admins any) ----
  list: instructorProcedure.query(({ ctx }) => ctx.services.cohorts.list(ctx.user)),
  /** One cohort, with its join link on PUBLIC_URL (the address learners use). */
  get: instructorProcedure.input(cohortId).query(async ({ ctx, input }) => {
    const cohort = await ctx.services.cohorts.get(ctx.user, input.cohortId);
    return { ...cohort, joinUrl: new URL(`/join/${cohort.joinCode}`, ctx.services.env.publicUrl).toString() };
  }),
  create: instructorProcedure.input(z.object(fields)).mutation(({ ctx, input }) => ctx.services.cohorts.create(ctx.user, input)),
  update: instructorProcedure
    .input(
      cohortId.extend({
        name: fields.name.optional(),
        labSlugs: fields.labSlugs.optional(),
        dueAt: fields.dueAt,
        includeWorkBeforeJoining: z.boolean().optional(),
        allowFastForward: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.cohorts.update(ctx.user, input.cohortId, input)),
  archive: instructorProcedure.input(cohortId.extend({ archived: z.boolean().default(true) })).mutation(({ ctx, input }) => ctx.services.cohorts.archive(ctx.user, input.cohortId, input.archived)),
  /** Pins a lab to a published version for this cohort's learners (`version` null: follow the latest). */
  pinLabVersion: instructorProcedure
    .input(cohortId.extend({ slug: labSlug, version: z.number().int().min(1).max(1_000_000).nullable() }))
    .mutation(({ ctx, input }) => ctx.services.cohorts.pinLabVersion(ctx.user, input.cohortId, input.slug, input.version)),
  rotateJoinCode: instructorProcedure.input(cohortId).mutation(({ ctx, input }) => ctx.services.cohorts.rotateJoinCode(ctx.user, input.cohortId)),
  removeMember: instructorProcedure.input(cohortId.extend({ userId: idField("The user id") })).mutation(({ ctx, input }) => ctx.services.cohorts.removeMember(ctx.user, input.cohortId, input.userId)),

  /** The learners x tasks matrix. */
  results: instructorProcedure.input(cohortId).query(({ ctx, input }) => ctx.services.cohorts.results(ctx.user, input.cohortId)),
  /** The matrix now and after every change, over SSE. */
  watchResults: instructorProcedure.input(cohortId).subscription(({ ctx, input, signal }) => ctx.services.cohorts.watchResults(ctx.user, input.cohortId, signal)),
  /** One session's checklist, check history with evidence, and open terminals. */
  // Staff only: the history's evidence could give a check away to the learner.
  sessionDetail: instructorProcedure.input(z.object({ sessionId: idField("The session id") })).query(({ ctx, input }) => ctx.services.cohorts.sessionDetail(ctx.user, input.sessionId)),

  // ---- learners ----
  mine: authedProcedure.query(({ ctx }) => ctx.services.cohorts.mine(ctx.user)),
  preview: authedProcedure.input(joinCode).query(({ ctx, input }) => ctx.services.cohorts.preview(ctx.user, input.code)),
  join: authedProcedure.input(joinCode).mutation(({ ctx, input }) => ctx.services.cohorts.join(ctx.user, input.code)),
  leave: authedProcedure.input(cohortId).mutation(({ ctx, input }) => ctx.services.cohorts.leave(ctx.user, input.cohortId)),
});
