"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ConfirmButton } from "../../_components/confirm-button";
import { useTRPC } from "../../_trpc/client";

const field = "mt-1 block w-full rounded border border-zinc-300 bg-transparent px-2 py-1.5 font-mono text-sm dark:border-zinc-700";
const button = "rounded bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50";

/** The fields of a registration, each with where the LMS shows it (docs/lms.md has the details per LMS). */
const FIELDS = [
  { name: "name", label: "Name (for you)", hint: "e.g. Moodle, main campus" },
  { name: "issuer", label: "Issuer (platform ID)", hint: "Moodle: the site URL; Canvas: https://canvas.instructure.com" },
  { name: "clientId", label: "Client ID", hint: "shown by the LMS when the tool is registered" },
  { name: "deploymentIds", label: "Deployment IDs (one per line)", hint: "shown by the LMS when the tool is deployed" },
  { name: "authUrl", label: "Authentication request URL (OIDC)", hint: "Moodle: …/mod/lti/auth.php" },
  { name: "tokenUrl", label: "Access token URL", hint: "Moodle: …/mod/lti/token.php" },
  { name: "jwksUrl", label: "Public keyset URL", hint: "Moodle: …/mod/lti/certs.php" },
  { name: "tokenAudience", label: "Token audience (only if the LMS asks for one)", hint: "leave empty to use the access token URL" },
] as const;

/** Registers an LMS; the server checks every field again and answers with a sentence on refusal. */
export function PlatformForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(
    trpc.lti.createPlatform.mutationOptions({
      onSuccess: () => {
        setError(null);
        router.refresh();
      },
      onError: (e) => setError(e.message),
    }),
  );

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    create.mutate({
      name: text("name"),
      issuer: text("issuer"),
      clientId: text("clientId"),
      deploymentIds: text("deploymentIds")
        .split(/[\s,]+/)
        .filter(Boolean),
      authUrl: text("authUrl"),
      tokenUrl: text("tokenUrl"),
      jwksUrl: text("jwksUrl"),
      tokenAudience: text("tokenAudience") || null,
    });
  }

  return (
    <form onSubmit={submit} className="max-w-2xl space-y-3" aria-describedby={error ? "platform-error" : undefined} data-testid="lti-platform-form">
      {FIELDS.map((f) => (
        <div key={f.name}>
          <label className="block text-sm font-medium">
            {f.label}
            {f.name === "deploymentIds" ? (
              <textarea name={f.name} rows={2} required maxLength={13000} className={field} aria-describedby={`lti-hint-${f.name}`} />
            ) : (
              <input name={f.name} required={f.name !== "tokenAudience"} maxLength={2000} className={field} aria-describedby={`lti-hint-${f.name}`} />
            )}
          </label>
          <p id={`lti-hint-${f.name}`} className="text-xs text-zinc-500">
            {f.hint}
          </p>
        </div>
      ))}
      {error && (
        <p id="platform-error" role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      <button type="submit" disabled={create.isPending} className={button}>
        {create.isPending ? "Registering…" : "Register LMS"}
      </button>
    </form>
  );
}

/** Removes a registration (launches from that LMS stop working; accounts stay). */
export function DeletePlatform({ id, name }: { id: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const remove = useMutation(trpc.lti.deletePlatform.mutationOptions({ onSuccess: () => router.refresh() }));
  return <ConfirmButton label="Remove" confirmLabel={`Remove “${name}”`} pending={remove.isPending} onConfirm={() => remove.mutate({ platformId: id })} />;
}

/** Makes a new signing key current; the old one stays in the JWKS for a week. */
export function RotateKey() {
  const trpc = useTRPC();
  const router = useRouter();
  const rotate = useMutation(trpc.lti.rotateKey.mutationOptions({ onSuccess: () => router.refresh() }));
  return <ConfirmButton label="Rotate key" confirmLabel="Make a new key current" pending={rotate.isPending} onConfirm={() => rotate.mutate()} />;
}
