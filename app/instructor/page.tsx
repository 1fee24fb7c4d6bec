import { accessDeniedMessage } from "../_components/access-denied";
import { Truncated } from "../_components/truncated";
import Link from "next/link";
import { api } from "../_trpc/server";
import { CreateCohortForm } from "./create-cohort-form";
import { DueDate } from "../_components/local-time";

export const metadata = { title: "Cohorts" };

/** The instructor's cohorts and a form for a new one. The API decides who may see what. */
export default async function InstructorPage() {
  const caller = await api();
  let cohorts;
  try {
    cohorts = await caller.cohorts.list();
  } catch (err) {
    const denied = accessDeniedMessage(err);
    if (denied) return <p className="text-zinc-600 dark:text-zinc-400">{denied}</p>;
    throw err;
  }
  // One after the other: in development each call re-reads (and syncs) the catalog.
  const labs = await caller.labs.list();
  const catalog = await caller.labs.problems();
  return (
    <div className="space-y-8">
      {catalog.broken.length + catalog.other.length > 0 && (
        // A broken lab is simply missing for learners; staff are told here.
        <p
          role="status"
          className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          data-testid="lab-problems-notice"
        >
          {catalog.broken.length === 1 ? "1 lab has problems and is not served" : `${catalog.broken.length} labs have problems and are not served`}
          {catalog.other.length > 0 && `; the labs directory has ${catalog.other.length === 1 ? "a problem" : "problems"}`}.{" "}
          <Link href="/instructor/labs" className="rounded font-medium underline">
            See lab problems
          </Link>
        </p>
      )}
      <section>
        <div className="mb-4 flex flex-wrap items-baseline justify-between gap-2">
          <h1 className="text-2xl font-semibold">Cohorts</h1>
          <span className="flex gap-4">
            <Link href="/lti/courses" className="rounded text-sm text-sky-700 hover:underline dark:text-sky-400">
              LMS courses
            </Link>
            <Link href="/instructor/labs" className="rounded text-sm text-sky-700 hover:underline dark:text-sky-400">
              Lab problems ({catalog.broken.length})
            </Link>
            <Link href="/instructor/authoring" className="rounded text-sm text-sky-700 hover:underline dark:text-sky-400">
              Write labs
            </Link>
          </span>
        </div>
        {cohorts.length === 0 ? (
          <p className="text-zinc-600 dark:text-zinc-400">No cohorts yet. Create one below, then share its join link with your learners.</p>
        ) : (
          <ul className="divide-y divide-zinc-200 rounded border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" data-testid="cohort-list">
            {cohorts.map((c) => (
              <li key={c.id} className="flex flex-wrap items-baseline gap-x-4 gap-y-1 p-3">
                <Link href={`/instructor/cohorts/${c.id}`} className="min-w-0 max-w-full rounded font-medium text-sky-700 hover:underline dark:text-sky-400">
                  <Truncated text={c.name} className="block" />
                </Link>
                <span className="text-sm text-zinc-600 dark:text-zinc-400">
                  {c.memberCount} learner{c.memberCount === 1 ? "" : "s"} · {c.labs.length} lab{c.labs.length === 1 ? "" : "s"} · <DueDate dueAt={c.dueAt} />
                </span>
                {c.archivedAt && <span className="rounded bg-zinc-100 px-1.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">archived</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="new-cohort">
        <h2 id="new-cohort" className="mb-3 text-lg font-semibold">
          New cohort
        </h2>
        <CreateCohortForm labs={labs.map((l) => ({ slug: l.slug, title: l.title, environment: l.environment }))} />
      </section>
    </div>
  );
}
