/**
 * Notices when a command typed in a terminal has finished, from what the
 * terminal already sees: the keys sent to the shell and the shell's output.
 * Grading uses it to check a learner's tasks right after the command that
 * may have completed one, instead of on a clock (docs/checks.md).
 *
 * A command starts with Enter (or Ctrl-C / Ctrl-D, which end what runs and
 * bring the prompt back). It has finished when the shell prints its prompt
 * again and then stays quiet for a moment. A prompt is recognised by how
 * bash, sh and zsh prompts end ("# ", "$ ", "% ", "> "), so a prompt the
 * learner redefined may be missed; then output that goes quiet for longer
 * counts as settled instead, a few times per command at most. Output that
 * never stops (a loop printing) is reported after a second, then at doubling
 * intervals, so a task the loop completes is still seen, at a bounded cost.
 *
 * The shell's first prompt counts as a finished command too: a new shell
 * asks for one evaluation when it is ready.
 */

/** Timings; tests shorten them. */
export interface CommandSettleTimings {
  /** Quiet after a prompt before the command counts as finished. */
  promptQuietMs: number;
  /** Quiet after output that is not a prompt before it counts as settled. */
  quietMs: number;
  /** Continuous output is reported first after this long, then at doubling intervals. */
  busyFirstMs: number;
  /** ...never further apart than this. */
  busyMaxMs: number;
  /** Reports without a prompt allowed per command (quiet or busy). */
  unpromptedPerCommand: number;
}

export const DEFAULT_COMMAND_SETTLE_TIMINGS: CommandSettleTimings = {
  promptQuietMs: 25,
  // Longer than most commands take: a command that works silently (ctr run
  // under load) would otherwise be reported once too early, before its prompt.
  quietMs: 750,
  busyFirstMs: 1_000,
  busyMaxMs: 30_000,
  unpromptedPerCommand: 5,
};

const CR = 0x0d;
const LF = 0x0a;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
/** Bracketed paste markers (ESC [ 200 ~ and ESC [ 201 ~): newlines between them do not run anything. */
const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";
/** Commands remembered at most (a long paste of Enters must not keep the watch busy forever). */
const MAX_PENDING = 50;
/** Output characters kept to look for a prompt. */
const TAIL_CHARS = 64;

const ESC = "\x1b";
const BEL = "\x07";
const PROMPT_END = /[#$%>] $/;
/** The rest of a CSI sequence (ESC [ ... letter): bracketed paste on/off, colours, cursor moves. */
const CSI_REST = /^[0-9;?]*[A-Za-z]$/;

/** `text` without the control sequences at its end that shells print after a prompt (CSI, and OSC ... BEL titles). */
function withoutTrailingEscapes(text: string): string {
  for (;;) {
    const osc = text.lastIndexOf(`${ESC}]`);
    if (text.endsWith(BEL) && osc >= 0) {
      text = text.slice(0, osc);
      continue;
    }
    const csi = text.lastIndexOf(`${ESC}[`);
    if (csi >= 0 && CSI_REST.test(text.slice(csi + 2))) {
      text = text.slice(0, csi);
      continue;
    }
    return text;
  }
}

/** True when output ending in `tail` looks like a shell waiting for a command. */
export function looksLikePrompt(tail: string): boolean {
  return PROMPT_END.test(withoutTrailingEscapes(tail));
}

export class CommandSettleWatch {
  /** Commands started (Enters) whose prompt has not come back yet. */
  private pending = 1;
  /** Reports without a prompt left for the current command. */
  private unprompted: number;
  private tail = "";
  private inPaste = false;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;
  private busyTimer: ReturnType<typeof setTimeout> | null = null;
  private busyMs: number;
  private disposed = false;

  constructor(
    private readonly onSettled: () => void,
    private readonly timings: CommandSettleTimings = DEFAULT_COMMAND_SETTLE_TIMINGS,
  ) {
    this.unprompted = timings.unpromptedPerCommand;
    this.busyMs = timings.busyFirstMs;
  }

  /** Bytes the learner sent to the shell. */
  input(data: Uint8Array): void {
    if (this.disposed) return;
    const { started, interrupted } = this.scanKeys(data);
    if (!started && !interrupted) return;
    // Ctrl-C / Ctrl-D end what runs (the terminal also drops keys typed
    // ahead): one prompt follows, plus one per Enter typed after it.
    this.pending = Math.min(MAX_PENDING, (interrupted ? 1 : this.pending) + started);
    this.unprompted = this.timings.unpromptedPerCommand;
    this.busyMs = this.timings.busyFirstMs;
    // A command with no output at all (and no echo) still settles.
    this.armQuiet(this.timings.quietMs);
  }

  /** Bytes the shell wrote. */
  output(data: Uint8Array): void {
    if (this.disposed || this.pending === 0) return;
    this.tail = (this.tail + Buffer.from(data.subarray(Math.max(0, data.length - TAIL_CHARS))).toString("latin1")).slice(-TAIL_CHARS);
    const prompt = looksLikePrompt(this.tail);
    this.armQuiet(prompt ? this.timings.promptQuietMs : this.timings.quietMs, prompt);
    this.busyTimer ??= setTimeout(() => {
      this.busyTimer = null;
      this.busyMs = Math.min(this.timings.busyMaxMs, this.busyMs * 2);
      this.report(false);
    }, this.busyMs);
  }

  /** Stops all timers; nothing is reported afterwards. */
  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private armQuiet(ms: number, prompt = false): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (this.busyTimer) clearTimeout(this.busyTimer);
      this.busyTimer = null;
      this.report(prompt);
    }, ms);
  }

  private report(prompt: boolean): void {
    if (this.pending === 0 || this.disposed) return;
    if (prompt) {
      this.pending--;
      this.unprompted = this.timings.unpromptedPerCommand;
    } else if (this.unprompted > 0) {
      this.unprompted--;
    } else {
      // Output keeps settling without a prompt we recognise: stay quiet
      // until a prompt or the next Enter.
      return;
    }
    this.onSettled();
    if (this.pending === 0) this.clear();
  }

  /**
   * Enters in `data` (outside bracketed pastes, a CR LF pair counting once)
   * after its last Ctrl-C or Ctrl-D, and whether it had one.
   */
  private scanKeys(data: Uint8Array): { started: number; interrupted: boolean } {
    let started = 0;
    let interrupted = false;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (b === 0x1b) {
        const seq = Buffer.from(data.subarray(i, i + PASTE_START.length)).toString("latin1");
        if (seq === PASTE_START) this.inPaste = true;
        else if (seq === PASTE_END) this.inPaste = false;
      } else if (this.inPaste) {
        continue;
      } else if (b === CTRL_C || b === CTRL_D) {
        interrupted = true;
        started = 0;
      } else if (b === CR || (b === LF && data[i - 1] !== CR)) {
        started++;
      }
    }
    return { started, interrupted };
  }

  private clear(): void {
    for (const t of [this.quietTimer, this.busyTimer]) if (t) clearTimeout(t);
    this.quietTimer = this.busyTimer = null;
  }
}
