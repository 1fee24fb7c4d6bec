"use client";

/**
 * A code block from the lab text; shell snippets get a "Run" button that
 * pastes the snippet into the active terminal and presses Enter.
 */
import { useRef, useState, type ComponentProps } from "react";
import { useTerminals } from "./terminals-context";

/** Fence languages that are shell commands. */
const SHELL_LANGUAGES = new Set(["bash", "sh", "shell", "console"]);

export function CodeBlock({ language, ...props }: ComponentProps<"pre"> & { language: string | null }) {
  const pre = useRef<HTMLPreElement>(null);
  const { sessionId, run } = useTerminals();
  const [note, setNote] = useState<string | null>(null);
  if (!language || !SHELL_LANGUAGES.has(language)) return <pre {...props} />;
  return (
    <div className="group relative">
      <pre ref={pre} {...props} />
      <button
        type="button"
        className="absolute right-2 top-2 rounded bg-sky-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-sky-700 disabled:bg-zinc-500 disabled:opacity-70"
        disabled={!sessionId}
        title={sessionId ? "Run in the active terminal" : "Start the lab to run commands"}
        onClick={() => {
          const ok = run(pre.current?.textContent ?? "");
          setNote(ok ? null : "Open a terminal first.");
        }}
      >
        Run
      </button>
      {note && (
        <p role="alert" className="-mt-3 mb-3 text-xs text-red-700 dark:text-red-300">
          {note}
        </p>
      )}
    </div>
  );
}
