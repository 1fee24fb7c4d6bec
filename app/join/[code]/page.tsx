import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { api } from "../../_trpc/server";
import { Truncated } from "../../_components/truncated";
import { DueDate } from "../../_components/local-time";
import { JoinButton } from "./join-button";

export const metadata = { title: "Join a cohort" };

/** Where a join link leads: what the cohort is, then one button. Signed-out visitors sign in first and come back. */
export default async function JoinPage({ params }: { params: Promise<{ code: string }> }) {
  const { code } = await params;
  const caller = await api();
  const me = await caller.system.me();
  const back = encodeURIComponent(`/join/${code}`);
  if (!me) {
    return (
      <section className="max-w-lg space-y-3">
        <h1 className="text-2xl font-semibold">Join a cohort</h1>
        <p>Your instructor invited you. Sign in or create an account to join; you will come back here.</p>
        <p className="flex gap-3">
          <Link href={`/sign-in?next=${back}`} className="rounded border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700">
            Sign in
          </Link>
          <Link href={`/sign-up?next=${back}`} className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700">
            Sign up
          </Link>
        </p>
      </section>
    );
  }
  let preview;
  try {
    preview = await caller.cohorts.preview({ code });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) {
      return (
        <section className="max-w-lg space-y-2">
          <h1 className="text-2xl font-semibold">This join link does not work</h1>
          <p role="alert" className="text-zinc-700 dark:text-zinc-300">
            {err.code === "NOT_FOUND" ? err.message : "The link is malformed: check it was copied whole, or ask your instructor for a new one."}
          </p>
        </section>
      );
    }
    throw err;
  }
  return (
    <section className="max-w-lg space-y-3">
      <h1 className="text-2xl font-semibold" data-testid="join-cohort-name">
        <Truncated text={preview.name} className="block" />
      </h1>
      <p className="flex min-w-0 gap-1 text-sm text-zinc-600 dark:text-zinc-400">
        <span className="shrink-0">Run by</span>
        <Truncated text={preview.owner} className="min-w-0" />
        <span className="shrink-0">
          · <DueDate dueAt={preview.dueAt} />
        </span>
      </p>
      <ul className="list-disc pl-5 text-sm">
        {preview.labs.map((l) => (
          <li key={l.slug}>{l.title}</li>
        ))}
      </ul>
      {preview.archived ? (
        <p role="alert">This cohort is closed. Ask your instructor for a new link.</p>
      ) : (
        <>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Joining lets the cohort&apos;s instructor see your progress, check history and terminal in these labs.</p>
          <JoinButton code={code} alreadyMember={preview.alreadyMember} firstLab={preview.labs[0]?.slug ?? null} />
        </>
      )}
    </section>
  );
}
