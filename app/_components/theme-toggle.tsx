"use client";

import { MoonIcon, SunIcon } from "./icons";
import { setTheme, useTheme } from "./theme-state";

/**
 * A toggle button in the header: pressed means the dark theme. The icon is
 * chosen by CSS (dark: classes), so it is right before hydration too.
 */
export function ThemeToggle() {
  const theme = useTheme();
  const dark = theme === "dark";
  return (
    <button
      type="button"
      aria-pressed={dark}
      title={dark ? "Switch to the light theme" : "Switch to the dark theme"}
      onClick={() => setTheme(dark ? "light" : "dark")}
      className="flex items-center rounded px-2 py-1 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
      data-testid="theme-toggle"
    >
      <MoonIcon className="h-4 w-4 dark:hidden" />
      <SunIcon className="hidden h-4 w-4 dark:block" />
      <span className="sr-only">Dark theme</span>
    </button>
  );
}
