/**
 * A concise one-line rendering of our JSON log lines for people watching a
 * terminal during `npm run dev` (pino-pretty would do more, but is another
 * dependency). Production and anything piped keep the JSON.
 */
import type { DestinationStream } from "pino";

/** Fields shown in the line's fixed columns, or dropped as noise. */
const SHOWN = new Set(["time", "level", "msg", "component", "pid", "hostname", "err"]);

const COLOURS: Record<string, string> = { debug: "\x1b[90m", info: "\x1b[36m", warn: "\x1b[33m", error: "\x1b[31m", fatal: "\x1b[35m" };
const RESET = "\x1b[0m";

/** Renders one JSON log line as `12:03:04.123 INFO  sessions: message key=value`. */
export function formatPrettyLine(line: string, colour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`; // not ours: pass it through untouched
  }
  const time = typeof entry.time === "string" ? entry.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const level = String(entry.level ?? "info");
  const levelText = level.toUpperCase().padEnd(5);
  const component = entry.component ? `${String(entry.component)}: ` : "";
  const extras = Object.entries(entry)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  const head = colour ? `${COLOURS[level] ?? ""}${levelText}${RESET}` : levelText;
  // An error's stack reads best as the lines it was written in.
  const err = entry.err as { stack?: string; message?: string } | undefined;
  const stack = err ? `\n  ${(err.stack ?? err.message ?? JSON.stringify(err)).replace(/\n/g, "\n  ")}` : "";
  return `${time} ${head} ${component}${String(entry.msg ?? "")}${extras.length ? `  ${extras.join(" ")}` : ""}${stack}\n`;
}

/** A pino destination writing the concise form to `out`. */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean }): DestinationStream {
  const colour = out.isTTY === true;
  return { write: (line: string) => void out.write(formatPrettyLine(line.trimEnd(), colour)) };
}
