/**
 * Lab images into a cluster node's containerd through the exec's stdin: the
 * tar never lands on the node's disk (it is held in the server's memory
 * meanwhile; a few MiB).
 *
 * Why streamed: kind runs nodes with `--tmpfs /tmp` (and /run), and Docker's
 * archive API cannot write into a tmpfs mount (the file lands in the
 * container's layer under the mount, invisible), so copying the tar to /tmp
 * and importing it from there failed on every real cluster. Piping the
 * archive into `ctr images import -` over the exec's stdin needs no
 * directory at all.
 * The archive is piped as one buffer: runExec writes its stdin at once.
 */
import type { Readable } from "node:stream";
import { SandboxError } from "../../errors";
import type { DockerApi } from "../common/docker-api";
import { runExec } from "../common/exec";
import { LABELS } from "../../labels";

/** Where the node image keeps the lab images tar. */
export const LAB_IMAGES_TAR = "/opt/labs/images/lab-images.tar";

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/**
 * Imports the lab images from `source` (an image holding LAB_IMAGES_TAR)
 * into the k8s.io namespace of the containerd in `node`.
 */
export async function preloadLabImages(api: DockerApi, node: string, source: string, instance: string): Promise<void> {
  if ((await api.imageLabels(source)) === null) {
    throw new SandboxError("IMAGE_MISSING", `The lab images come from ${source}, which is not built; run \`npm run images\`.`, `no image ${source}`);
  }
  const holder = await api.createContainer({ Image: source, Cmd: ["true"], Labels: { [LABELS.instance]: instance }, HostConfig: { NetworkMode: "none" } });
  let archive: Buffer;
  try {
    // getArchive answers a tar holding the one file; the node unpacks it to stdout.
    archive = await collect(await api.getArchive(holder, LAB_IMAGES_TAR));
  } finally {
    await api.removeContainer(holder);
  }
  const r = await runExec(api, node, ["/bin/sh", "-c", "tar -xOf - lab-images.tar | ctr --namespace=k8s.io images import --all-platforms -"], {
    stdin: archive,
    timeoutMs: 120_000,
  });
  if (r.exitCode !== 0) throw new SandboxError("PROVISION_FAILED", "The lab images could not be loaded into the cluster.", r.stderr.trim() || `import exited ${r.exitCode}`);
}
