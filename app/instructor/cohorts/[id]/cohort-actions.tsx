"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../../../_trpc/client";

/** Archive (keeps results, closes the link) or reopen. */
export function CohortActions({ cohortId, archived }: { cohortId: string; archived: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const archive = useMutation(trpc.cohorts.archive.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <section aria-labelledby="manage" className="border-t border-zinc-200 pt-4 dark:border-zinc-800">
      <h2 id="manage" className="text-sm font-semibold">
        Manage
      </h2>
      <button
        type="button"
        disabled={archive.isPending}
        className="mt-2 rounded border border-zinc-300 px-3 py-1.5 text-sm disabled:opacity-50 dark:border-zinc-700"
        onClick={() => archive.mutate({ cohortId, archived: !archived })}
      >
        {archived ? "Reopen cohort" : "Archive cohort"}
      </button>
      {archive.error && (
        <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-300">
          {archive.error.message}
        </p>
      )}
    </section>
  );
}
