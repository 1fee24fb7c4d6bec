import { describe, expect, it } from "vitest";
import type { Sandbox } from "../sandbox/provider";
import type { SessionState } from "../sessions/lifecycle";
import { sandboxReport } from "./sandbox-report";
import type { SessionRecord } from "./session-records";

/** A running node sandbox as the engine reports it, labels as given. */
function sandbox(id: string, labels: { sessionId?: string; labSlug?: string; pool?: boolean; host?: string } = {}): Sandbox {
  return {
    id,
    provider: "docker",
    environment: "node",
    instance: "t",
    sessionId: labels.sessionId,
    labSlug: labels.labSlug,
    pool: labels.pool ?? false,
    createdAt: new Date("2026-01-01T10:00:00Z"),
    state: "running",
    nodes: [{ name: `labs-${id}`, containerId: `c0ffee${id.padEnd(20, "0")}`, role: "node" }],
    host: labels.host,
  };
}

function record(id: string, state: SessionState, sandboxId: string | null, host: string | null = null): SessionRecord {
  return {
    id,
    state,
    environment: "node",
    sandboxId,
    host,
    labSlug: "first-container",
    learner: { email: `${id}@example.com`, name: `Learner ${id}` },
    createdAt: "2026-01-01T10:00:00.000Z",
  };
}

const summary = (rows: ReturnType<typeof sandboxReport>) => rows.map((r) => [r.id, r.pool, r.session?.id ?? null, r.session?.state ?? null, r.flag]);

describe("labs sandbox ls: labels and database together", () => {
  it("tells a warm-pool node from a claimed one, which keeps its pool label", () => {
    const rows = sandboxReport([sandbox("warm", { pool: true }), sandbox("claimed", { pool: true })], [record("s1", "ready", "claimed")]);
    expect(summary(rows)).toEqual([
      ["warm", true, null, null, null],
      ["claimed", false, "s1", "ready", null],
    ]);
    expect(rows[1]).toMatchObject({
      labels: { session: null, lab: null, pool: true },
      session: { lab: "first-container", learner: { email: "s1@example.com", name: "Learner s1" } },
    });
  });

  it("shows the session of a node made for it, and of one still being provisioned", () => {
    const rows = sandboxReport(
      [sandbox("cold", { sessionId: "s1", labSlug: "first-container" }), sandbox("making", { sessionId: "s2" })],
      [record("s1", "ready", "cold"), record("s2", "provisioning", null)],
    );
    expect(summary(rows)).toEqual([
      ["cold", false, "s1", "ready", null],
      ["making", false, "s2", "provisioning", null],
    ]);
  });

  it("flags as orphans the sandboxes no live session holds, with the session they last belonged to", () => {
    const rows = sandboxReport(
      [sandbox("ended", { sessionId: "s1" }), sandbox("used-warm", { pool: true }), sandbox("by-hand"), sandbox("stale", { sessionId: "s4" })],
      [record("s1", "ended", "ended"), record("s2", "failed", "used-warm"), record("s4", "ready", "other")],
    );
    expect(summary(rows).slice(0, 4)).toEqual([
      ["ended", false, "s1", "ended", "orphan"],
      ["used-warm", false, "s2", "failed", "orphan"],
      ["by-hand", false, null, null, "orphan"],
      // Its labels name a live session that holds another sandbox.
      ["stale", false, "s4", "ready", "orphan"],
    ]);
  });

  it("adds a row for each live session whose sandbox the engine does not have, except on hosts that did not answer", () => {
    const rows = sandboxReport(
      [],
      [record("s1", "ready", "gone"), record("s2", "ending", "gone-too"), record("s3", "ended", "long-gone"), record("s4", "ready", "far", "b"), record("s5", "requested", null)],
      ["b"],
    );
    expect(summary(rows)).toEqual([
      ["gone", false, "s1", "ready", "missing"],
      ["gone-too", false, "s2", "ending", "missing"],
    ]);
    expect(rows[0]).toMatchObject({ state: "missing", labels: null, container: null });
  });

  it("ignores cluster sessions: their sandboxes are not on this engine", () => {
    expect(sandboxReport([], [{ ...record("s1", "ready", "kind-1"), environment: "cluster" }])).toEqual([]);
  });

  it("without the database, shows the labels and flags nothing", () => {
    const rows = sandboxReport([sandbox("a", { pool: true }), sandbox("b", { sessionId: "s1", labSlug: "x" })], null);
    expect(summary(rows)).toEqual([
      ["a", true, null, null, null],
      ["b", false, null, null, null],
    ]);
    expect(rows[1]!.labels).toEqual({ session: "s1", lab: "x", pool: false });
  });
});
