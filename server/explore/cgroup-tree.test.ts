import { describe, expect, it } from "vitest";
import { parseCgroupListing } from "./cgroup-tree";

describe("parseCgroupListing", () => {
  it("reads one line per cgroup, treating v1's near-2^63 limit and 'max' as unlimited", () => {
    const text = ["/\t9223372036854771712\t52428800\tmax\t31\t1700000000", "/k8s.io/capped\t67108864\t409600\t20\t1\t1700000100", "garbage"].join("\n");
    expect(parseCgroupListing(text)).toEqual([
      { path: "/", memoryLimit: null, memoryUsage: 52428800, pidsMax: null, pidsCurrent: 31, createdAt: 1700000000 },
      { path: "/k8s.io/capped", memoryLimit: 67108864, memoryUsage: 409600, pidsMax: 20, pidsCurrent: 1, createdAt: 1700000100 },
    ]);
  });
});
