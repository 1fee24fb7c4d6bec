// Issue "no server source file over 400 lines": a file that grows past it
// has usually taken on a second concern; this names it while the split is
// still cheap. Tests and Prisma's generated client are left out.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const MAX_LINES = 400;
const serverDir = import.meta.dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Lines as `wc -l` counts them, so the numbers printed match what people check by hand. */
function lineCount(file: string): number {
  return readFileSync(file, "utf8").split("\n").length - 1;
}

describe("server source files", () => {
  it(`have at most ${MAX_LINES} lines each`, () => {
    const files = sourceFiles(serverDir);
    expect(files.length).toBeGreaterThan(0);
    const offenders = files
      .map((f) => ({ file: path.relative(serverDir, f), lines: lineCount(f) }))
      .filter((f) => f.lines > MAX_LINES)
      .sort((a, b) => b.lines - a.lines)
      .map((f) => `server/${f.file}: ${f.lines} lines`);
    expect(offenders, `files over ${MAX_LINES} lines (split them by concern)`).toEqual([]);
  });
});
