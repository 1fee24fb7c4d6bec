import { describe, expect, it } from "vitest";
import { checkReadiness, type ReadinessDeps } from "../observability/readiness";
import type { CatalogStatus } from "./report";

// The `labs` readiness check (server/observability/readiness.ts): it counts
// broken labs but never makes the server unready, since the good labs serve.
function deps(status: CatalogStatus | (() => CatalogStatus)): ReadinessDeps {
  return {
    db: { description: "fake db", ping: async () => {} },
    labs: {
      list: async () => Array.from({ length: typeof status === "function" ? 1 : status.served }, (_, i) => ({ slug: `lab-${i}` })),
      status: typeof status === "function" ? status : () => status,
    },
    sessions: { capacity: () => [], providerFor: () => undefined },
    docker: { ping: async () => "OK" },
  } as unknown as ReadinessDeps;
}

const broken = (slug: string) => ({ slug, file: `labs/${slug}/lab.md`, problems: [{ line: 1, column: 1, message: "missing frontmatter" }] });

describe("readiness: labs", () => {
  it("stays ready with broken labs and says how many, and where to see them", async () => {
    const report = await checkReadiness(deps({ served: 9, broken: [broken("alias-bomb"), broken("bad-utf8")], other: [] }));
    expect(report.ready).toBe(true);
    expect(report.reasons).toEqual([]);
    expect(report.checks.labs).toEqual({ ok: true, message: "9 labs served; 2 labs have problems (see /instructor/labs).", latencyMs: 0 });
  });

  it("says so when no lab has problems", async () => {
    const report = await checkReadiness(deps({ served: 9, broken: [], other: [] }));
    expect(report.checks.labs!.message).toBe("9 labs served; no lab has problems.");
  });

  it("is never the reason for unreadiness, even when counting fails", async () => {
    const report = await checkReadiness(
      deps(() => {
        throw new Error("catalog not loaded");
      }),
    );
    expect(report.ready).toBe(true);
    expect(report.checks.labs).toMatchObject({ ok: true, message: "Lab problems could not be counted (catalog not loaded)." });
  });
});
