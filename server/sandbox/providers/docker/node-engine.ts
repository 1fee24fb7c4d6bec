/**
 * The docker providers' answer to `SandboxProvider.nodeEngine`: what
 * checks may ask the engine about a node, over the wrapper (so its error
 * translation applies) rather than the raw client.
 */
import type { NodeEngine } from "../../provider";
import type { DockerApi } from "../common/docker-api";
import { imageFileDigest } from "./image-files";

/** The engine `api` talks to, at `endpoint`; `local` when it runs on this machine. */
export function dockerNodeEngine(api: DockerApi, endpoint: string, local: boolean): NodeEngine {
  return {
    endpoint,
    local,
    async inspectNode(containerId) {
      const info = await api.inspectContainer(containerId);
      return { pid: info.State?.Pid ?? 0, imageId: info.Image };
    },
    imageFileDigest: (imageId, path) => imageFileDigest(api, imageId, path),
  };
}
