import Link from "next/link";
import { LabMeta } from "./_components/lab-meta";
import { LabProgress } from "./_components/lab-progress";
import { MyCohorts } from "./_components/my-cohorts";
import { api } from "./_trpc/server";

export const dynamic = "force-dynamic";

export default async function CatalogPage() {
  const caller = await api();
  const labs = await caller.labs.list();
  // Signed-in learners see where they stand in each lab they have started.
  const me = await caller.system.me();
  const progress = new Map((me ? await caller.labs.progress() : []).map((p) => [p.slug, p]));
  const cohorts = me ? await caller.cohorts.mine() : [];
  // Labs this install cannot provide (a cluster lab without kind) say so on their card.
  const availability = await caller.labs.availability();
  return (
    <>
      <section className="mb-8">
        <h1 className="text-3xl font-bold tracking-tight">Labs</h1>
        <p className="mt-2 max-w-2xl text-zinc-600 dark:text-zinc-400">
          Each lab gives you a real node of your own — containerd, runc and gVisor — and a root shell on it. Tasks are checked from the
          node&apos;s real kernel and runtime state.
        </p>
      </section>
      <MyCohorts cohorts={cohorts} />
      {labs.length === 0 ? (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No labs yet. Add one under <code>labs/&lt;slug&gt;/lab.md</code>.
        </p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2" aria-label="Lab catalog" data-testid="lab-catalog">
          {labs.map((lab) => {
            const unavailable = availability[lab.environment].available ? null : availability[lab.environment].learnerMessage;
            return (
              <li key={lab.slug} data-testid={`lab-card-${lab.slug}`} data-available={!unavailable}>
                <Link
                  href={`/labs/${lab.slug}`}
                  className="flex h-full flex-col rounded-lg border border-zinc-200 p-4 hover:border-sky-500 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-zinc-800"
                >
                  <LabMeta {...lab} />
                  <h2 className="mt-2 font-semibold">{lab.title}</h2>
                  <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{lab.summary}</p>
                  {unavailable && (
                    <p className="mt-3 rounded bg-amber-50 px-2 py-1 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200" data-testid={`lab-unavailable-${lab.slug}`}>
                      <strong className="font-semibold">Not available here.</strong> {unavailable}
                    </p>
                  )}
                  {me && (
                    <div className="mt-auto">
                      <LabProgress slug={lab.slug} progress={progress.get(lab.slug) ?? null} taskCount={lab.taskCount} />
                    </div>
                  )}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
