import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PROMPT_SETTLE_MS, PromptWatch } from "./prompt-watch";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("PromptWatch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A screen whose cursor line is `line`, fed through the watch as a terminal would. */
  function screen() {
    let line = "root@node-1:~# ";
    const watch = new PromptWatch(() => line);
    const show = (out: string, cursorLine: string) => {
      watch.received(bytes(out));
      line = cursorLine;
      watch.parsed();
    };
    return { watch, show };
  }

  it("does not take the prompt that was on screen before the line was sent", async () => {
    const { watch, show } = screen();
    watch.sent();
    const result = watch.wait(5_000, new AbortController().signal);
    let settled = false;
    void result.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settled).toBe(false);
    show("sleep 2\r\n", ""); // the echo and Enter; the command runs
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settled).toBe(false);
    show("root@node-1:~# ", "root@node-1:~# "); // it finished
    await vi.advanceTimersByTimeAsync(PROMPT_SETTLE_MS);
    expect(await result).toBe("prompt");
  });

  it("ignores a prompt-like moment that output follows at once", async () => {
    const { watch, show } = screen();
    watch.sent();
    const result = watch.wait(5_000, new AbortController().signal);
    show("cat x\r\nroot@fake:~# ", "root@fake:~# ");
    await vi.advanceTimersByTimeAsync(PROMPT_SETTLE_MS / 2);
    show("more output", "root@fake:~# more output");
    await vi.advanceTimersByTimeAsync(PROMPT_SETTLE_MS * 2);
    show("\r\nroot@node-1:~# ", "root@node-1:~# ");
    await vi.advanceTimersByTimeAsync(PROMPT_SETTLE_MS);
    expect(await result).toBe("prompt");
  });

  it("gives up after the timeout, and at once when aborted", async () => {
    const { watch } = screen();
    watch.sent();
    const late = watch.wait(2_000, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await late).toBe("timeout");
    const controller = new AbortController();
    const aborted = watch.wait(60_000, controller.signal);
    controller.abort();
    expect(await aborted).toBe("timeout");
  });
});
