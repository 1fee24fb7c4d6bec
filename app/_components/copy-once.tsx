"use client";

import { useState } from "react";

/**
 * A secret shown exactly once (an API token, a webhook secret): the value in
 * a selectable box, a Copy button, and a sentence saying it will not be shown
 * again. `onDone` hides it.
 */
export function CopyOnce({ label, value, onDone, testId }: { label: string; value: string; onDone(): void; testId?: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      // Clipboard access needs a secure context; the box stays selectable.
      setCopied("failed");
    }
  };
  return (
    <div role="status" className="mt-3 rounded border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950" data-testid={testId}>
      {/* The label can hold a long value (a webhook's URL): one line, the whole in the tooltip. */}
      <p className="truncate font-medium" title={label}>
        {label}
      </p>
      <p className="mt-1 text-zinc-700 dark:text-zinc-300">Copy it now: it is not stored in a form we can show again.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code className="min-w-0 flex-1 select-all break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-zinc-900" data-testid={testId ? `${testId}-value` : undefined}>
          {value}
        </code>
        <button type="button" onClick={copy} className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700">
          Copy
        </button>
        <button type="button" onClick={onDone} className="rounded border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700">
          Done
        </button>
      </div>
      <p aria-live="polite" className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "The browser did not allow copying; select the text and copy it yourself." : ""}
      </p>
    </div>
  );
}
