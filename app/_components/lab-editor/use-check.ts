"use client";

import { useEffect, useRef, useState } from "react";
import type { LabProblem } from "@/server/labs/catalog";
import type { LabPreview } from "@/server/labs/authoring";
import { useTRPCClient } from "../../_trpc/client";

/** How long typing pauses before the text is checked. */
const DEBOUNCE_MS = 300;

export interface CheckState {
  /** The text changed since the last answer (or a check is on its way). */
  checking: boolean;
  /** The problems of the last text checked (the current one unless `checking`). */
  problems: LabProblem[];
  /** The preview of the last text checked, null while it has problems. */
  preview: LabPreview | null;
  /** The preview of the last text that had no problems (kept while the text has some). */
  lastValid: LabPreview | null;
  /** Why the last check could not be made, as the server said it. */
  error: string | null;
}

/**
 * The validator's verdict on the editor's text as the author types
 * (`authoring.check`, debounced; nothing is stored). An answer for a text
 * that has since changed is dropped, so answers out of order cannot show
 * stale problems as current.
 */
export function useCheck(slug: string, text: string): CheckState {
  const client = useTRPCClient();
  const [answer, setAnswer] = useState<{ text: string; problems: LabProblem[]; preview: LabPreview | null; error: string | null } | null>(null);
  const [lastValid, setLastValid] = useState<LabPreview | null>(null);
  // The text the page opens with is checked at once; typing waits for a pause.
  const answered = useRef(false);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(
      () => {
        client.authoring.check.mutate({ slug, source: text }).then(
          (r) => {
            answered.current = true;
            if (!current) return;
            setAnswer({ text, problems: r.problems, preview: r.preview, error: null });
            if (r.preview) setLastValid(r.preview);
          },
          (err: unknown) => {
            if (current) setAnswer((a) => ({ text, problems: a?.problems ?? [], preview: null, error: (err as Error).message }));
          },
        );
      },
      answered.current ? DEBOUNCE_MS : 0,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, slug, text]);

  return {
    checking: answer?.text !== text,
    problems: answer?.problems ?? [],
    preview: answer?.preview ?? null,
    lastValid,
    error: answer?.error ?? null,
  };
}
