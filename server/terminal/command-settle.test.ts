import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommandSettleWatch, looksLikePrompt } from "./command-settle";

const PROMPT = "root@node-1:~# ";
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

/** A watch with the default timings, the reports it made (fake ms), and helpers to drive it. */
function watch() {
  const reports: number[] = [];
  const t0 = Date.now();
  const w = new CommandSettleWatch(() => reports.push(Date.now() - t0));
  const out = (s: string) => w.output(bytes(s));
  const key = (s: string) => w.input(bytes(s));
  /** The shell's first prompt, reported and then forgotten: tests start from a shell waiting for a command. */
  const ready = async () => {
    out(PROMPT);
    await vi.advanceTimersByTimeAsync(100);
    reports.length = 0;
  };
  return { w, reports, out, key, ready, at: () => Date.now() - t0 };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("looksLikePrompt", () => {
  it("knows bash, sh and zsh prompts, with the control sequences shells print after them", () => {
    expect(looksLikePrompt(PROMPT)).toBe(true);
    expect(looksLikePrompt("learner@box:/tmp$ ")).toBe(true);
    expect(looksLikePrompt("box% ")).toBe(true);
    expect(looksLikePrompt("> ")).toBe(true); // a continuation line waits for input too
    expect(looksLikePrompt(`${PROMPT}\x1b[?2004h`)).toBe(true);
    expect(looksLikePrompt(`\x1b[01;32mroot@node\x1b[00m:~# \x1b]0;title\x07`)).toBe(true);
  });

  it("does not take command output for a prompt", () => {
    expect(looksLikePrompt("ls\r\n")).toBe(false);
    expect(looksLikePrompt("67108864\r\n")).toBe(false);
    expect(looksLikePrompt("price: 5$")).toBe(false);
    expect(looksLikePrompt("")).toBe(false);
  });
});

describe("CommandSettleWatch", () => {
  it("reports the shell's first prompt, then nothing while the learner types", async () => {
    const { reports, out, key } = watch();
    out("Welcome to your node\r\n");
    out(PROMPT);
    await vi.advanceTimersByTimeAsync(25);
    expect(reports).toEqual([25]);
    for (const c of "ctr -n k8s.io") {
      key(c);
      out(c); // the echo
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(reports).toHaveLength(1);
  });

  it("reports a command once its prompt comes back, even when it ran silently for a while", async () => {
    const { reports, out, key, ready, at } = watch();
    await ready();
    key("\r");
    out("\x1b[?2004l\r\n"); // the echo of Enter
    await vi.advanceTimersByTimeAsync(600); // the command works, printing nothing
    expect(reports).toEqual([]);
    out(`\x1b[?2004h${PROMPT}`);
    const prompted = at();
    await vi.advanceTimersByTimeAsync(100);
    expect(reports).toEqual([prompted + 25]);
  });

  it("reports a slow silent command twice at most: when its output settles and when the prompt returns", async () => {
    const { reports, out, key, ready } = watch();
    await ready();
    key("sleep 5\r");
    out("\r\n");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reports).toHaveLength(1); // quiet for a while: perhaps done, perhaps not
    out(PROMPT);
    await vi.advanceTimersByTimeAsync(100);
    expect(reports).toHaveLength(2);
  });

  it("reports output that never stops after 1 s, then at doubling intervals, a bounded number of times", async () => {
    const { reports, out, key, ready } = watch();
    await ready();
    key("yes\r");
    for (let t = 0; t < 120_000; t += 10) {
      out("y\r\n");
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(reports.map((t) => Math.round(t / 100) * 100)).toEqual([1_100, 3_100, 7_100, 15_100, 31_100]);
    // Ctrl-C ends it: the prompt that follows is reported, and typing after it is not.
    key("\x03");
    out(`^C\r\n${PROMPT}`);
    await vi.advanceTimersByTimeAsync(100);
    expect(reports).toHaveLength(6);
    key("l");
    out("l");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reports).toHaveLength(6);
  });

  it("counts each Enter of a typed-ahead series, but a bracketed paste as one command", async () => {
    const { reports, out, key, ready } = watch();
    await ready();
    key("touch a\rtouch b\r");
    out(`\r\n${PROMPT}`);
    await vi.advanceTimersByTimeAsync(100);
    out(`touch b\r\n${PROMPT}`);
    await vi.advanceTimersByTimeAsync(100);
    expect(reports).toHaveLength(2);
    // Then a multi-line paste: bash runs it when Enter follows, with one prompt at the end.
    key("\x1b[200~echo one\recho two\r\x1b[201~");
    key("\r\n");
    out(`one\r\ntwo\r\n${PROMPT}`);
    await vi.advanceTimersByTimeAsync(100);
    expect(reports).toHaveLength(3);
    // Typing at the prompt afterwards is not a command.
    key("l");
    out("l");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reports).toHaveLength(3);
  });

  it("reports nothing once disposed", async () => {
    const { w, reports, out, key } = watch();
    out(PROMPT);
    w.dispose();
    key("\r");
    out(PROMPT);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reports).toEqual([]);
  });
});
