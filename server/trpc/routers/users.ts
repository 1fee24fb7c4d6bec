import { z } from "zod";
import { DomainError } from "../../errors";
import { idField } from "../../fields";
import { adminProcedure, router } from "../init";

const role = z.enum(["learner", "instructor", "admin"]);

export const usersRouter = router({
  /** Every account, newest first (admin only). */
  list: adminProcedure.query(({ ctx }) =>
    ctx.services.db.prisma.user.findMany({
      orderBy: { createdAt: "desc" },
      select: { id: true, email: true, name: true, role: true, createdAt: true },
    }),
  ),

  /** Changes an account's role (admin only); the last admin cannot be demoted. */
  setRole: adminProcedure.input(z.object({ userId: idField("The user id"), role })).mutation(async ({ ctx, input }) => {
    const prisma = ctx.services.db.prisma;
    return prisma.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { id: input.userId } });
      if (!user) throw new DomainError("NOT_FOUND", "There is no such account.");
      if (user.role === "admin" && input.role !== "admin" && (await tx.user.count({ where: { role: "admin" } })) <= 1) {
        throw new DomainError("CONFLICT", "This is the only administrator; make someone else an administrator first.");
      }
      return tx.user.update({ where: { id: input.userId }, data: { role: input.role }, select: { id: true, email: true, role: true } });
    });
  }),
});
