"use client";

/**
 * Lays out a lab page. With a ready session, from 1,024 px wide the steps
 * and the terminal sit side by side, split by a separator the learner can
 * move (its place is remembered), the terminal sticky so "Run" buttons stay
 * next to it. Narrower, they take turns under a bar of two tabs, Steps and
 * Terminal, each one tap (or F6) away: the steps keep their scroll position,
 * the terminal fills the screen, and "Run" brings it up. Without a session
 * the steps are all there is.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from "react";
import { Separator, useSplitSize, type SplitBounds } from "../split-pane";
import { LabViewContext, type LabPane, type LabView } from "./lab-view";
import { TerminalDock } from "./terminal-dock";
import { useTerminals } from "./terminals-context";

const SPLIT: SplitBounds = { initial: 50, min: 25, max: 75 };
const STEPS_ID = "lab-steps";
const TERMINAL_ID = "lab-terminal";
/** Tailwind's `lg`: side by side from here. */
const WIDE = "(min-width: 1024px)";

const isWide = () => window.matchMedia(WIDE).matches;

export function LabWorkspace({ header, body }: { header: ReactNode; body: ReactNode }) {
  const { sessionId, focusActive } = useTerminals();
  const container = useRef<HTMLElement>(null);
  const stepsRef = useRef<HTMLDivElement>(null);
  const [stepsWidth, setStepsWidth] = useSplitSize("runtime-labs.split.steps", SPLIT);
  const split = !!sessionId;
  const [chosen, setChosen] = useState<LabPane>("steps");
  const pane: LabPane = split ? chosen : "steps";
  // Where the steps were scrolled to when the terminal took the screen.
  const stepsScroll = useRef(0);
  const focusAfter = useRef<LabPane | null>(null);

  const show = useCallback(
    (next: LabPane, focus = false) => {
      if (next === pane) return;
      if (next === "terminal") stepsScroll.current = window.scrollY;
      focusAfter.current = focus ? next : null;
      setChosen(next);
    },
    [pane],
  );

  // After a switch on a narrow screen: the terminal fills the screen from
  // the tab bar down; the steps come back where the learner left them.
  const shownPane = useRef<LabPane>(pane);
  useLayoutEffect(() => {
    if (shownPane.current === pane) return;
    shownPane.current = pane;
    if (!split || isWide()) return;
    if (pane === "terminal") container.current?.scrollIntoView({ block: "start" });
    else window.scrollTo({ top: stepsScroll.current });
    if (focusAfter.current === "terminal") focusActive();
    else if (focusAfter.current === "steps") stepsRef.current?.focus({ preventScroll: true });
    focusAfter.current = null;
  }, [pane, split, focusActive]);

  // F6, the usual "next pane" key: on a narrow screen it swaps steps and
  // terminal; side by side, it goes from the steps into the terminal (the
  // terminal's own F6 leads back out, terminal-view.tsx).
  useEffect(() => {
    if (!split) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "F6" || e.ctrlKey || e.altKey || e.metaKey || e.shiftKey) return;
      if (isWide()) {
        if ((document.activeElement as HTMLElement | null)?.closest('[data-testid="terminals"]')) return;
        e.preventDefault();
        focusActive();
        return;
      }
      e.preventDefault();
      show(pane === "terminal" ? "steps" : "terminal", true);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [split, pane, show, focusActive]);

  const view = useMemo<LabView>(() => ({ pane, show, showTerminal: () => show("terminal") }), [pane, show]);

  // One tree shape whether or not a terminal shows, only classes change: a
  // different shape would remount the session panel and lose its state.
  const wide = split ? "lg:relative lg:left-1/2 lg:w-[min(96vw,120rem)] lg:-translate-x-1/2 lg:flex-row lg:gap-0" : "";
  const tab = (p: LabPane) =>
    `flex-1 rounded px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-500 ${
      pane === p ? "bg-white shadow-sm dark:bg-zinc-800" : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
    }`;
  return (
    <LabViewContext.Provider value={view}>
      {/* Wider than the site's column on big screens: two columns need the room. */}
      <article ref={container} className={`flex flex-col gap-4 ${wide}`} data-pane={pane}>
        {split && (
          <div
            role="tablist"
            aria-label="Lab view"
            className="sticky top-0 z-10 flex gap-1 rounded-lg border border-zinc-200 bg-zinc-100 p-1 lg:hidden dark:border-zinc-800 dark:bg-zinc-900"
            data-testid="pane-tabs"
          >
            <button type="button" role="tab" aria-selected={pane === "steps"} aria-controls={STEPS_ID} aria-keyshortcuts="F6" className={tab("steps")} onClick={() => show("steps")}>
              Steps
            </button>
            <button type="button" role="tab" aria-selected={pane === "terminal"} aria-controls={TERMINAL_ID} aria-keyshortcuts="F6" className={tab("terminal")} onClick={() => show("terminal", true)}>
              Terminal
            </button>
          </div>
        )}
        <div
          id={STEPS_ID}
          ref={stepsRef}
          tabIndex={-1}
          className={`min-w-0 focus:outline-none ${split ? "lg:block lg:shrink-0 lg:basis-(--steps-width)" : ""} ${pane === "terminal" ? "hidden" : ""}`}
          style={{ "--steps-width": `${stepsWidth}%` } as CSSProperties}
        >
          <div className="mb-6 min-w-0">{header}</div>
          <div className="min-w-0">{body}</div>
        </div>
        {split && (
          <Separator
            value={stepsWidth}
            bounds={SPLIT}
            onChange={setStepsWidth}
            containerRef={container}
            controls={STEPS_ID}
            label="Resize the steps and the terminal"
            className="hidden lg:sticky lg:top-4 lg:flex lg:h-[calc(100vh-6rem)] lg:self-start"
          />
        )}
        {split && (
          <div id={TERMINAL_ID} className={`h-[calc(100dvh-3.5rem)] min-w-0 lg:sticky lg:top-4 lg:block lg:h-[calc(100vh-6rem)] lg:flex-1 lg:self-start ${pane === "steps" ? "hidden" : ""}`}>
            <TerminalDock />
          </div>
        )}
      </article>
    </LabViewContext.Provider>
  );
}
