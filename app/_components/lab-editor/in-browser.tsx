"use client";

import type { ComponentProps } from "react";
import { useInBrowser } from "../local-time";
import { LabEditor } from "./lab-editor";

/**
 * The editor once the page has hydrated: its first text may be a draft kept
 * in this browser (localStorage), which the server cannot know, so the
 * server renders a placeholder rather than a text that would then jump.
 */
export function LabEditorInBrowser(props: ComponentProps<typeof LabEditor>) {
  const inBrowser = useInBrowser();
  if (!inBrowser) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Opening the editor…</p>;
  return <LabEditor {...props} />;
}
