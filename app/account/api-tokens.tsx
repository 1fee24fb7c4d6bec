"use client";

import { ConfirmButton } from "../_components/confirm-button";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CopyOnce } from "../_components/copy-once";
import { LocalTime } from "../_components/local-time";
import { Truncated } from "../_components/truncated";
import { useTRPC } from "../_trpc/client";

const EXPIRY_CHOICES = [
  { label: "Never", days: null },
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
] as const;

/** The scopes a token may have (server/api-tokens/scopes.ts); the server checks the choice. */
const SCOPE_CHOICES = [
  { scope: "read", label: "read", hint: "results, sessions and grades" },
  { scope: "labs", label: "labs", hint: "push, pull, test and publish labs (labs push, labs pull)" },
] as const;
type Scope = (typeof SCOPE_CHOICES)[number]["scope"];

function statusOf(t: { revokedAt: Date | null; expiresAt: Date | null }, now: number): "active" | "revoked" | "expired" {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && new Date(t.expiresAt).getTime() <= now) return "expired";
  return "active";
}

/**
 * The signed-in user's API tokens (docs/api.md): create one (shown once,
 * with Copy) with its scopes, see where each was last used, revoke. A token
 * acts as its user with the user's role, narrowed to its scopes; the server
 * enforces what it reaches.
 */
export function ApiTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState<number | null>(null);
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });

  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: (r) => {
        setCreated({ name: r.view.name, token: r.token });
        setName("");
        setScopes(["read"]);
        setError(null);
        void refresh();
      },
      onError: (e) => setError(e.message),
    }),
  );
  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onSuccess: () => {
        setError(null);
        void refresh();
      },
      onError: (e) => setError(e.message),
    }),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, expiresInDays: expiry, scopes });
  };
  const toggleScope = (scope: Scope, on: boolean) => setScopes((now) => SCOPE_CHOICES.map((c) => c.scope).filter((s) => (s === scope ? on : now.includes(s))));
  // Read once per render: statuses only need to be as fresh as the list.
  const now = tokens.dataUpdatedAt;

  return (
    <section aria-labelledby="api-tokens-heading" data-testid="api-tokens">
      <h2 id="api-tokens-heading" className="mb-1 text-lg font-semibold">
        API tokens
      </h2>
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        Scripts and graders use a token as <code className="font-mono">Authorization: Bearer rl_…</code>. It acts as you, with your role, and only for its scopes; the API endpoints are described in
        docs/api.md.
      </p>

      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col text-sm">
          <span>Name</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={80}
            placeholder="e.g. LMS grade sync"
            className="rounded border border-zinc-300 bg-transparent px-2 py-1 dark:border-zinc-700"
            data-testid="api-token-name"
          />
        </label>
        <label className="flex flex-col text-sm">
          <span>Expires</span>
          <select
            value={expiry ?? ""}
            onChange={(e) => setExpiry(e.target.value ? Number(e.target.value) : null)}
            className="rounded border border-zinc-300 bg-transparent px-2 py-1 dark:border-zinc-700"
          >
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.label} value={c.days ?? ""}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="flex flex-col text-sm">
          <legend>Scopes</legend>
          <div className="flex flex-wrap gap-x-3 py-1">
            {SCOPE_CHOICES.map((c) => (
              <label key={c.scope} className="flex items-center gap-1" title={c.hint}>
                <input type="checkbox" checked={scopes.includes(c.scope)} onChange={(e) => toggleScope(c.scope, e.target.checked)} data-testid={`api-token-scope-${c.scope}`} />
                <span>
                  {c.label} <span className="text-zinc-500">({c.hint})</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <button
          type="submit"
          disabled={create.isPending || !name.trim() || !scopes.length}
          className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60"
          data-testid="api-token-create"
        >
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </form>

      {created && <CopyOnce label={`Your new token “${created.name}”`} value={created.token} onDone={() => setCreated(null)} testId="api-token-created" />}
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}

      {tokens.isLoading ? (
        <p className="mt-4 text-sm text-zinc-500">Loading tokens…</p>
      ) : tokens.error ? (
        <p role="alert" className="mt-4 text-sm text-red-700 dark:text-red-300">
          {tokens.error.message}
        </p>
      ) : !tokens.data?.length ? (
        <p className="mt-4 text-sm text-zinc-500">You have no API tokens yet.</p>
      ) : (
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead>
              <tr className="border-b border-zinc-200 dark:border-zinc-800">
                <th className="py-2">Name</th>
                <th>Token</th>
                <th>Scopes</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Expires</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => {
                const status = statusOf(t, now);
                return (
                  <tr key={t.id} className="border-b border-zinc-100 dark:border-zinc-900" data-testid="api-token-row">
                    <td className="py-2 pr-3">
                      <Truncated text={t.name} className="block max-w-56" />
                    </td>
                    <td>
                      <code className="font-mono text-xs">{t.prefix}…</code>
                    </td>
                    <td data-testid="api-token-scopes">{t.scopes.join(", ")}</td>
                    <td>
                      <LocalTime date={t.createdAt} dateOnly />
                    </td>
                    <td>{t.lastUsedAt ? <LocalTime date={t.lastUsedAt} /> : "never"}</td>
                    <td>{t.expiresAt ? <LocalTime date={t.expiresAt} dateOnly /> : "—"}</td>
                    <td className={status === "active" ? "text-emerald-700 dark:text-emerald-300" : "text-zinc-500"}>{status}</td>
                    <td className="text-right">
                      {status !== "revoked" && <ConfirmButton label="Revoke" confirmLabel={`Revoke “${t.name}”`} pending={revoke.isPending} onConfirm={() => revoke.mutate({ tokenId: t.id })} />}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
