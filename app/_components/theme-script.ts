/**
 * The colour theme: "light" or "dark", stored in localStorage under
 * THEME_STORAGE_KEY once the learner picks one; until then the system's
 * preference (prefers-color-scheme) decides. The `dark` class on <html> is
 * what Tailwind's dark: variant follows (app/globals.css).
 */
export type Theme = "light" | "dark";

export const THEME_STORAGE_KEY = "runtime-labs.theme";

/**
 * Runs in <head> before the first paint (app/layout.tsx), so a dark-theme
 * reader never sees a white flash. Plain ES5 in a string: it runs before any
 * bundle has loaded. Storage may be unavailable (private modes); then the
 * system preference applies.
 */
export const NO_FLASH_THEME_SCRIPT = `(function(){var d;try{var s=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});d=s?s==="dark":matchMedia("(prefers-color-scheme: dark)").matches}catch(e){d=false}var r=document.documentElement;r.classList.toggle("dark",d);r.style.colorScheme=d?"dark":"light"})();`;
