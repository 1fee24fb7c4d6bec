import { describe, expect, it } from "vitest";
import { configuredMax } from "./multi-host";
import { placeSandbox, type HostLoad } from "./placement";

const host = (name: string, sandboxes: number, maxSandboxes: number, healthy = true): HostLoad => ({ name, healthy, sandboxes, maxSandboxes });

describe("placement", () => {
  it("picks the host with the smallest share of its capacity in use", () => {
    expect(placeSandbox([host("a", 10, 20), host("b", 3, 4)])).toEqual({ host: "a" });
    expect(placeSandbox([host("a", 15, 20), host("b", 2, 4)])).toEqual({ host: "b" });
  });

  it("breaks ties by configured order", () => {
    expect(placeSandbox([host("a", 0, 3), host("b", 0, 2)])).toEqual({ host: "a" });
    expect(placeSandbox([host("a", 1, 2), host("b", 2, 4)])).toEqual({ host: "a" });
  });

  it("fills hosts in proportion to their size when placing one after another", () => {
    const hosts = [host("a", 0, 3), host("b", 0, 2)];
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = placeSandbox(hosts);
      if (p.host === null) throw new Error(p.reason);
      order.push(p.host);
      hosts.find((h) => h.name === p.host)!.sandboxes++;
    }
    expect(order).toEqual(["a", "b", "a", "b", "a"]);
    expect(placeSandbox(hosts)).toEqual({ host: null, reason: "every answering host is full (5 of 5 sandboxes on a, b)" });
  });

  it("never places on an unhealthy host, however empty", () => {
    expect(placeSandbox([host("a", 2, 3), host("b", 0, 10, false)])).toEqual({ host: "a" });
    expect(placeSandbox([host("a", 3, 3), host("b", 0, 10, false)])).toEqual({ host: null, reason: "every answering host is full (3 of 3 sandboxes on a)" });
    expect(placeSandbox([host("a", 0, 3, false), host("b", 0, 2, false)])).toEqual({ host: null, reason: "none of the 2 Docker host(s) is answering (a, b)" });
  });
});

describe("configured capacity", () => {
  const GiB = 1024 ** 3;
  it("turns a memory budget into sandboxes at the node's memory limit; the smaller of max and memory wins", () => {
    expect(configuredMax({ name: "a", endpoint: "unix:///a", memoryBytes: 10.5 * GiB }, GiB)).toBe(10);
    expect(configuredMax({ name: "a", endpoint: "unix:///a", memoryBytes: 10 * GiB, maxSandboxes: 4 }, GiB)).toBe(4);
    expect(configuredMax({ name: "a", endpoint: "unix:///a", memoryBytes: 3 * GiB, maxSandboxes: 4 }, GiB)).toBe(3);
    expect(configuredMax({ name: "a", endpoint: "unix:///a" }, GiB)).toBeUndefined();
  });

  it("refuses a memory budget smaller than one node", () => {
    expect(() => configuredMax({ name: "b", endpoint: "unix:///b", memoryBytes: 512 * 1024 ** 2 }, GiB)).toThrow(
      'Docker host "b": memory 512 MiB is less than one node\'s memory limit (1024 MiB); raise memory or leave it out.',
    );
  });
});
