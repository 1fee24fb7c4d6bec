import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, parseLab } from "./catalog";

// Golden lab files (kind's valid-*/invalid-* pattern): every valid-* parses
// cleanly; every invalid-* reports exactly the problems in its expected.txt.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npx vitest run golden
const root = path.resolve(__dirname, "../../test/fixtures/lab-golden");
const cases = fs.readdirSync(root).sort();

describe("golden labs", () => {
  it("has both kinds of case", () => {
    expect(cases.some((c) => c.startsWith("valid-"))).toBe(true);
    expect(cases.some((c) => c.startsWith("invalid-"))).toBe(true);
  });

  for (const name of cases) {
    const text = fs.readFileSync(path.join(root, name, "lab.md"), "utf8");
    const { lab, problems } = parseLab(name, "lab.md", text);
    const lines = problems.map(formatProblem);
    if (name.startsWith("valid-")) {
      it(`${name} is valid`, () => {
        expect(lines).toEqual([]);
        expect(lab?.slug).toBe(name);
      });
    } else {
      it(`${name} reports exactly its expected problems`, () => {
        const file = path.join(root, name, "expected.txt");
        if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, lines.join("\n") + "\n");
        expect(lab).toBeUndefined();
        expect(lines).toEqual(fs.readFileSync(file, "utf8").trimEnd().split("\n"));
      });
    }
  }
});
