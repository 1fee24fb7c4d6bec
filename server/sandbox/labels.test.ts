import { describe, expect, it } from "vitest";
import { LABELS, buildLabels, defaultInstance, labelFilters, parseLabels, type SandboxLabelData } from "./labels";

const data: SandboxLabelData = {
  instance: "ci-1",
  sandboxId: "abc123",
  environment: "node",
  provider: "docker",
  pool: true,
  createdAt: new Date("2026-01-02T03:04:05.000Z"),
  sessionId: "s1",
  labSlug: "oom",
};

describe("labels", () => {
  it("round-trips through build and parse", () => {
    const labels = buildLabels(data, "node");
    expect(labels[LABELS.role]).toBe("node");
    expect(labels[LABELS.pool]).toBe("true");
    expect(labels[LABELS.createdAt]).toBe("2026-01-02T03:04:05.000Z");
    expect(parseLabels(labels)).toEqual(data);
  });

  it("omits optional labels when absent", () => {
    const labels = buildLabels({ ...data, sessionId: undefined, labSlug: undefined }, "containerd-state");
    expect(labels).not.toHaveProperty(LABELS.session);
    expect(labels).not.toHaveProperty(LABELS.lab);
    expect(parseLabels(labels)).not.toHaveProperty("sessionId");
  });

  it("rejects incomplete or foreign label sets instead of guessing", () => {
    const good = buildLabels(data, "node");
    expect(parseLabels(undefined)).toBeNull();
    expect(parseLabels({})).toBeNull();
    expect(parseLabels({ ...good, [LABELS.environment]: "vm" })).toBeNull();
    expect(parseLabels({ ...good, [LABELS.createdAt]: "yesterday" })).toBeNull();
    const { [LABELS.sandbox]: _, ...noId } = good;
    expect(parseLabels(noId)).toBeNull();
  });

  it("builds Docker label filters for queries", () => {
    expect(labelFilters({ instance: "x" })).toEqual([`${LABELS.instance}=x`]);
    expect(labelFilters({ instance: "x", sandboxId: "s", pool: false, role: "node" })).toEqual([`${LABELS.instance}=x`, `${LABELS.sandbox}=s`, `${LABELS.pool}=false`, `${LABELS.role}=node`]);
  });

  it("takes the default instance from LABS_INSTANCE", () => {
    expect(defaultInstance({ LABS_INSTANCE: " ci-7 " })).toBe("ci-7");
    expect(defaultInstance({})).toBe("default");
  });
});
