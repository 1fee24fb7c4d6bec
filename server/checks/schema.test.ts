import { describe, expect, it } from "vitest";
import { DEFAULT_CHECK_TIMEOUT_MS, parseCheck } from "./schema";

const ok = (input: unknown) => {
  const r = parseCheck(input);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.check;
};
const errors = (input: unknown) => {
  const r = parseCheck(input);
  if (r.ok) throw new Error("expected a validation error");
  return r.errors;
};

describe("check schema", () => {
  it("applies common defaults", () => {
    expect(ok({ type: "script", run: "true" })).toEqual({ type: "script", run: "true", timeoutMs: DEFAULT_CHECK_TIMEOUT_MS, retries: 0 });
    expect(ok({ type: "cgroup", container: "c1", resource: "memory.max", equals: 33554432 })).toMatchObject({ namespace: "k8s.io" });
    expect(ok({ type: "file", path: "/etc/x" })).toMatchObject({ exists: true });
  });

  it("normalises capability names", () => {
    expect(ok({ type: "capability", process: "sleep", excludes: ["net_raw"] })).toMatchObject({ excludes: ["CAP_NET_RAW"] });
    expect(errors({ type: "capability", process: "sleep", includes: ["CAP_FLY"] })).toEqual(['includes.0: unknown capability "CAP_FLY"']);
  });

  it.each([
    [{ type: "nope" }, /type/],
    [{ type: "script", run: "true", timeout: 5 }, /timeout/],
    [{ type: "command", run: "x", matches: "(" }, /valid regular expression/],
    [{ type: "command", run: "x" }, /needs matches, equals or exitCode/],
    [{ type: "cgroup", container: "c1", resource: "memory.max" }, /needs equals, atLeast or atMost/],
    [{ type: "cgroup", container: "c1", resource: "memory.max", equals: 1, atMost: 2 }, /cannot be combined/],
    [{ type: "cgroup", container: "c1", resource: "memory.max", equals: "5 10" }, /only cpu.max/],
    [{ type: "cgroup", container: "c1", resource: "memory.low", equals: 1 }, /resource/],
    [{ type: "cgroup", container: "../x", resource: "pids.max", equals: 1 }, /container id/],
    [{ type: "oomKilled" }, /exactly one of container, cgroup or pod/],
    [{ type: "oomKilled", container: "c1", cgroup: "/k8s.io/c1" }, /exactly one of container, cgroup or pod/],
    [{ type: "oomKilled", cgroup: "/k8s.io/../x" }, /\.\./],
    [{ type: "runtime", container: "c1", handler: "kata" }, /handler/],
    [{ type: "namespace", process: "sleep", kind: "pid" }, /own: true or sharesWith/],
    [{ type: "namespace", process: "sleep", kind: "time", own: true }, /kind/],
    [{ type: "seccomp", process: "sleep", mode: 3 }, /mode/],
    [{ type: "kubectl", resource: "pods", name: "web", jsonpath: "{.status.phase}" }, /exactly one of equals or matches/],
    [{ type: "file", path: "relative" }, /absolute/],
  ])("rejects %j", (input, message) => {
    expect(errors(input).join("\n")).toMatch(message);
  });

  it("reports every problem at once", () => {
    expect(errors({ type: "script", run: "", retries: -1, timeoutMs: 1 })).toHaveLength(3);
  });

  it("accepts each type in its documented form", () => {
    for (const c of [
      { type: "oomKilled", container: "m1" },
      { type: "oomKilled", cgroup: "/k8s.io/m1" },
      { type: "cgroup", container: "c1", resource: "cpu.max", equals: "50000 100000" },
      { type: "cgroup", container: "c1", resource: "pids.max", atLeast: 10, atMost: "max" },
      { type: "runtime", container: "g1", handler: "runsc" },
      { type: "namespace", process: "sleep 600", kind: "net", sharesWith: "pause" },
      { type: "seccomp", process: "sleep", mode: 2, retries: 2, description: "filtered" },
      { type: "kubectl", resource: "pods", name: "web", namespace: "default", jsonpath: "{.status.phase}", equals: "Running" },
    ]) {
      expect(ok(c).type).toBe(c.type);
    }
  });
});
