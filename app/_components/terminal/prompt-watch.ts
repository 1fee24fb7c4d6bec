/**
 * Waits for the shell's prompt after a line was sent (snippet.ts runUnits):
 * the prompt must come after a line break (the echoed Enter; before it, the
 * old prompt is still on screen) and stay for a moment with nothing after it
 * (output that happens to end like a prompt, mid-stream, does not count).
 */
import { looksLikePrompt } from "./snippet";

/** How long the prompt must stand with no further output. */
export const PROMPT_SETTLE_MS = 150;

export class PromptWatch {
  private newlineSince = false;
  private readonly waiters = new Set<() => void>();

  /** `lineBeforeCursor`: the screen's text on the cursor's line, up to the cursor. */
  constructor(private readonly lineBeforeCursor: () => string) {}

  /** A line was just sent: a prompt counts only after its output breaks a line. */
  sent(): void {
    this.newlineSince = false;
  }

  /** Output arrived (call before the screen parses it). */
  received(data: Uint8Array): void {
    if (data.includes(0x0a)) this.newlineSince = true;
  }

  /** The screen has parsed the latest output: waiters look again. */
  parsed(): void {
    for (const w of this.waiters) w();
  }

  private atPrompt(): boolean {
    return this.newlineSince && looksLikePrompt(this.lineBeforeCursor());
  }

  /** "prompt" once the prompt stands, "timeout" after `timeoutMs`, "timeout" too if aborted. */
  wait(timeoutMs: number, signal: AbortSignal): Promise<"prompt" | "timeout"> {
    return new Promise((resolve) => {
      let settle: ReturnType<typeof setTimeout> | undefined;
      const done = (result: "prompt" | "timeout") => {
        clearTimeout(settle);
        clearTimeout(deadline);
        this.waiters.delete(look);
        signal.removeEventListener("abort", onAbort);
        resolve(result);
      };
      const look = () => {
        clearTimeout(settle);
        if (this.atPrompt()) settle = setTimeout(() => this.atPrompt() && done("prompt"), PROMPT_SETTLE_MS);
      };
      const onAbort = () => done("timeout");
      const deadline = setTimeout(() => done("timeout"), timeoutMs);
      signal.addEventListener("abort", onAbort);
      this.waiters.add(look);
      look();
    });
  }
}
