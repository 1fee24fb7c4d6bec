/**
 * The instructor's dashboard at class sizes: how long building a cohort's
 * results matrix (server/grades/cohort-results.ts) and its CSV takes for N
 * learners with three labs each, on the embedded database. Every dashboard
 * push (cohorts.watchResults) rebuilds the matrix once per open dashboard.
 *
 *   npx tsx bench/cohorts.ts [sizes=30,100,300] [runs=7]
 *
 * Learners, sessions and task results are written straight into the
 * database (no sandboxes): this measures queries and merging only.
 */
import { randomUUID } from "node:crypto";
import { cohortResults } from "../server/grades/cohort-results";
import { resultsToCsv } from "../server/grades/export";
import { startTestPlatformOutsideVitest } from "./platform";
import { median, ms, percentile } from "./stats";

const LABS = ["first-container", "cgroups-and-oom", "runc-vs-gvisor"];

async function main() {
  const sizes = (process.argv[2] ?? "30,100,300").split(",").map(Number);
  const runs = Number(process.argv[3] ?? 7);
  const platform = await startTestPlatformOutsideVitest(`bench-cohorts-${process.pid}`, { poolSize: 0 });
  const { prisma } = platform.services.db;
  const labs = platform.services.labs;
  try {
    const owner = await platform.user("teacher@example.com");
    const labRows = await prisma.lab.findMany({ where: { slug: { in: LABS } } });
    const tasksOf = new Map(await Promise.all(LABS.map(async (slug) => [slug, (await labs.get(slug)).tasks.map((t) => t.id)] as const)));
    let made = 0;
    const cohort = await prisma.cohort.create({
      data: { name: "bench", joinCode: `bench${process.pid}`, ownerId: owner.id, labs: { create: labRows.map((l, position) => ({ labId: l.id, position })) } },
    });
    for (const size of sizes) {
      // Grow the cohort to `size` learners; each started every lab (one
      // ended session, one live) and passed about half of its tasks.
      for (; made < size; made++) {
        const id = randomUUID();
        await prisma.user.create({ data: { id, name: `learner ${made}`, email: `learner-${made}@example.com` } });
        await prisma.cohortMember.create({ data: { cohortId: cohort.id, userId: id } });
        for (const lab of labRows) {
          for (const state of ["ended", "ready"] as const) {
            const s = await prisma.labSession.create({ data: { userId: id, labId: lab.id, environment: "node", state } });
            const tasks = tasksOf.get(lab.slug)!;
            await prisma.taskResult.createMany({
              data: tasks.map((taskId, i) => ({
                sessionId: s.id,
                taskId,
                status: (made + i) % 2 === 0 ? ("passed" as const) : ("failed" as const),
                passedAt: (made + i) % 2 === 0 ? new Date() : null,
                attempts: 3,
                hintsRevealed: i % 2,
              })),
            });
          }
        }
      }
      const build: number[] = [];
      const csv: number[] = [];
      let bytes = 0;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const results = await cohortResults(prisma, labs, cohort.id);
        build.push(performance.now() - t);
        const c = performance.now();
        bytes = resultsToCsv(results).length;
        csv.push(performance.now() - c);
      }
      console.log(
        `${String(size).padStart(4)} learners x ${LABS.length} labs (${size * LABS.length * 2} sessions): matrix p50 ${ms(median(build))}, p90 ${ms(percentile(build, 90))}; CSV ${ms(median(csv))} (${(bytes / 1024).toFixed(0)} KiB)`,
      );
    }
    console.log("[no target: sizing figures; a dashboard push costs one matrix per open dashboard]");
  } finally {
    await platform.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
