/**
 * Fetches xterm.js and its addons ahead (the lab page calls it on load), so
 * the first terminal after Start does not wait for their chunks: part of the
 * Start → prompt time (issue 22). terminal-view.tsx imports the same modules
 * when it mounts; the second import is served from the module cache.
 */
export function preloadTerminalModules(): void {
  void Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit"), import("@xterm/addon-web-links"), import("@xterm/addon-webgl")]).catch(() => undefined);
}
