/**
 * Shared set-up for the docker provider's integration tests: one provider
 * per test file with its own platform instance (so files and parallel runs
 * never see each other's sandboxes), a loud failure when the node image is
 * missing, and host-side cgroup paths.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { DockerApi } from "./docker-api";
import { DockerProvider, type DockerProviderOptions } from "./provider";
import { DEFAULT_NODE_IMAGE } from "./node-spec";

/** A provider with a unique instance name for one test file. */
export function testProvider(file: string, options: DockerProviderOptions = {}): DockerProvider {
  const instance = `test-${file}-${process.pid}-${Date.now().toString(36)}`;
  return new DockerProvider({ instance, maxSandboxes: 20, ...options });
}

/** Fails (never skips) with instructions when the node image is not built. */
export async function requireNodeImage(image = process.env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE): Promise<void> {
  const labels = await new DockerApi().imageLabels(image);
  if (labels === null) {
    throw new Error(`The node image ${image} is not built; run \`npm run images\` before the integration tests.`);
  }
}

/**
 * Host-side memory cgroup directory of a node container (cgroup v1), or null:
 * under its fence (/runtime-labs/<instance>/<sandbox>/, see cgroup-fence.ts)
 * or, without one, where Docker puts containers by default.
 */
export function hostMemoryCgroup(containerId: string): string | null {
  const fenced = "/sys/fs/cgroup/memory/runtime-labs";
  const candidates = [`/sys/fs/cgroup/memory/docker/${containerId}`, `/sys/fs/cgroup/memory/system.slice/docker-${containerId}.scope`];
  if (existsSync(fenced)) {
    for (const instance of readdirSync(fenced, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const sandbox of readdirSync(`${fenced}/${instance.name}`, { withFileTypes: true }).filter((d) => d.isDirectory())) {
        candidates.push(`${fenced}/${instance.name}/${sandbox.name}/${containerId}`);
      }
    }
  }
  return candidates.find((dir) => existsSync(dir)) ?? null;
}

/** Reads one key of a "key value" cgroup file such as memory.oom_control. */
export function readCgroupKey(file: string, key: string): number {
  const line = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith(`${key} `));
  if (!line) throw new Error(`${key} not found in ${file}`);
  return Number(line.split(" ")[1]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
