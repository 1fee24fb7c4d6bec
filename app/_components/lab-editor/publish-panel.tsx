"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { LabVersionView } from "@/server/labs/authoring";
import { useTRPC } from "../../_trpc/client";

const MAX_REASON = 500;

const testWord: Record<LabVersionView["testStatus"], string> = {
  untested: "has not been tested",
  running: "is being tested",
  passed: "passed its test",
  failed: "failed its test",
  interrupted: "has a test that was interrupted",
};

/**
 * Publishing a version: the one new sessions get (running sessions keep
 * theirs). Offered once the version has no problems and its test passed;
 * otherwise, behind a disclosure, with the reason it cannot be tested here
 * (a cluster lab on a server without kind). The server's refusals are shown
 * as it words them.
 */
export function PublishPanel({ slug, version, dirty, onPublished }: { slug: string; version: LabVersionView; dirty: boolean; onPublished: () => void }) {
  const trpc = useTRPC();
  const publish = useMutation(trpc.authoring.publish.mutationOptions({ onSuccess: onPublished }));
  const [reason, setReason] = useState("");
  const n = version.number;
  const passed = version.testStatus === "passed";
  const blocked = dirty
    ? `Save your changes first: publishing applies to a saved version (version ${n} is loaded).`
    : version.problems.length
      ? `Version ${n} has problems: fix them, save and test before publishing.`
      : version.current
        ? `Version ${n} is the published version: new sessions get it.`
        : !passed
          ? `Version ${n} ${testWord[version.testStatus]}: run "Test this lab" until it passes.`
          : null;
  const overridable = !dirty && !version.problems.length && !version.current && !passed && version.testStatus !== "running";

  function override(e: FormEvent) {
    e.preventDefault();
    if (reason.trim()) publish.mutate({ slug, number: n, override: reason.trim() });
  }

  return (
    <section aria-labelledby="publish-heading" className="space-y-2">
      <h2 id="publish-heading" className="text-sm font-semibold">
        Publish
      </h2>
      <button
        type="button"
        onClick={() => publish.mutate({ slug, number: n })}
        disabled={!!blocked || publish.isPending}
        className="rounded bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700 disabled:opacity-50"
      >
        {publish.isPending ? "Publishing…" : `Publish version ${n}`}
      </button>
      {publish.isSuccess ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400" data-testid="publish-status">
          Published version {publish.data.number}; new sessions get it, running sessions keep theirs.
        </p>
      ) : (
        blocked && <p className="text-sm text-zinc-600 dark:text-zinc-400">{blocked}</p>
      )}
      {version.current && version.publishOverride && <p className="text-xs text-amber-800 dark:text-amber-300">Published without a passing test: {version.publishOverride}</p>}
      {overridable && (
        <details className="text-sm">
          <summary className="cursor-pointer text-sky-700 dark:text-sky-400">Publish without a passing test…</summary>
          <form onSubmit={override} className="mt-2 space-y-2">
            <label className="block">
              Why this version cannot be tested here
              <textarea
                required
                maxLength={MAX_REASON}
                rows={2}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                placeholder="A cluster lab: this server has no kind; tested with `labs test` on a kind host."
                className="mt-1 block w-full rounded border border-zinc-300 bg-transparent px-2 py-1 dark:border-zinc-700"
              />
            </label>
            <p className="text-xs text-zinc-600 dark:text-zinc-400">The reason is kept with the version and shown to other authors.</p>
            <button
              type="submit"
              disabled={publish.isPending || !reason.trim()}
              className="rounded border border-amber-500 px-3 py-1 text-sm text-amber-900 hover:bg-amber-50 disabled:opacity-50 dark:text-amber-200 dark:hover:bg-amber-950"
            >
              Publish version {n} without a passing test
            </button>
          </form>
        </details>
      )}
      {publish.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {publish.error.message}
        </p>
      )}
    </section>
  );
}
