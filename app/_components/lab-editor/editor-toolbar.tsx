"use client";

import { ConfirmButton } from "../confirm-button";

/** What the last save (or test start) said: a success, a refusal, or a conflict with someone else's save. */
export interface Notice {
  kind: "ok" | "error" | "conflict";
  text: string;
}

const primary = "rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50";
const secondary = "rounded border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-50 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-900";

/**
 * Save (also Ctrl/Cmd+S) and "Test this lab", the unsaved-changes marker,
 * and what the last action said. A conflict keeps the author's text and
 * offers to save it over the newer version, after a confirmation.
 */
export function EditorToolbar({
  dirty,
  saving,
  onSave,
  canTest,
  testing,
  testHint,
  onTest,
  notice,
  latest,
  onSaveOver,
}: {
  dirty: boolean;
  saving: boolean;
  onSave: () => void;
  canTest: boolean;
  testing: boolean;
  /** Why testing is not offered now, if it is not. */
  testHint: string | null;
  onTest: () => void;
  notice: Notice | null;
  latest: number;
  onSaveOver: () => void;
}) {
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" onClick={onSave} disabled={saving} className={primary} aria-keyshortcuts="Control+S Meta+S">
          Save
        </button>
        <button type="button" onClick={onTest} disabled={!canTest || testing || saving} className={secondary}>
          Test this lab
        </button>
        {dirty && (
          <span className="rounded bg-amber-100 px-1.5 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100" data-testid="unsaved">
            Unsaved changes
          </span>
        )}
        {saving && <span className="text-xs text-zinc-500">Saving…</span>}
        {testHint && <span className="text-xs text-zinc-500">{testHint}</span>}
      </div>
      {notice && (
        <div
          role={notice.kind === "ok" ? "status" : "alert"}
          className={`text-sm ${notice.kind === "ok" ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"}`}
          data-testid="editor-notice"
        >
          <p>{notice.text}</p>
          {notice.kind === "conflict" && (
            <p className="mt-1 flex flex-wrap items-center gap-2 text-zinc-700 dark:text-zinc-300">
              Your text is still here (and kept in this browser).
              <ConfirmButton label={`Save mine after version ${latest} anyway`} confirmLabel={`Replace version ${latest}'s text with mine`} pending={saving} onConfirm={onSaveOver} />
            </p>
          )}
        </div>
      )}
    </div>
  );
}
