import { z } from "zod";
import { idField } from "../../fields";
import { platformInput } from "../../lti/fields";
import { adminProcedure, instructorProcedure, router } from "../init";

const platformId = z.object({ platformId: idField("The registration id") });

/** LTI 1.3: LMS registrations and keys (admins), the lab picker and course rosters (instructors). */
export const ltiRouter = router({
  /** What an LMS administrator enters about us: our URLs. */
  toolUrls: adminProcedure.query(({ ctx }) => {
    const base = ctx.services.env.publicUrl;
    return { loginUrl: `${base}/api/lti/login`, launchUrl: `${base}/api/lti/launch`, jwksUrl: `${base}/api/lti/jwks`, deepLinkUrl: `${base}/api/lti/launch`, domain: new URL(base).host };
  }),

  platforms: adminProcedure.query(({ ctx }) => ctx.services.lti.platforms.list(ctx.user)),

  createPlatform: adminProcedure.input(platformInput).mutation(({ ctx, input }) => ctx.services.lti.platforms.create(ctx.user, input)),

  updatePlatform: adminProcedure.input(platformId.extend({ platform: platformInput })).mutation(({ ctx, input }) => ctx.services.lti.platforms.update(ctx.user, input.platformId, input.platform)),

  deletePlatform: adminProcedure.input(platformId).mutation(({ ctx, input }) => ctx.services.lti.platforms.remove(ctx.user, input.platformId)),

  /** Our signing keys still in the JWKS (public facts only). */
  keys: adminProcedure.query(({ ctx }) => ctx.services.lti.keys.list()),

  /** Makes a new signing key current; the old one stays in the JWKS for its grace period. */
  rotateKey: adminProcedure.mutation(({ ctx }) => ctx.services.lti.keys.rotate()),

  /** The latest grade passback deliveries, with their status and last error. */
  scoreDeliveries: adminProcedure.input(z.object({ limit: z.number().int().min(1).max(100).default(25) })).query(({ ctx, input }) => ctx.services.lti.passback.recent(input.limit)),

  /** The labs an instructor can pick for the LMS's pending deep-linking request. */
  deepLinkPicker: instructorProcedure
    .input(z.object({ requestId: z.string().min(1, "The request id is missing.").max(64, "The request id is too long.") }))
    .query(({ ctx, input }) => ctx.services.lti.deepLinking.picker(ctx.user, input.requestId)),

  /** Courses the instructor launched from. */
  courses: instructorProcedure.query(({ ctx }) => ctx.services.lti.rosters.courses(ctx.user)),

  /** Pulls a course's active learners (NRPS) into a cohort the instructor manages. */
  pullRoster: instructorProcedure
    .input(z.object({ courseId: idField("The course id"), cohortId: idField("The cohort id") }))
    .mutation(({ ctx, input }) => ctx.services.lti.rosters.pull(ctx.user, input.courseId, input.cohortId)),
});
