"use client";

import { useId, useState, type KeyboardEvent, type ReactNode } from "react";

/** One stop of a stepper: a short label and what to show when selected. */
export interface Step {
  label: string;
  body: ReactNode;
}

/**
 * Steps as a WAI-ARIA tab list: arrow keys, Home and End move between
 * steps, Previous/Next buttons for the same, and the position in words
 * ("Step 3 of 9"), so nothing depends on colour.
 */
export function Stepper({ title, steps }: { title: string; steps: Step[] }) {
  const [at, setAt] = useState(0);
  const id = useId();
  const go = (i: number) => setAt(Math.max(0, Math.min(steps.length - 1, i)));
  const onKey = (e: KeyboardEvent) => {
    const next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: steps.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    go(next);
    document.getElementById(`${id}-tab-${Math.max(0, Math.min(steps.length - 1, next))}`)?.focus();
  };
  return (
    <section className="not-prose my-6 rounded-lg border border-zinc-300 p-4 dark:border-zinc-700" aria-label={title}>
      <h3 className="mb-3 font-semibold">{title}</h3>
      <div role="tablist" aria-label={`${title}: steps`} className="flex flex-wrap gap-1" onKeyDown={onKey}>
        {steps.map((s, i) => (
          <button
            key={s.label}
            id={`${id}-tab-${i}`}
            role="tab"
            type="button"
            aria-selected={i === at}
            aria-controls={`${id}-panel`}
            tabIndex={i === at ? 0 : -1}
            onClick={() => go(i)}
            className={`rounded border px-2 py-1 text-xs ${i === at ? "border-sky-600 bg-sky-600 font-semibold text-white underline" : "border-zinc-300 dark:border-zinc-700"}`}
          >
            {i + 1}. {s.label}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${at}`} className="mt-3 text-sm" data-testid="stepper-panel">
        <p className="mb-2 text-xs text-zinc-500">
          Step {at + 1} of {steps.length}: {steps[at]!.label}
        </p>
        {steps[at]!.body}
      </div>
      <div className="mt-3 flex gap-2">
        <button type="button" className="rounded border border-zinc-300 px-2 py-1 text-xs disabled:opacity-40 dark:border-zinc-700" onClick={() => go(at - 1)} disabled={at === 0}>
          Previous
        </button>
        <button type="button" className="rounded border border-zinc-300 px-2 py-1 text-xs disabled:opacity-40 dark:border-zinc-700" onClick={() => go(at + 1)} disabled={at === steps.length - 1}>
          Next
        </button>
      </div>
    </section>
  );
}
