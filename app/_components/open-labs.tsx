"use client";

/**
 * What a learner at the limit of labs open at once can do about it: the
 * labs they have open, each with a link and "End" (which ends that lab's
 * session: its node goes, passed tasks stay passed). Shown when starting a
 * lab is refused with CAPACITY. A lab being ended still holds its place
 * until its node is gone: the list follows it, and says when a place is free.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { SessionHistoryItem } from "@/server/labs/progress";
import { useTRPC } from "../_trpc/client";

/** The states that count against the limit (server/sessions/lifecycle.ts LIVE_STATES). */
const OPEN: ReadonlySet<SessionHistoryItem["state"]> = new Set(["requested", "provisioning", "ready", "ending"]);

export function OpenLabs({ except, onFreed }: { except: string; onFreed(): void }) {
  const trpc = useTRPC();
  // Sessions this list ended, followed until their node is gone.
  const [ended, setEnded] = useState<string[]>([]);
  const history = useQuery({ ...trpc.sessions.history.queryOptions(), refetchInterval: ended.length ? 1000 : false });
  const end = useMutation(trpc.sessions.end.mutationOptions({ onSuccess: (s) => setEnded((e) => [...e, s.id]) }));
  const open = (history.data ?? []).filter((s) => OPEN.has(s.state) && s.labSlug !== except);
  const freed = ended.length > 0 && history.data?.some((s) => ended.includes(s.id) && !OPEN.has(s.state));
  useEffect(() => {
    if (freed) onFreed();
  }, [freed, onFreed]);
  if (!history.data) return null;
  return (
    <div className="mt-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950" data-testid="open-labs">
      {open.length ? (
        <>
          <p>Your open labs (ending one frees its place; tasks you passed stay passed):</p>
          <ul className="mt-2 space-y-1">
            {open.map((s) => (
              <li key={s.id} className="flex items-center gap-3" data-testid={`open-lab-${s.labSlug}`}>
                <Link href={`/labs/${s.labSlug}`} className="min-w-0 truncate text-sky-700 underline dark:text-sky-400">
                  {s.labTitle}
                </Link>
                <span className="text-xs text-zinc-500">{s.total === null ? `${s.passed} passed` : `${s.passed} of ${s.total} tasks`}</span>
                {s.state === "ending" || ended.includes(s.id) ? (
                  <span className="ml-auto text-xs text-zinc-600 dark:text-zinc-400" role="status">
                    Ending…
                  </span>
                ) : (
                  <button
                    type="button"
                    className="ml-auto rounded border border-red-300 px-2 py-0.5 text-xs text-red-700 disabled:opacity-50 dark:border-red-800 dark:text-red-300"
                    disabled={end.isPending}
                    onClick={() => end.mutate({ id: s.id })}
                    aria-label={`End ${s.labTitle}`}
                  >
                    End
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>None of your other labs is open any more: start this one.</p>
      )}
      {end.error && (
        <p role="alert" className="mt-1 text-red-700 dark:text-red-300">
          {end.error.message}
        </p>
      )}
    </div>
  );
}
