"use client";

import { memo, useImperativeHandle, useRef, type Ref } from "react";
import type { LabProblem } from "@/server/labs/catalog";
import { lineCount, messagesByLine, offsetAt } from "./text-position";

/** What the rest of the editor may do to the text area. */
export interface EditorHandle {
  /** Puts the caret at a problem's line and column, scrolled into view, and focuses the text. */
  goTo(line: number, column: number): void;
}

/** Pixels per line: the gutter and the text share `leading-5`, so line N of each sit side by side. */
const LINE_PX = 20;

/**
 * The lab's source in a monospace text area beside a line-number gutter
 * that scrolls with it. Lines never wrap (line N of the text is number N of
 * the gutter); lines with problems are red in the gutter, the messages in
 * their tooltip. Tab keeps moving focus, as everywhere else on the page.
 */
export function EditorTextarea({
  id,
  value,
  onChange,
  readOnly,
  problems,
  describedBy,
  ref,
}: {
  id: string;
  value: string;
  onChange: (text: string) => void;
  readOnly: boolean;
  problems: LabProblem[];
  describedBy?: string;
  ref?: Ref<EditorHandle>;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  useImperativeHandle(
    ref,
    () => ({
      goTo(line, column) {
        const el = area.current;
        if (!el) return;
        const at = offsetAt(el.value, line, column);
        el.focus();
        el.setSelectionRange(at, at);
        el.scrollTop = Math.max(0, (line - 1) * LINE_PX - el.clientHeight / 2);
        if (gutter.current) gutter.current.scrollTop = el.scrollTop;
      },
    }),
    [],
  );

  return (
    <div className="flex h-[32rem] overflow-hidden rounded border border-zinc-300 font-mono text-sm leading-5 focus-within:ring-2 focus-within:ring-sky-500 dark:border-zinc-700">
      <div ref={gutter} aria-hidden className="shrink-0 overflow-hidden border-r border-zinc-200 bg-zinc-50 py-2 text-right text-zinc-400 select-none dark:border-zinc-800 dark:bg-zinc-900">
        <Gutter count={lineCount(value)} problems={problems} />
      </div>
      <textarea
        id={id}
        ref={area}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        readOnly={readOnly}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        autoComplete="off"
        wrap="off"
        aria-invalid={problems.length > 0}
        aria-describedby={describedBy}
        className="min-w-0 flex-1 resize-none overflow-auto bg-transparent p-2 whitespace-pre outline-none read-only:bg-zinc-50 dark:read-only:bg-zinc-900/50"
      />
    </div>
  );
}

/** The line numbers; redrawn only when the line count or the problems change, not on every key. */
const Gutter = memo(function Gutter({ count, problems }: { count: number; problems: LabProblem[] }) {
  const byLine = messagesByLine(problems);
  return (
    // Room below the last number for the text area's horizontal scrollbar, so both scroll as far.
    <div className="pb-10" data-testid="editor-gutter">
      {Array.from({ length: count }, (_, i) => {
        const messages = byLine.get(i + 1);
        return (
          <div
            key={i}
            data-line={i + 1}
            data-problem={messages ? "true" : undefined}
            title={messages?.join("\n")}
            className={`px-2 ${messages ? "bg-red-100 font-semibold text-red-700 dark:bg-red-950 dark:text-red-300" : ""}`}
          >
            {i + 1}
          </div>
        );
      })}
    </div>
  );
});
