import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, loadCatalog, loadLab } from "./catalog";

// The tester's broken labs (test/fixtures/broken-labs/README.md): each is
// refused with exactly the problems in its expected.txt, and none of them
// keeps the labs beside it from loading.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npx vitest run --project unit server/labs/broken-labs.test.ts
const root = path.resolve(__dirname, "../../test/fixtures/broken-labs");
const cases = fs
  .readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe("broken lab fixtures", () => {
  it("holds the cases the tester reported", () => {
    expect(cases).toEqual(["alias-bomb", "bad-utf8", "tangled-tasks", "unclosed-frontmatter"]);
  });

  for (const name of cases) {
    it(`${name} is refused with exactly its expected problems, each located`, () => {
      const { lab, problems } = loadLab(path.join(root, name));
      const lines = problems.map((p) => formatProblem({ ...p, file: "lab.md" }));
      const file = path.join(root, name, "expected.txt");
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, lines.join("\n") + "\n");
      expect(lab).toBeUndefined();
      expect(lines).toEqual(fs.readFileSync(file, "utf8").trimEnd().split("\n"));
      for (const line of lines) expect(line).toMatch(/^lab\.md:\d+:\d+: \S/);
    });
  }

  it("leaves every repository lab served when they sit in the same directory", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broken-labs-"));
    fs.cpSync(path.resolve(__dirname, "../../labs"), dir, { recursive: true });
    fs.cpSync(root, dir, { recursive: true });
    const repo = loadCatalog(path.resolve(__dirname, "../../labs"));
    const mixed = loadCatalog(dir);
    expect(mixed.labs.map((l) => l.slug)).toEqual(repo.labs.map((l) => l.slug));
    expect(mixed.broken.map((b) => b.slug)).toEqual(cases);
    fs.rmSync(dir, { recursive: true });
  });
});
