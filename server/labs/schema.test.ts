import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { labJsonSchema } from "./schema";

describe("docs/lab.schema.json", () => {
  it("matches the zod schema (regenerate with `npx labs schema > docs/lab.schema.json`)", () => {
    const committed = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/lab.schema.json"), "utf8"));
    expect(committed).toEqual(labJsonSchema());
  });

  it("describes tasks and the typed checks editors should offer", () => {
    const text = JSON.stringify(labJsonSchema());
    for (const type of ["script", "file", "command", "cgroup", "oomKilled", "runtime", "namespace", "capability", "seccomp", "kubectl"]) {
      expect(text).toContain(`"const":"${type}"`);
    }
  });
});
