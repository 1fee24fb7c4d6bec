"use client";

/**
 * Which pane of the lab page is in view on narrow screens, where steps and
 * terminal take turns (lab-workspace.tsx): "Run" brings the terminal up so
 * the learner sees what their snippet does. A no-op where both are visible.
 */
import { createContext, useContext } from "react";

export type LabPane = "steps" | "terminal";

export interface LabView {
  pane: LabPane;
  show(pane: LabPane): void;
  showTerminal(): void;
}

export const LabViewContext = createContext<LabView>({ pane: "steps", show: () => {}, showTerminal: () => {} });

export const useLabView = () => useContext(LabViewContext);
