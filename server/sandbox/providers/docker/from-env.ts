import type { Env } from "../../../env";
import { MultiHostDockerProvider } from "./multi-host";
import { DockerProvider } from "./provider";

/**
 * The node environment's provider as configured: one Docker host, or several
 * (DOCKER_HOSTS, docs/hosts.md). The server and the `labs` CLI both build it
 * here, so `labs sandbox ls` sees every host the server uses. Providers read
 * no environment themselves: everything they are told comes from `env`.
 */
export function createNodeProvider(env: Env, log: (msg: string) => void = () => {}): DockerProvider | MultiHostDockerProvider {
  const isolation = { required: env.SANDBOX_ISOLATION, diskMb: env.SANDBOX_DISK_MB };
  return env.DOCKER_HOSTS
    ? new MultiHostDockerProvider(env.DOCKER_HOSTS, {
        instance: env.LABS_INSTANCE,
        image: env.LABS_NODE_IMAGE,
        defaultMaxSandboxes: env.LABS_MAX_SANDBOXES,
        pingIntervalMs: env.DOCKER_HOST_PING_MS,
        downAfter: env.DOCKER_HOST_DOWN_AFTER,
        log,
        isolation,
      })
    : new DockerProvider({ instance: env.LABS_INSTANCE, image: env.LABS_NODE_IMAGE, maxSandboxes: env.LABS_MAX_SANDBOXES, endpoint: env.DOCKER_HOST, isolation, log });
}
