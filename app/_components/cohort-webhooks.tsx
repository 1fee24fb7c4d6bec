"use client";

import { ConfirmButton } from "./confirm-button";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { WebhookEvent } from "@/server/webhooks/events";
import { useTRPC } from "../_trpc/client";
import { CopyOnce } from "./copy-once";
import { LocalTime } from "./local-time";
import { Truncated } from "./truncated";

const EVENTS: { id: WebhookEvent; label: string }[] = [
  { id: "task.passed", label: "Task passed" },
  { id: "lab.completed", label: "Lab completed" },
];

const statusClass = {
  delivered: "text-emerald-700 dark:text-emerald-300",
  pending: "text-amber-700 dark:text-amber-300",
  failed: "text-red-700 dark:text-red-300",
} as const;

/**
 * A cohort's webhooks (signed POSTs on task passed / lab completed): add one
 * (its signing secret is shown once), send a test ping, remove, and the
 * latest deliveries with status, attempts and the last error. For the
 * cohort's instructor and admins; the server enforces it.
 */
export function CohortWebhooks({ cohortId }: { cohortId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hooks = useQuery(trpc.webhooks.list.queryOptions({ cohortId }));
  // Deliveries change by themselves (retries): refresh while the panel is open.
  const deliveries = useQuery({ ...trpc.webhooks.deliveries.queryOptions({ cohortId, limit: 25 }), refetchInterval: 5_000 });
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(["task.passed", "lab.completed"]);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey({ cohortId }) }), queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.queryKey() })]);
  const onError = (e: { message: string }) => setError(e.message);

  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: (r) => {
        setSecret({ url: r.webhook.url, secret: r.secret });
        setUrl("");
        setError(null);
        void refresh();
      },
      onError,
    }),
  );
  const remove = useMutation(
    trpc.webhooks.delete.mutationOptions({
      onSuccess: () => {
        setError(null);
        void refresh();
      },
      onError,
    }),
  );
  const ping = useMutation(trpc.webhooks.ping.mutationOptions({ onSuccess: () => void refresh(), onError }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ cohortId, url, events });
  };
  const toggle = (id: WebhookEvent) => setEvents((cur) => (cur.includes(id) ? cur.filter((e) => e !== id) : [...cur, id]));

  return (
    <section aria-labelledby={`webhooks-${cohortId}`} data-testid="cohort-webhooks">
      <h2 id={`webhooks-${cohortId}`} className="mb-1 text-lg font-semibold">
        Webhooks
      </h2>
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        Each event is POSTed as JSON, signed with HMAC-SHA256 in the <code className="font-mono">X-RuntimeLabs-Signature</code> header, and retried with backoff for about an hour and a quarter (10 s,
        30 s, 2 min, 10 min, 1 h). docs/api.md shows how to verify it.
      </p>

      <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
        <label className="flex min-w-64 flex-1 flex-col text-sm">
          <span>Receiver URL</span>
          <input
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            required
            maxLength={2000}
            placeholder="https://lms.example.edu/hooks/runtime-labs"
            className="rounded border border-zinc-300 bg-transparent px-2 py-1 dark:border-zinc-700"
            data-testid="webhook-url"
          />
        </label>
        <fieldset className="flex gap-3 text-sm">
          <legend className="sr-only">Events</legend>
          {EVENTS.map((ev) => (
            <label key={ev.id} className="flex items-center gap-1">
              <input type="checkbox" checked={events.includes(ev.id)} onChange={() => toggle(ev.id)} />
              {ev.label}
            </label>
          ))}
        </fieldset>
        <button
          type="submit"
          disabled={create.isPending || !url.trim() || !events.length}
          className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60"
          data-testid="webhook-add"
        >
          {create.isPending ? "Adding…" : "Add webhook"}
        </button>
      </form>

      {secret && <CopyOnce label={`Signing secret for ${secret.url}`} value={secret.secret} onDone={() => setSecret(null)} testId="webhook-secret" />}
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}

      {hooks.error ? (
        <p role="alert" className="mt-4 text-sm text-red-700 dark:text-red-300">
          {hooks.error.message}
        </p>
      ) : hooks.data && !hooks.data.length ? (
        <p className="mt-4 text-sm text-zinc-500">No webhooks yet.</p>
      ) : (
        <ul className="mt-4 divide-y divide-zinc-100 text-sm dark:divide-zinc-900">
          {hooks.data?.map((h) => (
            <li key={h.id} className="flex flex-wrap items-center gap-2 py-2" data-testid="webhook-row">
              <Truncated text={h.url} className="min-w-0 flex-1 font-mono text-xs" />
              <span className="text-zinc-600 dark:text-zinc-400">{h.events.join(", ")}</span>
              {!h.active && <span className="text-zinc-500">(off)</span>}
              <button type="button" disabled={ping.isPending} onClick={() => ping.mutate({ webhookId: h.id })} className="rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700">
                Send test
              </button>
              <ConfirmButton label="Remove" confirmLabel="Remove, with its deliveries" pending={remove.isPending} onConfirm={() => remove.mutate({ webhookId: h.id })} />
            </li>
          ))}
        </ul>
      )}

      <h3 className="mb-2 mt-6 font-medium">Recent deliveries</h3>
      {deliveries.data && !deliveries.data.length ? (
        <p className="text-sm text-zinc-500">Nothing sent yet: deliveries appear when a learner passes a task.</p>
      ) : (
        <table className="w-full text-left text-sm" data-testid="webhook-deliveries">
          <thead>
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th className="py-2">When</th>
              <th>Event</th>
              <th>Receiver</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Last answer</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data?.map((d) => (
              <tr key={d.id} className="border-b border-zinc-100 align-top dark:border-zinc-900">
                <td className="py-2 whitespace-nowrap">
                  <LocalTime date={d.createdAt} />
                </td>
                <td>{d.event}</td>
                <td>
                  <Truncated text={d.url} className="block max-w-48 font-mono text-xs" />
                </td>
                <td className={statusClass[d.status]}>
                  {d.status}
                  {d.status === "pending" && d.nextAttemptAt && (
                    <span className="block text-xs text-zinc-500">
                      next try <LocalTime date={d.nextAttemptAt} />
                    </span>
                  )}
                </td>
                <td>{d.attempts}</td>
                <td className="text-xs">
                  {d.lastStatusCode !== null && <span className="font-mono">HTTP {d.lastStatusCode} </span>}
                  {d.lastError}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
