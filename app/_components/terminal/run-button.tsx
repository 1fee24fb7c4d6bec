"use client";

/**
 * A code block from the lab text. Every block gets "Copy"; shell snippets
 * also get "Run", which pastes the snippet into the active terminal and
 * presses Enter.
 */
import { useRef, useState, type ComponentProps } from "react";
import { useTerminals } from "./terminals-context";

/** Fence languages that are shell commands. */
const SHELL_LANGUAGES = new Set(["bash", "sh", "shell", "console"]);

export function CodeBlock({ language, ...props }: ComponentProps<"pre"> & { language: string | null }) {
  const pre = useRef<HTMLPreElement>(null);
  const { sessionId, run } = useTerminals();
  const [note, setNote] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const shell = !!language && SHELL_LANGUAGES.has(language);
  const copy = () =>
    void navigator.clipboard?.writeText((pre.current?.textContent ?? "").replace(/\n+$/, "")).then(
      () => {
        setCopied(true);
        setNote(null);
        setTimeout(() => setCopied(false), 1500);
      },
      () => setNote("The browser did not allow copying; select the text instead."),
    );
  const button = "rounded px-2 py-0.5 text-xs font-medium";
  return (
    <div className="group relative">
      <pre ref={pre} {...props} />
      <div className="absolute right-2 top-2 flex gap-1">
        <button type="button" onClick={copy} className={`${button} bg-zinc-200 text-zinc-800 hover:bg-zinc-300 dark:bg-zinc-700 dark:text-zinc-100 dark:hover:bg-zinc-600`} title="Copy to the clipboard">
          {copied ? "Copied" : "Copy"}
        </button>
        {shell && (
          <button
            type="button"
            className={`${button} bg-sky-600 text-white hover:bg-sky-700 disabled:bg-zinc-500 disabled:opacity-70`}
            disabled={!sessionId}
            title={sessionId ? "Run in the active terminal" : "Start the lab to run commands"}
            onClick={() => {
              const ok = run(pre.current?.textContent ?? "");
              setNote(ok ? null : "Open a terminal first.");
            }}
          >
            Run
          </button>
        )}
      </div>
      {note && (
        <p role="alert" className="-mt-3 mb-3 text-xs text-red-700 dark:text-red-300">
          {note}
        </p>
      )}
    </div>
  );
}
