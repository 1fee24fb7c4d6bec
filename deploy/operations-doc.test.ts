/**
 * docs/operations.md promises a reference entry for every environment
 * variable the server reads. Variables are added often (by several people),
 * so this test fails when one is missing from the document, naming it.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const doc = fs.readFileSync(path.join(root, "docs/operations.md"), "utf8");

/** Set by the server itself, not by operators. */
const NOT_CONFIGURATION = new Set(["NEXT_TELEMETRY_DISABLED"]);

/** Keys of the `envSchema` object in server/env.ts (two-space indented `NAME: z…`). */
function schemaVariables(source: string): string[] {
  const start = source.indexOf("const envSchema = z.object({");
  if (start < 0) throw new Error("server/env.ts no longer declares `const envSchema = z.object({`; update this test.");
  const end = source.indexOf("\n});", start);
  return [...source.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

/** `process.env.NAME` reads in the server's non-test sources. */
function directReads(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || /(\.test\.ts|test-support\.ts|test-fixtures\.ts)$/.test(entry.name)) continue;
    const text = fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8");
    for (const m of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) out.push(m[1]!);
  }
  return out;
}

describe("docs/operations.md", () => {
  it("finds the variables in server/env.ts", () => {
    const found = schemaVariables(fs.readFileSync(path.join(root, "server/env.ts"), "utf8"));
    expect(found).toEqual(expect.arrayContaining(["PORT", "DATABASE_URL", "POOL_SIZE"]));
  });

  it("documents every variable the server reads", () => {
    const read = new Set([...schemaVariables(fs.readFileSync(path.join(root, "server/env.ts"), "utf8")), ...directReads(path.join(root, "server")).filter((v) => !NOT_CONFIGURATION.has(v))]);
    const missing = [...read].filter((v) => !doc.includes(`\`${v}\``)).sort();
    expect(missing, "add these to the configuration reference in docs/operations.md").toEqual([]);
  });
});
