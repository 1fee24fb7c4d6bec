"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { authClient } from "./auth-client";

/** Only same-site paths are followed after sign-in (no open redirects). */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setPending(true);
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const result =
      mode === "sign-up" ? await authClient.signUp.email({ email, password, name: String(form.get("name") ?? "").trim() || email.split("@")[0]! }) : await authClient.signIn.email({ email, password });
    setPending(false);
    if (result.error) {
      setError(result.error.message ?? "That did not work; please try again.");
      return;
    }
    router.push(safeNext(params.get("next")));
    router.refresh();
  }

  const field = "mt-1 block w-full rounded border border-zinc-300 bg-transparent px-3 py-2 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-zinc-700";
  return (
    <form onSubmit={onSubmit} className="mx-auto max-w-sm space-y-4" aria-describedby={error ? "auth-error" : undefined}>
      <h1 className="text-2xl font-semibold">{mode === "sign-up" ? "Create your account" : "Sign in"}</h1>
      {mode === "sign-up" && (
        <label className="block text-sm">
          Name
          <input name="name" autoComplete="name" maxLength={100} className={field} />
        </label>
      )}
      <label className="block text-sm">
        Email
        <input name="email" type="email" required autoComplete="email" className={field} />
      </label>
      <label className="block text-sm">
        Password
        <input name="password" type="password" required minLength={8} autoComplete={mode === "sign-up" ? "new-password" : "current-password"} className={field} />
        {mode === "sign-up" && <span className="mt-1 block text-xs text-zinc-500">At least 8 characters.</span>}
      </label>
      {error && (
        <p id="auth-error" role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending} className="w-full rounded bg-sky-600 px-3 py-2 font-medium text-white hover:bg-sky-700 disabled:opacity-60">
        {pending ? "Please wait…" : mode === "sign-up" ? "Sign up" : "Sign in"}
      </button>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {mode === "sign-up" ? (
          <>
            Already have an account?{" "}
            <Link href="/sign-in" className="text-sky-600 underline">
              Sign in
            </Link>
          </>
        ) : (
          <>
            New here?{" "}
            <Link href="/sign-up" className="text-sky-600 underline">
              Create an account
            </Link>
          </>
        )}
      </p>
    </form>
  );
}
