/** Limits and timings of the terminal gateway; tests shorten the timers. */
export interface TerminalConfig {
  /** How long a shell with no attached client lives before it is killed. */
  graceMs: number;
  /** A terminal with no input for this long is closed. */
  idleMs: number;
  /** Terminals one session may have open at once. */
  maxPerSession: number;
  /** Recent output kept per terminal for reconnects. */
  replayBytes: number;
  /** Output is batched for at most this long... */
  batchMs: number;
  /** ...or until this many bytes are pending. */
  batchBytes: number;
  /** Pause the shell's output when a client has this many unsent bytes... */
  highWaterBytes: number;
  /** ...and resume once every client is below this. */
  lowWaterBytes: number;
  /** A client that stays above the high-water mark this long is dropped (it may reconnect). */
  stallMs: number;
  /** Input rate limit per connection: bytes per second and burst. */
  inputBytesPerSec: number;
  inputBurstBytes: number;
  /** Learner activity is recorded at most this often per session. */
  touchEveryMs: number;
  /** How often a read-only watcher's access is checked again (it may be revoked while watching). */
  watcherRecheckMs: number;
  /** Extra origins allowed besides PUBLIC_URL's (tests, proxies). */
  trustedOrigins: string[];
  /**
   * Called when a command typed in a terminal has finished (its prompt came
   * back, server/terminal/command-settle.ts), with the terminal's key
   * "<session id>/<terminal id>". The server grades the session's tasks on
   * it (server/grading/terminal-trigger.ts); unset, nothing is watched.
   */
  onCommandSettled?: (terminalKey: string) => void;
  /**
   * Open a shell for each session as soon as it becomes ready, before any
   * browser asks (server/terminal/prestart.ts). On in the server; off by
   * default so tests count only the terminals they open.
   */
  prestartShell?: boolean;
}

export const DEFAULT_TERMINAL_CONFIG: TerminalConfig = {
  graceMs: 60_000,
  idleMs: 30 * 60_000,
  maxPerSession: 4,
  replayBytes: 256 * 1024,
  batchMs: 4,
  batchBytes: 64 * 1024,
  highWaterBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  stallMs: 30_000,
  inputBytesPerSec: 256 * 1024,
  inputBurstBytes: 1024 * 1024,
  touchEveryMs: 30_000,
  watcherRecheckMs: 15_000,
  trustedOrigins: [],
};
