"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../../../_trpc/client";

/** The join link (on PUBLIC_URL, the address learners use) with copy and "new link" (the old one stops working). */
export function JoinLink({ cohortId, link, archived }: { cohortId: string; link: string; archived: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [copied, setCopied] = useState(false);
  const rotate = useMutation(trpc.cohorts.rotateJoinCode.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <section aria-labelledby="join-link" className="rounded border border-zinc-200 p-3 dark:border-zinc-800">
      <h2 id="join-link" className="text-sm font-semibold">
        Join link
      </h2>
      {archived ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">This cohort is archived: nobody can join. Unarchive it to open the link again.</p>
      ) : (
        <>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Learners who open it (signed in) join this cohort; you then see them below.</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <input
              readOnly
              value={link}
              aria-label="Join link"
              data-testid="join-link"
              className="w-full max-w-md rounded border border-zinc-300 bg-zinc-50 px-2 py-1 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900"
              onFocus={(e) => e.currentTarget.select()}
            />
            <button
              type="button"
              className="rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-700"
              onClick={() =>
                void navigator.clipboard?.writeText(link).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? "Copied" : "Copy"}
            </button>
            <button
              type="button"
              className="rounded border border-zinc-300 px-2 py-1 text-sm disabled:opacity-50 dark:border-zinc-700"
              disabled={rotate.isPending}
              onClick={() => {
                if (window.confirm("Make a new join link? The current link stops working; learners who joined stay.")) rotate.mutate({ cohortId });
              }}
            >
              New link
            </button>
          </div>
        </>
      )}
    </section>
  );
}
