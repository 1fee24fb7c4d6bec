"use client";

import { useEffect } from "react";

/**
 * Nothing an author types is lost: unsaved text is kept in the browser
 * (localStorage, one draft per lab) and offered back when the editor opens
 * again, and leaving the page with unsaved changes asks first.
 */

export interface Draft {
  text: string;
  /** The version the text was started from: the save's `baseVersion`. */
  base: number;
  savedAt: string;
}

const key = (slug: string) => `runtime-labs:lab-draft:${slug}`;

/** The lab's draft in this browser, if any (read in the browser only). */
export function readDraft(slug: string): Draft | null {
  try {
    const parsed = JSON.parse(localStorage.getItem(key(slug)) ?? "null") as Partial<Draft> | null;
    if (!parsed || typeof parsed.text !== "string" || typeof parsed.base !== "number" || typeof parsed.savedAt !== "string") return null;
    return { text: parsed.text, base: parsed.base, savedAt: parsed.savedAt };
  } catch {
    return null;
  }
}

/** Forgets the lab's draft (after a save, or when the author discards it). */
export function discardDraft(slug: string): void {
  try {
    localStorage.removeItem(key(slug));
  } catch {
    // Storage refused (private mode, quota): there is nothing to forget.
  }
}

/**
 * Keeps the draft in step with the editor: written on every change while
 * the text differs from what was loaded, removed once it does not.
 */
export function useDraft(slug: string, text: string, base: number, dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return discardDraft(slug);
    try {
      localStorage.setItem(key(slug), JSON.stringify({ text, base, savedAt: new Date().toISOString() } satisfies Draft));
    } catch {
      // Storage full or refused: the unload warning still guards the text.
    }
  }, [slug, text, base, dirty]);
}

/** The browser's "Leave site?" question while there are unsaved changes. */
export function useUnsavedWarning(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older browsers ask only when returnValue is set.
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
}
