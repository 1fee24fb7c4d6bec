/**
 * How "Run" feeds a multi-line snippet to the shell: one command at a time,
 * the next only once the shell shows its prompt again, as a person would.
 * Pasting every line at once lets later lines run before earlier ones have
 * had their effect (a container that has not died yet, a file not written).
 * Pure functions, no DOM: unit-tested in snippet.test.ts.
 */

/**
 * Splits a snippet into the units the shell must get whole: one line each,
 * except that a line continues into the next while
 * - it ends in a backslash (an odd number of them);
 * - a here-document it opened (`<<EOF`, `<<-'EOF'`, `<<"EOF"`) is not closed
 *   by its delimiter line yet;
 * - a quote it opened is still open;
 * - it ends with `|`, `&&` or `||` (bash waits for the rest).
 * Comment-only and blank lines are dropped; trailing blank lines too.
 */
export function splitSnippet(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
  const units: string[] = [];
  let current: string[] = [];
  let heredocs: { word: string; stripTabs: boolean }[] = [];
  let quote: "'" | '"' | null = null;
  // Whether the line that opened the here-documents goes on (`cat <<EOF |`).
  let openerContinues = false;

  for (const line of lines) {
    if (heredocs.length) {
      current.push(line);
      const h = heredocs[0]!;
      if ((h.stripTabs ? line.replace(/^\t+/, "") : line) === h.word) heredocs.shift();
      if (!heredocs.length && !openerContinues) flush();
      continue;
    }
    if (!current.length && !quote && /^\s*(#.*)?$/.test(line)) continue;
    current.push(line);
    const scan = scanLine(line, quote);
    quote = scan.quote;
    heredocs = scan.heredocs;
    openerContinues = !quote && continues(line);
    if (!heredocs.length && !quote && !openerContinues) flush();
  }
  flush();
  return units;

  function flush() {
    if (current.length) units.push(current.join("\n"));
    current = [];
  }
}

/** A line the shell reads on from: a trailing odd backslash, or a pipe or list operator. */
function continues(line: string): boolean {
  const trailing = /\\+$/.exec(line)?.[0].length ?? 0;
  if (trailing % 2 === 1) return true;
  return /(\|\||&&|\|)\s*$/.test(stripComment(line));
}

/** The line without a trailing `# comment` (outside quotes, at a word start). */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "\\") i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/**
 * Reads one line as bash would for our purpose: which quote is open at its
 * end (starting in `quote`), and which here-documents it opens, in order.
 */
function scanLine(line: string, quote: "'" | '"' | null): { quote: "'" | '"' | null; heredocs: { word: string; stripTabs: boolean }[] } {
  const heredocs: { word: string; stripTabs: boolean }[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      continue;
    }
    if (quote === '"') {
      if (c === "\\") i++;
      else if (c === '"') quote = null;
      continue;
    }
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      continue;
    }
    if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) break;
    // `<<` opens a here-document; `<<<` is a here-string (one line).
    if (c === "<" && line[i + 1] === "<" && line[i + 2] === "<") {
      i += 2;
      continue;
    }
    if (c === "<" && line[i + 1] === "<") {
      const m = /^<<(-?)\s*(?:'([^']*)'|"([^"]*)"|\\?([A-Za-z0-9_.-]+))/.exec(line.slice(i));
      if (m) {
        heredocs.push({ word: m[2] ?? m[3] ?? m[4]!, stripTabs: m[1] === "-" });
        i += m[0].length - 1;
      }
    }
  }
  return { quote, heredocs };
}

/**
 * The node's prompt (PS1 `\u@\h:\w\$ `, images/node) at the end of what the
 * terminal shows before its cursor: `root@node-1a2b:~# `. bash's
 * continuation prompt (`> `, inside a loop or an if typed over several
 * lines) counts too: the shell is waiting for the next line either way.
 */
export function looksLikePrompt(textBeforeCursor: string): boolean {
  return /^[^\s@]+@[^\s:]+:[^\n]*[#$] $/.test(textBeforeCursor) || textBeforeCursor === "> ";
}

/** What {@link runUnits} needs of a terminal. */
export interface SnippetTerminal {
  /** Types one unit and presses Enter. */
  send(unit: string): void;
  /** Resolves "prompt" once the shell shows its prompt after the last send, or "timeout". */
  waitForPrompt(timeoutMs: number, signal: AbortSignal): Promise<"prompt" | "timeout">;
}

/** How long a line may run before the next is sent anyway (a prompt the pattern does not know, a command that waits). */
export const PROMPT_TIMEOUT_MS = 15_000;

/**
 * Sends each unit and waits for the prompt before the next (or gives up
 * waiting after `timeoutMs`, then sends the next anyway, as before).
 * `onProgress(i)` is called before unit i is sent. Stops when `signal` aborts.
 */
export async function runUnits(units: string[], terminal: SnippetTerminal, signal: AbortSignal, onProgress: (index: number) => void = () => {}, timeoutMs = PROMPT_TIMEOUT_MS): Promise<void> {
  for (let i = 0; i < units.length; i++) {
    if (signal.aborted) return;
    onProgress(i);
    terminal.send(units[i]!);
    if (i < units.length - 1) await terminal.waitForPrompt(timeoutMs, signal);
  }
}
