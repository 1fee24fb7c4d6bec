"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../../_trpc/client";

/** A new lab from its slug; it starts from the scaffold (valid, and passing its test) and opens in the editor. */
export function NewLabForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [slug, setSlug] = useState("");
  const create = useMutation(trpc.authoring.create.mutationOptions({ onSuccess: (lab) => router.push(`/instructor/authoring/${lab.slug}`) }));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ slug: slug.trim() });
  }

  return (
    <form onSubmit={submit} className="max-w-xl space-y-2">
      <label htmlFor="new-lab-slug" className="block text-sm font-medium">
        Slug
      </label>
      <p id="new-lab-slug-hint" className="text-xs text-zinc-600 dark:text-zinc-400">
        The lab&apos;s address, <code>/labs/&lt;slug&gt;</code>: lowercase letters, digits and dashes. It cannot be changed later.
      </p>
      <div className="flex flex-wrap gap-2">
        <input
          id="new-lab-slug"
          name="slug"
          required
          maxLength={63}
          value={slug}
          onChange={(e) => setSlug(e.target.value)}
          placeholder="memory-limits-by-hand"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={!!create.error}
          aria-describedby={create.error ? "new-lab-slug-hint new-lab-error" : "new-lab-slug-hint"}
          className="min-w-0 flex-1 rounded border border-zinc-300 bg-transparent px-2 py-1.5 font-mono text-sm dark:border-zinc-700"
        />
        <button type="submit" disabled={create.isPending || create.isSuccess} className="rounded bg-sky-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50">
          {create.isPending || create.isSuccess ? "Creating…" : "Create lab"}
        </button>
      </div>
      {create.error && (
        <p id="new-lab-error" role="alert" className="text-sm text-red-700 dark:text-red-300">
          {create.error.message}
        </p>
      )}
    </form>
  );
}
