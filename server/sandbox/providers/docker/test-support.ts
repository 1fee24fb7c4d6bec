/**
 * Shared set-up for the docker provider's integration tests: one provider
 * per test file with its own platform instance (so files and parallel runs
 * never see each other's sandboxes), a loud failure when the node image is
 * missing, and host-side cgroup paths.
 */
import { existsSync, readFileSync } from "node:fs";
import { nodeCgroupRoot, parseProcCgroup } from "../../../checks/host-view";
import { DockerApi } from "../common/docker-api";
import { DockerProvider, type DockerProviderOptions } from "./provider";
import { DEFAULT_NODE_IMAGE } from "./node-spec";
import { isolationPolicyFromEnv } from "./engine-profile";

/**
 * What the server would give a docker provider from its environment
 * (from-env.ts), read from this test process's: suites run with the node
 * image, engine and isolation policy the person or tier running them set
 * (scripts/cgroup-v2-vm/tier.sh runs the checks suite with
 * SANDBOX_ISOLATION=shared-kernel-root SANDBOX_DISK_MB=0).
 */
export function providerOptionsFromTestEnv(): DockerProviderOptions {
  const env = process.env;
  const max = Number(env.LABS_MAX_SANDBOXES);
  return {
    image: env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE,
    isolation: isolationPolicyFromEnv(env),
    ...(Number.isFinite(max) && max > 0 && { maxSandboxes: max }),
    ...(env.DOCKER_HOST && { endpoint: env.DOCKER_HOST }),
  };
}

/** A provider with a unique instance name for one test file. */
export function testProvider(file: string, options: DockerProviderOptions = {}): DockerProvider {
  const instance = `test-${file}-${process.pid}-${Date.now().toString(36)}`;
  const fromEnv = providerOptionsFromTestEnv();
  return new DockerProvider({ ...fromEnv, instance, maxSandboxes: 20, ...options, isolation: { ...fromEnv.isolation, ...options.isolation } });
}

/** Fails (never skips) with instructions when the node image is not built. */
export async function requireNodeImage(image = process.env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE): Promise<void> {
  const labels = await new DockerApi().imageLabels(image);
  if (labels === null) {
    throw new Error(`The node image ${image} is not built; run \`npm run images\` before the integration tests.`);
  }
}

/** Where a node's memory accounting is on the host, and what its files are called there. */
export interface HostNodeMemory {
  version: 1 | 2;
  /** The node's own cgroup directory (v1: in the memory hierarchy). */
  dir: string;
  /** Usage, limit, and the "key value" file that counts OOM kills (key oom_kill). */
  files: { usage: string; limit: string; oomEvents: string };
}

/**
 * The node container's memory cgroup on the host, found the way the host
 * view finds it: from its init's /proc/<pid>/cgroup, cut at the segment
 * naming the container (under its fence, Docker's /docker/<id> or systemd's
 * system.slice/docker-<id>.scope). Null when the node is not visible here.
 */
export async function hostNodeMemory(containerId: string): Promise<HostNodeMemory | null> {
  const pid = await new DockerApi().containerPid(containerId);
  if (!pid || !existsSync(`/proc/${pid}/cgroup`)) return null;
  const paths = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, "utf8"));
  // Not test/support/host-cgroup.ts: this file ships in the app image, test/ does not.
  const version = existsSync("/sys/fs/cgroup/cgroup.controllers") ? 2 : 1;
  const p = paths.get(version === 2 ? "" : "memory");
  if (p === undefined || !p.includes(containerId)) return null;
  const dir = `/sys/fs/cgroup${version === 1 ? "/memory" : ""}${nodeCgroupRoot(p, containerId)}`;
  if (!existsSync(dir)) return null;
  return version === 2
    ? { version, dir, files: { usage: "memory.current", limit: "memory.max", oomEvents: "memory.events" } }
    : { version, dir, files: { usage: "memory.usage_in_bytes", limit: "memory.limit_in_bytes", oomEvents: "memory.oom_control" } };
}

/** Reads one key of a "key value" cgroup file such as memory.oom_control. */
export function readCgroupKey(file: string, key: string): number {
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${key} `));
  if (!line) throw new Error(`${key} not found in ${file}`);
  return Number(line.split(" ")[1]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
