/**
 * A FAKE HostView for unit tests of the evaluators: it reads nothing unless a
 * test says otherwise. The real views run in the integration tests.
 */
import type { HostView } from "./host-view";

/** A view with nothing to read (v2, host source) and the given overrides. */
export function stubView(overrides: Partial<HostView> = {}): HostView {
  return {
    source: "host",
    tamperResistant: true,
    cgroupVersion: async () => 2,
    readNodeFile: async () => null,
    readCgroupFile: async () => null,
    processes: async () => [],
    kernelOomKills: async () => [],
    fileDigest: async () => null,
    executableDigest: async () => null,
    imageFileDigest: async () => null,
    ...overrides,
  };
}
