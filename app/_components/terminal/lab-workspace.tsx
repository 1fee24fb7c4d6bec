"use client";

/**
 * Lays out a lab page: with a ready session, the steps and the terminal
 * sit side by side on wide screens, split by a separator the learner can
 * move (its place is remembered), with the terminal sticky so "Run" buttons
 * stay next to it. On narrow screens they stack: header, terminal, steps.
 */
import { useRef, type CSSProperties, type ReactNode } from "react";
import { Separator, useSplitSize, type SplitBounds } from "../split-pane";
import { TerminalDock } from "./terminal-dock";
import { useTerminals } from "./terminals-context";

const SPLIT: SplitBounds = { initial: 50, min: 25, max: 75 };
const STEPS_ID = "lab-steps";

export function LabWorkspace({ header, body }: { header: ReactNode; body: ReactNode }) {
  const { sessionId } = useTerminals();
  const container = useRef<HTMLElement>(null);
  const [stepsWidth, setStepsWidth] = useSplitSize("runtime-labs.split.steps", SPLIT);
  const split = !!sessionId;
  // One tree shape whether or not a terminal shows, only classes change: a
  // different shape would remount the session panel and lose its state.
  // Narrow: the steps pane is `display: contents`, so header, terminal and
  // body are ordered as one column. Wide: the steps pane is a column of its
  // own, as wide as the separator says.
  const wide = split ? "xl:relative xl:left-1/2 xl:w-[min(96vw,120rem)] xl:-translate-x-1/2 xl:flex-row xl:gap-0" : "";
  return (
    // Wider than the site's column on big screens: two columns need the room.
    <article ref={container} className={`flex flex-col gap-6 ${wide}`}>
      <div
        id={STEPS_ID}
        className={split ? "contents xl:block xl:min-w-0 xl:shrink-0 xl:basis-(--steps-width)" : "contents"}
        style={{ "--steps-width": `${stepsWidth}%` } as CSSProperties}
      >
        <div className="order-1 min-w-0 xl:mb-6">{header}</div>
        <div className="order-3 min-w-0">{body}</div>
      </div>
      {split && (
        <Separator
          value={stepsWidth}
          bounds={SPLIT}
          onChange={setStepsWidth}
          containerRef={container}
          controls={STEPS_ID}
          label="Resize the steps and the terminal"
          className="hidden xl:sticky xl:top-4 xl:flex xl:h-[calc(100vh-6rem)] xl:self-start"
        />
      )}
      {split && (
        <div className="order-2 h-[60vh] min-w-0 xl:sticky xl:top-4 xl:order-none xl:h-[calc(100vh-6rem)] xl:flex-1 xl:self-start">
          <TerminalDock />
        </div>
      )}
    </article>
  );
}
