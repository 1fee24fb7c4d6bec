import { TRPCError } from "@trpc/server";
import { BackLink } from "../../../_components/back-link";
import { DueDate } from "../../../_components/local-time";
import { Truncated } from "../../../_components/truncated";
import { notFound } from "next/navigation";
import { api } from "../../../_trpc/server";
import { CohortWebhooks } from "../../../_components/cohort-webhooks";
import { CohortActions } from "./cohort-actions";
import { CohortMatrix } from "./cohort-matrix";
import { CohortLabVersions } from "./lab-versions";
import { JoinLink } from "./join-link";

export const metadata = { title: "Cohort" };

/** One cohort: its join link, the live results matrix, exports and webhooks. */
export default async function CohortPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await api();
  let cohort;
  try {
    cohort = await caller.cohorts.get({ cohortId: id });
  } catch (err) {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
    if (err instanceof TRPCError && (err.code === "UNAUTHORIZED" || err.code === "FORBIDDEN")) {
      return <p className="text-zinc-600 dark:text-zinc-400">{err.message}</p>;
    }
    throw err;
  }
  const exportBase = `/api/v1/cohorts/${cohort.id}/results`;
  return (
    <div className="space-y-6">
      <div>
        <BackLink href="/instructor" label="Cohorts" />
        <h1 className="mt-1 flex min-w-0 items-center gap-2 text-2xl font-semibold" data-testid="cohort-name">
          <Truncated text={cohort.name} className="min-w-0" />
          {cohort.archivedAt && <span className="shrink-0 rounded bg-zinc-100 px-1.5 text-xs font-normal text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">archived</span>}
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {cohort.labs.map((l) => l.title).join(" · ")} — <DueDate dueAt={cohort.dueAt} /> · owner <Truncated text={cohort.owner.name} className="inline-block max-w-64 align-bottom" />
        </p>
      </div>
      <JoinLink cohortId={cohort.id} link={cohort.joinUrl} archived={cohort.archivedAt !== null} />
      <CohortMatrix cohortId={cohort.id} />
      <section aria-labelledby="export" className="space-y-2">
        <h2 id="export" className="text-lg font-semibold">
          Export
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          One row per learner and lab, with points, score, completion time, hints and each task. The same data is at <code className="text-xs">GET {exportBase}</code> with an API token (see
          docs/api.md).
        </p>
        <div className="flex gap-3">
          <a
            href={`${exportBase}?format=csv`}
            download
            className="rounded border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900"
            data-testid="export-csv"
          >
            Download CSV
          </a>
          <a href={`${exportBase}?format=json`} download className="rounded border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900">
            Download JSON
          </a>
        </div>
      </section>
      <CohortLabVersions cohortId={cohort.id} labs={cohort.labs} />
      <CohortWebhooks cohortId={cohort.id} />
      <CohortActions cohortId={cohort.id} archived={cohort.archivedAt !== null} includeWorkBeforeJoining={cohort.includeWorkBeforeJoining} allowFastForward={cohort.allowFastForward} />
    </div>
  );
}
