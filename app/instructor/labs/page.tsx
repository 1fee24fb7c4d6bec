import Link from "next/link";
import { BackLink } from "../../_components/back-link";
import { accessDeniedMessage } from "../../_components/access-denied";
import { api } from "../../_trpc/server";

export const metadata = { title: "Lab problems" };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Labs the catalog left out and why, for instructors and admins: without
 * this page a broken lab only shows in the server log, and the lab is simply
 * missing for learners. The API decides who may see it.
 */
export default async function LabProblemsPage() {
  const caller = await api();
  let status;
  try {
    status = await caller.labs.problems();
  } catch (err) {
    const denied = accessDeniedMessage(err);
    if (denied) return <p className="text-zinc-600 dark:text-zinc-400">{denied}</p>;
    throw err;
  }
  const clean = status.broken.length === 0 && status.other.length === 0;
  return (
    <div className="space-y-6">
      <div>
        <BackLink href="/instructor" label="Cohorts" />
        <h1 className="mt-1 text-2xl font-semibold">Lab problems</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="lab-status">
          {plural(status.served, "lab is", "labs are")} served.{" "}
          {clean ? "Every lab in the labs directory loads." : `${plural(status.broken.length, "lab is", "labs are")} left out until fixed.`}
        </p>
      </div>
      {status.other.length > 0 && (
        <section aria-labelledby="catalog-problems" className="space-y-2">
          <h2 id="catalog-problems" className="text-lg font-semibold">
            The labs directory
          </h2>
          <ul className="space-y-1 text-sm" data-testid="catalog-problems">
            {status.other.map((p, i) => (
              <li key={i}>
                <code className="text-xs">
                  {p.file}:{p.line}:{p.column}
                </code>{" "}
                {p.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      {status.broken.length > 0 && (
        <ul className="space-y-4" data-testid="broken-labs">
          {status.broken.map((lab) => (
            <li key={lab.slug} className="rounded border border-amber-300 p-3 dark:border-amber-800" data-testid={`broken-lab-${lab.slug}`}>
              <h2 className="font-semibold">{lab.slug}</h2>
              <p className="text-xs text-zinc-600 dark:text-zinc-400">
                {plural(lab.problems.length, "problem", "problems")} in <code>{lab.file}</code>
              </p>
              <ul className="mt-2 space-y-1 text-sm">
                {lab.problems.map((p, i) => (
                  <li key={i} data-testid="lab-problem">
                    <code className="text-xs">
                      {lab.file}:{p.line}:{p.column}
                    </code>
                    : {p.message}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Labs are read when the server starts (in development, on every request). Fix the files, check them with <code className="text-xs">npx labs validate</code>, then restart
        the server. docs/authoring.md explains each message.
      </p>
      <p className="text-sm">
        Labs can also be written, tested and published in the browser, without a restart:{" "}
        <Link href="/instructor/authoring" className="rounded font-medium text-sky-700 hover:underline dark:text-sky-400">
          Write labs
        </Link>
      </p>
    </div>
  );
}
