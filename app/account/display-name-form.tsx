"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { authClient } from "../_components/auth-client";

/** Changes the display name through better-auth (updateUser); the page re-renders with it. */
export function DisplayNameForm({ name }: { name: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next = String(new FormData(e.currentTarget).get("name") ?? "").trim();
    if (!next) {
      setMessage({ ok: false, text: "Your display name cannot be empty." });
      return;
    }
    setPending(true);
    setMessage(null);
    const result = await authClient.updateUser({ name: next });
    setPending(false);
    if (result.error) {
      setMessage({ ok: false, text: result.error.message ?? "Your name could not be saved; please try again." });
      return;
    }
    setMessage({ ok: true, text: "Your display name was saved." });
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="flex max-w-md flex-wrap items-end gap-2">
      <label className="block grow text-sm">
        Display name
        <input
          name="name"
          defaultValue={name}
          required
          maxLength={100}
          autoComplete="name"
          className="mt-1 block w-full rounded border border-zinc-300 bg-transparent px-3 py-2 dark:border-zinc-700"
        />
      </label>
      <button type="submit" disabled={pending} className="rounded bg-sky-600 px-3 py-2 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60">
        {pending ? "Saving…" : "Save name"}
      </button>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={`w-full text-sm ${message.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"}`}>
          {message.text}
        </p>
      )}
    </form>
  );
}
