"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../_trpc/client";

interface LabChoice {
  slug: string;
  title: string;
  environment: string;
}

/** Name, labs (in catalog order) and an optional due date; the server validates again. */
export function CreateCohortForm({ labs }: { labs: LabChoice[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(
    trpc.cohorts.create.mutationOptions({
      onSuccess: (cohort) => router.push(`/instructor/cohorts/${cohort.id}`),
      onError: (e) => setError(e.message),
    }),
  );

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const due = String(form.get("dueAt") ?? "");
    if (!chosen.length) return setError("Choose at least one lab.");
    setError(null);
    create.mutate({
      name: String(form.get("name") ?? ""),
      labSlugs: labs.map((l) => l.slug).filter((s) => chosen.includes(s)),
      // datetime-local has no zone: it is the instructor's local time.
      dueAt: due ? new Date(due) : null,
    });
  }

  const field = "mt-1 block w-full rounded border border-zinc-300 bg-transparent px-2 py-1.5 dark:border-zinc-700";
  return (
    <form onSubmit={submit} className="max-w-xl space-y-4" aria-describedby={error ? "cohort-error" : undefined}>
      <label className="block text-sm font-medium">
        Cohort name
        <input name="name" required maxLength={120} className={field} placeholder="Container runtimes, autumn cohort" />
      </label>
      <fieldset>
        <legend className="text-sm font-medium">Labs</legend>
        <ul className="mt-1 space-y-1">
          {labs.map((l) => (
            <li key={l.slug}>
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="labs"
                  value={l.slug}
                  checked={chosen.includes(l.slug)}
                  onChange={(e) => setChosen((c) => (e.target.checked ? [...c, l.slug] : c.filter((s) => s !== l.slug)))}
                />
                {l.title}
                {l.environment === "cluster" && <span className="text-xs text-zinc-500">(needs kind)</span>}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <label className="block text-sm font-medium">
        Due (optional, your local time)
        <input name="dueAt" type="datetime-local" className={field} />
      </label>
      {error && (
        <p id="cohort-error" role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      <button type="submit" disabled={create.isPending} className="rounded bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50">
        {create.isPending ? "Creating…" : "Create cohort"}
      </button>
    </form>
  );
}
