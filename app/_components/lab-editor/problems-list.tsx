"use client";

import type { LabProblem } from "@/server/labs/catalog";

const plural = (n: number) => `${n} problem${n === 1 ? "" : "s"}`;

/** "Checking…", "2 problems" or "No problems": the editor's one-line verdict on the text, announced politely. */
export function CheckStatus({ id, checking, count, error }: { id: string; checking: boolean; count: number; error: string | null }) {
  const text = checking ? "Checking…" : error ? `Could not check the text: ${error}` : count ? plural(count) : "No problems";
  const colour = checking ? "text-zinc-500" : error || count ? "text-red-700 dark:text-red-300" : "text-emerald-700 dark:text-emerald-400";
  return (
    <p id={id} role="status" className={`text-sm ${colour}`} data-testid="editor-status">
      {text}
    </p>
  );
}

/** The text's problems, `line:col message`; each one takes the caret to its place. */
export function ProblemsList({ problems, onGo }: { problems: LabProblem[]; onGo: (line: number, column: number) => void }) {
  return (
    <section aria-labelledby="problems-heading" className="space-y-1">
      <h2 id="problems-heading" className="text-sm font-semibold">
        Problems
      </h2>
      <div data-testid="editor-problems" className="text-sm">
        {problems.length === 0 ? (
          <p className="text-zinc-600 dark:text-zinc-400">No problems</p>
        ) : (
          <ul className="space-y-1">
            {problems.map((p, i) => (
              <li key={i}>
                <button
                  type="button"
                  onClick={() => onGo(p.line, p.column)}
                  className="w-full rounded px-1 text-left hover:bg-red-50 dark:hover:bg-red-950/40"
                  data-testid="editor-problem"
                  data-line={p.line}
                >
                  <code className="text-xs text-red-700 dark:text-red-300">
                    {p.line}:{p.column}
                  </code>{" "}
                  {p.message}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
