"use client";

/**
 * Lays out a lab page: with a ready session, the steps and the terminal
 * sit side by side on wide screens (terminal sticky, so "Run" buttons stay
 * next to it) and stack on narrow ones (header, terminal, steps).
 */
import type { ReactNode } from "react";
import { TerminalDock } from "./terminal-dock";
import { useTerminals } from "./terminals-context";

export function LabWorkspace({ header, body }: { header: ReactNode; body: ReactNode }) {
  const { sessionId } = useTerminals();
  // One tree shape whether or not a terminal shows, only classes change: a
  // different shape would remount the session panel and lose its state.
  const wide = sessionId ? "xl:relative xl:left-1/2 xl:w-[min(96vw,120rem)] xl:-translate-x-1/2 xl:grid-cols-2" : "";
  return (
    // Wider than the site's column on big screens: two columns need the room.
    <article className={`grid gap-6 ${wide}`}>
      <div className="min-w-0 xl:col-start-1">{header}</div>
      {sessionId && (
        <div className="h-[60vh] min-w-0 xl:sticky xl:top-4 xl:col-start-2 xl:row-span-2 xl:row-start-1 xl:h-[calc(100vh-6rem)] xl:self-start">
          <TerminalDock />
        </div>
      )}
      <div className="min-w-0 xl:col-start-1">{body}</div>
    </article>
  );
}
