"use client";

import { useSyncExternalStore } from "react";
import { THEME_STORAGE_KEY, type Theme } from "./theme-script";

/** The theme now showing: the class set on <html> by the inline script or setTheme. */
function currentTheme(): Theme {
  return document.documentElement.classList.contains("dark") ? "dark" : "light";
}

function applyTheme(theme: Theme) {
  const root = document.documentElement;
  root.classList.toggle("dark", theme === "dark");
  root.style.colorScheme = theme;
}

/** Shows `theme` and remembers it for the next visit. */
export function setTheme(theme: Theme): void {
  try {
    localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
  applyTheme(theme);
}

/** The learner's stored choice, or null while the system preference decides. */
export function storedTheme(): Theme | null {
  try {
    const v = localStorage.getItem(THEME_STORAGE_KEY);
    return v === "dark" || v === "light" ? v : null;
  } catch {
    return null;
  }
}

function subscribe(onChange: () => void): () => void {
  // Anything that flips the class (the toggle, another tab, the system) re-renders readers.
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  // Without a stored choice the page follows the system's theme as it changes.
  const media = matchMedia("(prefers-color-scheme: dark)");
  const followSystem = () => {
    if (!storedTheme()) applyTheme(media.matches ? "dark" : "light");
  };
  media.addEventListener("change", followSystem);
  // Another tab picked a theme.
  const onStorage = (e: StorageEvent) => {
    if (e.key === THEME_STORAGE_KEY) applyTheme(storedTheme() ?? (media.matches ? "dark" : "light"));
  };
  window.addEventListener("storage", onStorage);
  return () => {
    observer.disconnect();
    media.removeEventListener("change", followSystem);
    window.removeEventListener("storage", onStorage);
  };
}

/**
 * The theme now showing, kept current. The server cannot know it, so server
 * rendering and hydration see "light"; the real value follows at once.
 * Anything visible before hydration should use dark: classes instead.
 */
export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, currentTheme, () => "light");
}
