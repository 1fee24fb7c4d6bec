"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "../../_trpc/client";
import { ConfirmButton } from "../confirm-button";

/**
 * Archive hides the lab from the catalog (sessions and grades keep it);
 * Restore brings it back. Archiving asks first.
 */
export function ArchiveButton({ slug, archived, onDone }: { slug: string; archived: boolean; onDone: () => void }) {
  const trpc = useTRPC();
  const set = useMutation(trpc.authoring.setArchived.mutationOptions({ onSuccess: onDone }));
  return (
    <span className="inline-flex flex-col items-end gap-1">
      {archived ? (
        <button
          type="button"
          disabled={set.isPending}
          onClick={() => set.mutate({ slug, archived: false })}
          className="rounded border border-zinc-300 px-2 py-1 text-xs disabled:opacity-50 dark:border-zinc-700"
        >
          Restore lab
        </button>
      ) : (
        <ConfirmButton label="Archive lab" confirmLabel={`Archive “${slug}”`} pending={set.isPending} onConfirm={() => set.mutate({ slug, archived: true })} />
      )}
      {set.error && (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {set.error.message}
        </span>
      )}
    </span>
  );
}
