"use client";

import type { VersionSummary } from "@/server/labs/authoring";
import { ConfirmButton } from "../confirm-button";
import { LocalTime } from "../local-time";

const testText: Record<VersionSummary["testStatus"], string> = {
  untested: "untested",
  running: "testing…",
  passed: "test passed",
  failed: "test failed",
  interrupted: "test interrupted",
};

const badge = "rounded px-1.5 text-xs";

/**
 * Every saved version, newest first, with where it came from and its test;
 * the published one marked. Opening one puts its text in the editor (with
 * unsaved changes, only after a confirmation: they would be replaced).
 */
export function VersionsList({ versions, loaded, dirty, onOpen }: { versions: VersionSummary[]; loaded: number; dirty: boolean; onOpen: (number: number) => void }) {
  return (
    <section aria-labelledby="versions-heading" className="space-y-2">
      <h2 id="versions-heading" className="text-sm font-semibold">
        Versions
      </h2>
      <ol className="divide-y divide-zinc-200 rounded border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800" data-testid="versions">
        {versions.map((v) => (
          <li key={v.number} className={`flex flex-wrap items-center gap-x-3 gap-y-1 p-2 ${v.number === loaded ? "bg-sky-50 dark:bg-sky-950/40" : ""}`} data-testid={`version-${v.number}`}>
            <span className="font-medium">Version {v.number}</span>
            {v.current && <span className={`${badge} bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100`}>current: new sessions get it</span>}
            {v.published && !v.current && <span className={`${badge} bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300`}>published before</span>}
            <span className="text-xs text-zinc-600 dark:text-zinc-400">
              {v.via === "disk" ? "from the repository" : v.via === "push" ? "labs push" : "editor"}
              {v.author ? ` · ${v.author}` : ""} · <LocalTime date={v.createdAt} /> · {testText[v.testStatus]}
              {v.problemCount > 0 && ` · ${v.problemCount} problem${v.problemCount === 1 ? "" : "s"}`}
              {v.publishOverride && " · published untested"}
            </span>
            <span className="ml-auto">
              {v.number === loaded ? (
                <span className="text-xs text-zinc-500">in the editor</span>
              ) : dirty ? (
                <ConfirmButton label={`Open version ${v.number}`} confirmLabel="Discard my changes" pending={false} onConfirm={() => onOpen(v.number)} />
              ) : (
                <button type="button" onClick={() => onOpen(v.number)} className="rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700">
                  Open version {v.number}
                </button>
              )}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
