/**
 * Where a problem (1-based line and column, as the validator reports them)
 * is in the editor's text, and which lines have problems, for the gutter.
 * No DOM here, so it is tested on its own.
 */

/** The offset of `line:column` in `text`, clamped to the text (a stale problem may point past it). */
export function offsetAt(text: string, line: number, column: number): number {
  const lines = text.split("\n");
  const l = Math.min(Math.max(1, Math.floor(line)), lines.length);
  let offset = 0;
  for (let i = 0; i < l - 1; i++) offset += lines[i]!.length + 1;
  const length = lines[l - 1]!.length;
  return offset + Math.min(Math.max(0, Math.floor(column) - 1), length);
}

/** How many lines the text has (an empty text has one). */
export function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** The messages of each line with problems, in the order given. */
export function messagesByLine(problems: readonly { line: number; column: number; message: string }[]): Map<number, string[]> {
  const byLine = new Map<number, string[]>();
  for (const p of problems) byLine.set(p.line, [...(byLine.get(p.line) ?? []), `${p.line}:${p.column} ${p.message}`]);
  return byLine;
}
