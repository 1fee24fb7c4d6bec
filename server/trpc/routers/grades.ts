import { z } from "zod";
import { assertCanManageCohort } from "../../auth/access";
import { idField } from "../../fields";
import { cohortResults } from "../../grades/cohort-results";
import { instructorProcedure, router } from "../init";

/** Grades out: the cohort's results (what the CSV/JSON export and the REST API serve). */
export const gradesRouter = router({
  cohortResults: instructorProcedure.input(z.object({ cohortId: idField("The cohort id") })).query(async ({ ctx, input }) => {
    const prisma = ctx.services.db.prisma;
    assertCanManageCohort(ctx.user, await prisma.cohort.findUnique({ where: { id: input.cohortId }, select: { ownerId: true } }));
    return cohortResults(prisma, ctx.services.labs, input.cohortId);
  }),
});
