"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../_trpc/client";

/** Picks one of the instructor's cohorts and pulls the course's learners into it; says what it did. */
export function PullRoster({ courseId, cohorts }: { courseId: string; cohorts: { id: string; name: string }[] }) {
  const trpc = useTRPC();
  const [cohortId, setCohortId] = useState(cohorts[0]?.id ?? "");
  const pull = useMutation(trpc.lti.pullRoster.mutationOptions());
  if (!cohorts.length) return <p className="mt-1 text-sm text-zinc-500">Create a cohort first (Cohorts), then pull the roster into it.</p>;
  const r = pull.data;
  return (
    <div className="mt-2 text-sm">
      <label className="mr-2">
        Into cohort{" "}
        <select value={cohortId} onChange={(e) => setCohortId(e.target.value)} className="rounded border border-zinc-300 bg-transparent px-2 py-1 dark:border-zinc-700">
          {cohorts.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        disabled={pull.isPending}
        onClick={() => pull.mutate({ courseId, cohortId })}
        className="rounded bg-sky-600 px-3 py-1 font-medium text-white hover:bg-sky-700 disabled:opacity-50"
      >
        {pull.isPending ? "Pulling…" : "Pull roster"}
      </button>
      {r && (
        <p role="status" className="mt-1">
          {r.learners} learner{r.learners === 1 ? "" : "s"} in the course: {r.added} added, {r.alreadyMembers} already in the cohort, {r.accountsMade} new account{r.accountsMade === 1 ? "" : "s"}.
        </p>
      )}
      {pull.error && (
        <p role="alert" className="mt-1 text-red-700 dark:text-red-300">
          {pull.error.message}
        </p>
      )}
    </div>
  );
}
