import { z } from "zod";
import { labSlug } from "../../fields";
import { MAX_LAB_FILE_BYTES } from "../../labs/catalog";
import { MAX_OVERRIDE_REASON } from "../../labs/authoring";
import { instructorProcedure, router } from "../init";

/** A lab's text as the editor sends it (the validator repeats the byte limit with a located problem). */
const source = z.string().max(MAX_LAB_FILE_BYTES, `a lab may be at most ${MAX_LAB_FILE_BYTES / 1024} KiB`);
const versionNumber = z.number().int().min(1).max(1_000_000);

/**
 * Writing labs in the browser (server/labs/authoring.ts decides who may do
 * what; this router only shapes input). Instructors and admins.
 */
export const authoringRouter = router({
  /** Labs the caller can write, then the built-in ones (read-only). */
  list: instructorProcedure.query(({ ctx }) => ctx.services.authoring.list(ctx.user)),

  /** One lab's versions, newest first. */
  versions: instructorProcedure.input(z.object({ slug: labSlug })).query(({ ctx, input }) => ctx.services.authoring.versions(ctx.user, input.slug)),

  /** A version's text, problems and last test (the latest without `number`); the editor polls it while a test runs. */
  version: instructorProcedure.input(z.object({ slug: labSlug, number: versionNumber.optional() })).query(({ ctx, input }) => ctx.services.authoring.version(ctx.user, input.slug, input.number)),

  /** Problems in a text as the author types; nothing is stored. */
  check: instructorProcedure.input(z.object({ slug: labSlug, source })).mutation(({ ctx, input }) => ctx.services.authoring.check(ctx.user, input.slug, input.source)),

  /** A new lab owned by the caller; its first version is `source` or the scaffold. */
  create: instructorProcedure
    .input(z.object({ slug: z.string().max(200), source: source.optional() }))
    .mutation(({ ctx, input }) => ctx.services.authoring.create(ctx.user, input.slug, input.source, "editor")),

  /** Saves the text as the next version (problems and all); refused if someone saved after `baseVersion`. */
  save: instructorProcedure
    .input(z.object({ slug: labSlug, source, baseVersion: versionNumber.optional() }))
    .mutation(({ ctx, input }) => ctx.services.authoring.save(ctx.user, input.slug, input.source, { via: "editor", baseVersion: input.baseVersion })),

  /** Starts "Test this lab" on a version; poll `version` for its lines. */
  test: instructorProcedure.input(z.object({ slug: labSlug, number: versionNumber })).mutation(({ ctx, input }) => ctx.services.authoring.startTest(ctx.user, input.slug, input.number)),

  /** Makes a version the one new sessions get (it must validate, and its test must pass unless `override` says why not). */
  publish: instructorProcedure
    .input(z.object({ slug: labSlug, number: versionNumber, override: z.string().max(MAX_OVERRIDE_REASON).optional() }))
    .mutation(({ ctx, input }) => ctx.services.authoring.publish(ctx.user, input.slug, input.number, input.override)),

  /** Hides a lab from the catalog, or brings it back. */
  setArchived: instructorProcedure.input(z.object({ slug: labSlug, archived: z.boolean() })).mutation(({ ctx, input }) => ctx.services.authoring.setArchived(ctx.user, input.slug, input.archived)),
});
