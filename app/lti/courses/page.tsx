import { accessDeniedMessage } from "../../_components/access-denied";
import { api } from "../../_trpc/server";
import { PullRoster } from "./pull-roster";

export const metadata = { title: "LMS courses" };

/** The LMS courses an instructor launched from, and pulling a course's roster into a cohort (NRPS). */
export default async function LtiCoursesPage() {
  const caller = await api();
  let courses;
  try {
    courses = await caller.lti.courses();
  } catch (err) {
    const denied = accessDeniedMessage(err);
    if (denied) return <p className="text-zinc-600 dark:text-zinc-400">{denied}</p>;
    throw err;
  }
  const cohorts = (await caller.cohorts.list()).filter((c) => !c.archivedAt).map((c) => ({ id: c.id, name: c.name }));
  return (
    <section className="max-w-3xl">
      <h1 className="mb-2 text-2xl font-semibold">LMS courses</h1>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        Courses you opened Runtime Labs from as their instructor. Pulling a roster adds the course&rsquo;s active learners to a cohort, making accounts for those who have not launched yet (they sign
        in from the LMS).
      </p>
      {courses.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">None yet: open Runtime Labs from one of your courses in the LMS first.</p>
      ) : (
        <ul className="space-y-3">
          {courses.map((c) => (
            <li key={c.id} className="rounded border border-zinc-200 p-3 dark:border-zinc-800">
              <p className="font-medium">{c.title}</p>
              <p className="text-xs text-zinc-500">{c.platformName}</p>
              {c.hasRoster ? <PullRoster courseId={c.id} cohorts={cohorts} /> : <p className="mt-1 text-sm text-zinc-500">This LMS did not offer its roster service for this course.</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
