import Link from "next/link";
import type { AuthoredLabSummary } from "@/server/labs/authoring";
import { accessDeniedMessage } from "../../_components/access-denied";
import { BackLink } from "../../_components/back-link";
import { Truncated } from "../../_components/truncated";
import { api } from "../../_trpc/server";
import { NewLabForm } from "./new-lab-form";

export const metadata = { title: "Write labs" };
export const dynamic = "force-dynamic";

const testText: Record<NonNullable<AuthoredLabSummary["latestTestStatus"]>, string> = {
  untested: "untested",
  running: "testing…",
  passed: "passed",
  failed: "failed",
  interrupted: "interrupted",
};

/**
 * Labs written on the platform that the caller may change (admins: all),
 * then the built-in ones, read-only; and a form for a new lab. The API
 * decides who may see what.
 */
export default async function AuthoringPage() {
  const caller = await api();
  let labs;
  try {
    labs = await caller.authoring.list();
  } catch (err) {
    const denied = accessDeniedMessage(err);
    if (denied) return <p className="text-zinc-600 dark:text-zinc-400">{denied}</p>;
    throw err;
  }
  const authored = labs.filter((l) => l.origin === "authored");
  const builtIn = labs.filter((l) => l.origin === "builtin");
  return (
    <div className="space-y-8">
      <div>
        <BackLink href="/instructor" label="Cohorts" />
        <h1 className="mt-1 text-2xl font-semibold">Write labs</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Write a lab in the browser, test it on a fresh node, and publish it: new sessions get the published version, running sessions keep theirs. docs/authoring.md describes the format.
        </p>
      </div>
      <section aria-labelledby="your-labs" className="space-y-2">
        <h2 id="your-labs" className="text-lg font-semibold">
          Labs you can change
        </h2>
        {authored.length === 0 ? <p className="text-sm text-zinc-600 dark:text-zinc-400">None yet. Create one below.</p> : <LabTable labs={authored} />}
      </section>
      <section aria-labelledby="new-lab" className="space-y-2">
        <h2 id="new-lab" className="text-lg font-semibold">
          New lab
        </h2>
        <NewLabForm />
      </section>
      <section aria-labelledby="built-in" className="space-y-2">
        <h2 id="built-in" className="text-lg font-semibold">
          Built-in labs (read-only)
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          These come from the repository&apos;s <code className="text-xs">labs/</code> directory; open one to read its source or start a new lab from its text.
        </p>
        <LabTable labs={builtIn} />
      </section>
    </div>
  );
}

function LabTable({ labs }: { labs: AuthoredLabSummary[] }) {
  const cell = "px-2 py-1.5 text-left align-top";
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="authoring-labs">
        <thead className="text-xs text-zinc-600 dark:text-zinc-400">
          <tr>
            <th className={cell}>Lab</th>
            <th className={cell}>Owner</th>
            <th className={cell}>Published</th>
            <th className={cell}>Latest</th>
            <th className={cell}>Test of latest</th>
            <th className={cell}>
              <span className="sr-only">State</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {labs.map((l) => (
            <tr key={l.slug} data-testid={`authoring-lab-${l.slug}`}>
              <td className={cell}>
                <Link href={`/instructor/authoring/${l.slug}`} className="rounded font-medium text-sky-700 hover:underline dark:text-sky-400">
                  <Truncated text={l.title} className="block max-w-80" />
                </Link>
                <code className="text-xs text-zinc-500">{l.slug}</code>
              </td>
              <td className={cell}>{l.owner ? <Truncated text={l.owner} className="block max-w-48" /> : l.origin === "builtin" ? "repository" : "—"}</td>
              <td className={cell}>{l.currentVersion ? `version ${l.currentVersion}` : "never"}</td>
              <td className={cell}>{l.latestVersion ? `version ${l.latestVersion}` : "—"}</td>
              <td className={cell}>{l.latestTestStatus ? testText[l.latestTestStatus] : "—"}</td>
              <td className={`${cell} space-x-1`}>
                {l.origin === "builtin" && <span className="rounded bg-zinc-100 px-1.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">built-in, read-only</span>}
                {l.archived && <span className="rounded bg-zinc-100 px-1.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">archived</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
