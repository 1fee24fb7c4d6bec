/** Reads samples from test/fixtures/kind (see its README for their sources). */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const KIND_FIXTURES = path.resolve(import.meta.dirname, "../../../../test/fixtures/kind");

export function fixture(name: string): string {
  return readFileSync(path.join(KIND_FIXTURES, name), "utf8");
}

/**
 * Compares `actual` with a golden file; with UPDATE_GOLDEN=1 rewrites it
 * instead (then review the diff before committing).
 */
export function golden(name: string, actual: string): { expected: string; actual: string } {
  const file = path.join(KIND_FIXTURES, "golden", name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  return { expected: readFileSync(file, "utf8"), actual };
}
