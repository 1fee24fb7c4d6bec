/**
 * Where node sandboxes run by default: the sandbox engine that
 * scripts/sandbox-engine.sh starts (user namespaces, per-node disk cap), on
 * its own socket beside the host's ordinary engine.
 */
import fs from "node:fs";

/** The sandbox engine's socket (LABS_SANDBOX_SOCKET overrides, as in the scripts). */
export function sandboxEngineSocket(source: Record<string, string | undefined> = process.env): string {
  return source.LABS_SANDBOX_SOCKET || "/run/runtime-labs/docker.sock";
}

/**
 * Points DOCKER_HOST at the sandbox engine when nothing else is configured
 * (no DOCKER_HOST, no DOCKER_HOSTS) and it runs here. Every Docker client of
 * this process (and its children) then uses it. Returns the endpoint chosen,
 * or undefined when the configuration or the default engine stays.
 */
export function preferSandboxEngine(source: NodeJS.ProcessEnv = process.env): string | undefined {
  if (source.DOCKER_HOST || source.DOCKER_HOSTS) return undefined;
  const socket = sandboxEngineSocket(source);
  let isSocket = false;
  try {
    isSocket = fs.statSync(socket).isSocket();
  } catch {
    return undefined;
  }
  if (!isSocket) return undefined;
  source.DOCKER_HOST = `unix://${socket}`;
  return source.DOCKER_HOST;
}
