"use client";

import { useState, type FormEvent } from "react";
import { authClient } from "../_components/auth-client";

/**
 * Changes the password through better-auth (changePassword). Other browsers
 * signed in to this account are signed out: whoever knew the old password
 * should not stay in.
 */
export function PasswordForm() {
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const currentPassword = String(form.get("current") ?? "");
    const newPassword = String(form.get("new") ?? "");
    if (newPassword !== String(form.get("confirm") ?? "")) {
      setMessage({ ok: false, text: "The new password and its confirmation differ; type the same password twice." });
      return;
    }
    setPending(true);
    setMessage(null);
    const result = await authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions: true });
    setPending(false);
    if (result.error) {
      setMessage({ ok: false, text: result.error.message ?? "Your password could not be changed; please try again." });
      return;
    }
    formEl.reset();
    setMessage({ ok: true, text: "Your password was changed. Other browsers signed in to this account were signed out." });
  }

  const field = "mt-1 block w-full rounded border border-zinc-300 bg-transparent px-3 py-2 dark:border-zinc-700";
  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-3">
      <label className="block text-sm">
        Current password
        <input name="current" type="password" required autoComplete="current-password" className={field} />
      </label>
      <div>
        <label className="block text-sm">
          New password
          <input name="new" type="password" required minLength={8} maxLength={128} autoComplete="new-password" aria-describedby="new-password-help" className={field} />
        </label>
        {/* Outside the label, so it describes the field without becoming part of its name. */}
        <p id="new-password-help" className="mt-1 text-xs text-zinc-500">
          At least 8 characters.
        </p>
      </div>
      <label className="block text-sm">
        New password again
        <input name="confirm" type="password" required minLength={8} maxLength={128} autoComplete="new-password" className={field} />
      </label>
      <button type="submit" disabled={pending} className="rounded bg-sky-600 px-3 py-2 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60">
        {pending ? "Changing…" : "Change password"}
      </button>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"}`}>
          {message.text}
        </p>
      )}
    </form>
  );
}
