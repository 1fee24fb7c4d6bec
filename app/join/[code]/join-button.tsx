"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "../../_trpc/client";

export function JoinButton({ code, alreadyMember, firstLab }: { code: string; alreadyMember: boolean; firstLab: string | null }) {
  const trpc = useTRPC();
  const [joined, setJoined] = useState(alreadyMember);
  const join = useMutation(trpc.cohorts.join.mutationOptions({ onSuccess: () => setJoined(true) }));
  if (joined) {
    return (
      <p data-testid="joined" className="text-sm">
        You are in this cohort.{" "}
        {firstLab && (
          <Link href={`/labs/${firstLab}`} className="rounded text-sky-700 hover:underline dark:text-sky-400">
            Open the first lab →
          </Link>
        )}
      </p>
    );
  }
  return (
    <div>
      <button
        type="button"
        disabled={join.isPending}
        onClick={() => join.mutate({ code })}
        className="rounded bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50"
      >
        {join.isPending ? "Joining…" : "Join cohort"}
      </button>
      {join.error && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {join.error.message}
        </p>
      )}
    </div>
  );
}
