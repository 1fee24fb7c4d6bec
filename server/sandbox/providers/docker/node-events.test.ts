import { describe, expect, it } from "vitest";
import { LABELS } from "../../labels";
import { nodeStopOf } from "./node-events";

const attrs = (extra: Record<string, string> = {}) => ({ [LABELS.sandbox]: "abc123", [LABELS.role]: "node", ...extra });
const never = () => false;

describe("nodeStopOf (engine events → node stops)", () => {
  it("reads a die with its exit code, and marks it out-of-memory when an oom came just before", () => {
    const die = { Type: "container", Action: "die", Actor: { ID: "c1", Attributes: attrs({ exitCode: "137" }) } };
    expect(nodeStopOf(die, never)).toEqual({ sandboxId: "abc123", kind: "exited", exitCode: 137 });
    expect(nodeStopOf(die, (id) => id === "c1", "host-a")).toEqual({ sandboxId: "abc123", host: "host-a", kind: "exited", exitCode: 137, oomKilled: true });
  });

  it("reads a destroy as a removal", () => {
    expect(nodeStopOf({ Type: "container", Action: "destroy", Actor: { Attributes: attrs() } }, never)).toEqual({ sandboxId: "abc123", kind: "removed" });
  });

  it("ignores other actions, other roles, unlabelled containers and non-container events", () => {
    expect(nodeStopOf({ Type: "container", Action: "start", Actor: { Attributes: attrs() } }, never)).toBeNull();
    expect(nodeStopOf({ Type: "container", Action: "die", Actor: { Attributes: attrs({ [LABELS.role]: "containerd-state" }) } }, never)).toBeNull();
    expect(nodeStopOf({ Type: "container", Action: "die", Actor: { Attributes: { exitCode: "1" } } }, never)).toBeNull();
    expect(nodeStopOf({ Type: "volume", Action: "destroy", Actor: { Attributes: attrs() } }, never)).toBeNull();
  });
});
