import { z } from "zod";
import { labSlug } from "../../fields";
import { forLearners, type AvailabilityView } from "../../labs/availability";
import { bodySections } from "../../labs/body";
import { labProgressFor } from "../../labs/progress";
import { arrangeTracks } from "../../labs/tracks";
import { authedProcedure, instructorProcedure, publicProcedure, router } from "../init";

export const labsRouter = router({
  /** The catalog, in order. */
  list: publicProcedure.query(({ ctx }) => ctx.services.labs.list()),

  /**
   * The catalog as learning paths: each track's labs in order with the
   * caller's next one (server/labs/tracks.ts), then labs in no track; with
   * the caller's progress per lab, read once for both.
   */
  paths: publicProcedure.query(async ({ ctx }) => {
    const progress = ctx.user ? await labProgressFor(ctx.services.db.prisma, ctx.services.labs, ctx.user.id) : [];
    return { ...arrangeTracks(await ctx.services.labs.list(), progress), progress };
  }),

  /** The caller's progress in each lab they have started (tasks passed across their sessions; see server/labs/progress.ts). */
  progress: authedProcedure.query(({ ctx }) => labProgressFor(ctx.services.db.prisma, ctx.services.labs, ctx.user.id)),

  /**
   * Labs left out of the catalog, each with its problems (file:line:col and
   * message), and how many labs serve. Staff only: problems quote lab files,
   * which hold checks and solutions learners must not see.
   */
  problems: instructorProcedure.query(({ ctx }) => ctx.services.labs.freshStatus()),

  /**
   * Which lab environments (node, cluster) this install can start now: a
   * sentence for learners where one cannot. Admins also get the operator's
   * reason with its fix (which names settings and paths learners need not see).
   */
  availability: publicProcedure.query(async ({ ctx }): Promise<AvailabilityView> => {
    const all = await ctx.services.availability.check();
    return ctx.user?.role === "admin" ? all : forLearners(all);
  }),

  /**
   * One lab with its markdown steps: for a learner with a live session of it,
   * the version that session runs (a publish since changes nothing for them);
   * otherwise the version a start would get now.
   */
  bySlug: publicProcedure.input(z.object({ slug: labSlug })).query(async ({ ctx, input }) => {
    const live = ctx.user ? await ctx.services.sessions.current(ctx.user, input.slug) : null;
    const lab = await ctx.services.labs.get(input.slug, live?.labVersionId);
    const next = await ctx.services.labs.nextAfter(lab.slug);
    return {
      slug: lab.slug,
      title: lab.title,
      summary: lab.summary,
      difficulty: lab.difficulty,
      durationMinutes: lab.durationMinutes,
      environment: lab.environment,
      tags: lab.tags,
      track: lab.track ?? null,
      // Where the learning path goes after this lab (shown at the end of the steps).
      next: next ? { slug: next.slug, title: next.title } : null,
      // The steps, split where text is for one cgroup version only: the page
      // shows each learner their own node's (server/labs/body.ts).
      sections: bodySections(lab.body).sections.map(({ cgroup, markdown }) => ({ cgroup, markdown })),
      // Titles only: checks and reference solutions never reach the browser.
      tasks: lab.tasks.map((t) => ({ id: t.id, title: t.title, points: t.points, needs: t.needs })),
    };
  }),
});
