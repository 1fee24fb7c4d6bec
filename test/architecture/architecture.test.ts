// The server's import graph, checked on every run (issue: "a house that is
// easy to change"): no cycles, type imports included, and no domain folder
// reaching up into the API layer. eslint's no-restricted-imports says the
// second at the line; this says both for the whole tree, with the files.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, importEdges, sourceFiles } from "./import-graph";

const root = path.resolve(import.meta.dirname, "../..");
const rel = (f: string) => path.relative(root, f);
const edges = importEdges(root, sourceFiles(path.join(root, "server")));

describe("the server's import graph", () => {
  it("has no cycle, counting type-only imports", () => {
    expect(cycles(edges).map((c) => c.map(rel))).toEqual([]);
  });

  it("has no import from a domain folder into the API layer (server/trpc)", () => {
    const up = edges.filter((e) => rel(e.to).startsWith("server/trpc/") && !rel(e.from).startsWith("server/trpc/"));
    expect(up.map((e) => `${rel(e.from)} -> ${rel(e.to)}`)).toEqual([]);
  });

  it("has no import from server code into test/ (the app image leaves test/ out: .dockerignore)", () => {
    const intoTests = edges.filter((e) => rel(e.to).startsWith("test/"));
    expect(intoTests.map((e) => `${rel(e.from)} -> ${rel(e.to)}`)).toEqual([]);
  });

  it("has no import from sandbox/providers/common/ into a provider's own folder (common sits below docker and kind)", () => {
    const common = "server/sandbox/providers/common/";
    const up = edges.filter((e) => rel(e.from).startsWith(common) && rel(e.to).startsWith("server/sandbox/providers/") && !rel(e.to).startsWith(common));
    expect(up.map((e) => `${rel(e.from)} -> ${rel(e.to)}`)).toEqual([]);
  });

  it("finds cycles and type-only imports when they are there (the checker itself)", () => {
    const e = (from: string, to: string) => ({ from, to, typeOnly: false });
    expect(cycles([e("a", "b"), e("b", "c"), e("c", "a"), e("c", "d")])).toEqual([["a", "b", "c"]]);
    expect(cycles([e("a", "b"), e("b", "c")])).toEqual([]);
    const sample = importEdges(root, [path.join(root, "server/trpc/context.ts")]);
    expect(sample.find((x) => rel(x.to) === "server/auth/principal.ts")).toMatchObject({ typeOnly: false });
    expect(sample.find((x) => rel(x.to) === "server/services.ts")).toBeDefined();
  });
});
