"use client";

/**
 * A code block from the lab text, with a bar above it (never over the
 * code, so the end of a long command stays readable): the fence's language,
 * "Copy", and for shell snippets "Run", which types the snippet into the
 * active terminal one command at a time, each once the prompt is back
 * (snippet.ts), and can be stopped half-way.
 */
import { useId, useRef, useState, type ComponentProps } from "react";
import { useLabView } from "./lab-view";
import { useTerminals } from "./terminals-context";

/** Fence languages that are shell commands. */
const SHELL_LANGUAGES = new Set(["bash", "sh", "shell", "console"]);

/**
 * Puts text on the clipboard: the Clipboard API where the page may use it
 * (HTTPS or localhost), else the older copy command on a hidden text area
 * (a server reached over plain HTTP). False when neither works.
 */
async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (permissions): try the old way.
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

export function CodeBlock({ language, ...props }: ComponentProps<"pre"> & { language: string | null }) {
  const pre = useRef<HTMLPreElement>(null);
  const source = useId();
  const { sessionId, run, running, stopRun } = useTerminals();
  const { showTerminal } = useLabView();
  const [note, setNote] = useState<string | null>(null);
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  const shell = !!language && SHELL_LANGUAGES.has(language);
  const mine = running?.source === source ? running : null;
  const text = () => (pre.current?.textContent ?? "").replace(/\n+$/, "");

  const copy = async () => {
    const ok = await copyText(text());
    setCopied(ok ? "copied" : "failed");
    setTimeout(() => setCopied(null), 2000);
  };
  const button = "rounded px-2 py-0.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-sky-500";
  return (
    <div className="code-block my-4" data-testid="code-block">
      <div className="flex items-center gap-1 rounded-t-lg border-b border-zinc-700 bg-zinc-800 px-2 py-1 text-zinc-300">
        <span className="mr-auto font-mono text-xs text-zinc-400">{language ?? "text"}</span>
        {/* The outcome in words, announced: the button's own label changes too. */}
        <span role="status" className="sr-only">
          {copied === "copied" ? "Copied to the clipboard" : copied === "failed" ? "The browser did not allow copying; select the text instead." : ""}
        </span>
        {mine && (
          <span className="text-xs text-zinc-400" data-testid="run-progress">
            command {mine.index + 1} of {mine.total}
          </span>
        )}
        <button type="button" onClick={() => void copy()} className={`${button} bg-zinc-700 text-zinc-100 hover:bg-zinc-600`} title="Copy to the clipboard">
          {copied === "copied" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy"}
        </button>
        {shell &&
          (mine ? (
            <button type="button" className={`${button} bg-amber-600 text-white hover:bg-amber-700`} onClick={stopRun} title="Type no more of this snippet">
              Stop
            </button>
          ) : (
            <button
              type="button"
              className={`${button} bg-sky-600 text-white hover:bg-sky-700 disabled:bg-zinc-600 disabled:opacity-70`}
              disabled={!sessionId}
              title={sessionId ? "Run in the active terminal, one command at a time" : "Start the lab to run commands"}
              onClick={() => {
                const ok = run(text(), source);
                setNote(ok ? null : "Open a terminal first.");
                if (ok) showTerminal();
              }}
            >
              Run
            </button>
          ))}
      </div>
      <pre ref={pre} {...props} />
      {note && (
        <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
          {note}
        </p>
      )}
    </div>
  );
}
