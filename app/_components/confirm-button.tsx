"use client";

import { useState } from "react";

const quiet = "rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700";

/**
 * A destructive action in two steps: `label` first, then `confirmLabel`
 * (red) beside Cancel. Keeps its own open/closed state.
 */
export function ConfirmButton({ label, confirmLabel, pending, onConfirm }: { label: string; confirmLabel: string; pending: boolean; onConfirm: () => void }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} className={quiet}>
        {label}
      </button>
    );
  }
  return (
    <span className="inline-flex gap-1">
      {/* The label may quote a name someone typed ("Revoke “…”"): one bounded line. */}
      <button
        type="button"
        disabled={pending}
        onClick={onConfirm}
        title={confirmLabel}
        className="max-w-56 truncate rounded bg-red-600 px-2 py-1 text-xs font-medium text-white hover:bg-red-700 disabled:opacity-60"
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setOpen(false)} className={quiet}>
        Cancel
      </button>
    </span>
  );
}
