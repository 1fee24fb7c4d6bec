import Link from "next/link";
import type { MyCohort } from "@/server/cohorts/service";
import { DueDate } from "./local-time";
import { Truncated } from "./truncated";

/** The learner's cohorts on the catalog: which labs their instructors set, and by when. */
export function MyCohorts({ cohorts }: { cohorts: MyCohort[] }) {
  if (!cohorts.length) return null;
  return (
    <section aria-labelledby="my-cohorts" className="mb-8" data-testid="my-cohorts">
      <h2 id="my-cohorts" className="mb-2 text-lg font-semibold">
        Your cohorts
      </h2>
      <ul className="space-y-2">
        {cohorts.map((c) => (
          <li key={c.id} className="rounded border border-zinc-200 p-3 text-sm dark:border-zinc-800">
            <span className="flex min-w-0 gap-1">
              <Truncated text={c.name} className="min-w-0 font-medium" />
              <span className="shrink-0 text-zinc-500">
                · <DueDate dueAt={c.dueAt} />
              </span>
            </span>
            <span className="mt-1 flex flex-wrap gap-x-3">
              {c.labs.map((l) => (
                <Link key={l.slug} href={`/labs/${l.slug}`} className="rounded text-sky-700 hover:underline dark:text-sky-400">
                  {l.title}
                </Link>
              ))}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
