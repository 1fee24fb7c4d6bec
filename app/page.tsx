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
          {labs.map((lab) => (
            <li key={lab.slug}>
              <Link
                href={`/labs/${lab.slug}`}
                className="block h-full rounded-lg border border-zinc-200 p-4 hover:border-sky-500 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-zinc-800"
              >
                <h2 className="font-semibold">{lab.title}</h2>
                <p className="mt-1 mb-3 text-sm text-zinc-600 dark:text-zinc-400">{lab.summary}</p>
                <LabMeta {...lab} />
                {progress.has(lab.slug) && <LabProgress progress={progress.get(lab.slug)!} />}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
