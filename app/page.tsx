import Link from "next/link";
import { LabMeta } from "./_components/lab-meta";
import { LabProgress } from "./_components/lab-progress";
import { MyCohorts } from "./_components/my-cohorts";
import { api } from "./_trpc/server";
import type { LabProgress as Progress } from "@/server/labs/progress";
import type { LabListItem } from "@/server/labs/service";

export const dynamic = "force-dynamic";

export default async function CatalogPage() {
  const caller = await api();
  // Learning paths in order, the learner's next lab in each marked.
  const paths = await caller.labs.paths();
  const { tracks, untracked } = paths;
  const labs = [...tracks.flatMap((t) => t.labs), ...untracked];
  // Signed-in learners see where they stand in each lab they have started.
  const me = await caller.system.me();
  const progress = new Map(paths.progress.map((p) => [p.slug, p]));
  const cohorts = me ? await caller.cohorts.mine() : [];
  // Labs this install cannot provide (a cluster lab without kind) say so on their card.
  const availability = await caller.labs.availability();
  const unavailable = (lab: LabListItem) => (availability[lab.environment].available ? null : availability[lab.environment].learnerMessage);
  return (
    <>
      <section className="mb-8">
        <h1 className="text-3xl font-bold tracking-tight">Labs</h1>
        <p className="mt-2 max-w-2xl text-zinc-600 dark:text-zinc-400">
          Each lab gives you a real node of your own — containerd, runc and gVisor — and a root shell on it. Tasks are checked from the node&apos;s real kernel and runtime state.
        </p>
      </section>
      <MyCohorts cohorts={cohorts} />
      {labs.length === 0 ? (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No labs yet. Add one under <code>labs/&lt;slug&gt;/lab.md</code>.
        </p>
      ) : (
        <div className="space-y-10" aria-label="Lab catalog" data-testid="lab-catalog">
          {tracks.map((track) => (
            <section key={track.name} aria-labelledby={`track-${slugOf(track.name)}`} data-testid={`track-${slugOf(track.name)}`}>
              <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
                <h2 id={`track-${slugOf(track.name)}`} className="text-xl font-semibold">
                  {track.name}
                </h2>
                <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="track-progress">
                  {track.labs.length} labs, in order
                  {me && ` · ${track.completed} of ${track.labs.length} completed`}
                </p>
              </div>
              <ol className="grid gap-4 sm:grid-cols-2">
                {track.labs.map((lab, i) => (
                  <LabCard key={lab.slug} lab={lab} step={i + 1} nextUp={!!me && track.nextUp === lab.slug} me={!!me} progress={progress.get(lab.slug) ?? null} unavailable={unavailable(lab)} />
                ))}
              </ol>
            </section>
          ))}
          {untracked.length > 0 && (
            <section aria-labelledby="track-more">
              {tracks.length > 0 && (
                <h2 id="track-more" className="mb-3 text-xl font-semibold">
                  More labs
                </h2>
              )}
              <ul className="grid gap-4 sm:grid-cols-2">
                {untracked.map((lab) => (
                  <LabCard key={lab.slug} lab={lab} step={null} nextUp={false} me={!!me} progress={progress.get(lab.slug) ?? null} unavailable={unavailable(lab)} />
                ))}
              </ul>
            </section>
          )}
        </div>
      )}
    </>
  );
}

/** A track name as an id fragment: "Container runtimes" -> "container-runtimes". */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** One lab's card: its place in the path, what it is, whether it can run here, and the learner's progress. */
function LabCard({ lab, step, nextUp, me, progress, unavailable }: { lab: LabListItem; step: number | null; nextUp: boolean; me: boolean; progress: Progress | null; unavailable: string | null }) {
  return (
    <li data-testid={`lab-card-${lab.slug}`} data-available={!unavailable} data-next-up={nextUp || undefined}>
      <Link
        href={`/labs/${lab.slug}`}
        className={`flex h-full flex-col rounded-lg border p-4 hover:border-sky-500 focus-visible:outline-2 focus-visible:outline-sky-500 ${
          nextUp ? "border-sky-500 ring-1 ring-sky-500" : "border-zinc-200 dark:border-zinc-800"
        }`}
      >
        <div className="flex items-center gap-2">
          {step !== null && (
            <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs font-medium tabular-nums text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" aria-label={`Step ${step}`}>
              {step}
            </span>
          )}
          {nextUp && <span className="rounded bg-sky-100 px-1.5 py-0.5 text-xs font-semibold text-sky-800 dark:bg-sky-950 dark:text-sky-300">Next up</span>}
        </div>
        <div className="mt-2">
          <LabMeta {...lab} />
        </div>
        <h3 className="mt-2 font-semibold">{lab.title}</h3>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{lab.summary}</p>
        {unavailable && (
          <p className="mt-3 rounded bg-amber-50 px-2 py-1 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200" data-testid={`lab-unavailable-${lab.slug}`}>
            <strong className="font-semibold">Not available here.</strong> {unavailable}
          </p>
        )}
        {me && (
          <div className="mt-auto">
            <LabProgress slug={lab.slug} progress={progress} taskCount={lab.taskCount} />
          </div>
        )}
      </Link>
    </li>
  );
}
