/**
 * Digests of files as a node's IMAGE ships them, read from the engine (a
 * created, never started container's archive): the reference a check
 * compares the node's running programs with. The learner can change any
 * file in their node, never the image.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { isNotFound, type DockerApi } from "../common/docker-api";

const cache = new Map<string, Promise<string | null>>();

/** sha256 (hex) of `path` in image `imageId`, or null when the image lacks it; cached per image and path. */
export function imageFileDigest(api: DockerApi, imageId: string, path: string): Promise<string | null> {
  const key = `${imageId}:${path}`;
  let p = cache.get(key);
  if (!p) {
    p = readImageFile(api, imageId, path).then(
      (content) => (content === null ? null : createHash("sha256").update(content).digest("hex")),
      () => null,
    );
    cache.set(key, p);
    // A failure (engine hiccup) is not remembered.
    void p.then((v) => v === null && cache.delete(key));
  }
  return p;
}

async function readImageFile(api: DockerApi, imageId: string, path: string): Promise<Buffer | null> {
  const holder = await api.createContainer({ Image: imageId, Cmd: ["true"], HostConfig: { NetworkMode: "none" }, Labels: { "dev.runtimelabs.role": "image-reader" } });
  try {
    // Follow symlinks the image has (Debian's /usr/bin/runc may be one), a few hops at most.
    let current = path;
    for (let hop = 0; hop < 8; hop++) {
      const chunks: Buffer[] = [];
      for await (const c of await api.getArchive(holder, current)) chunks.push(Buffer.from(c as Buffer));
      const entry = firstEntryOfTar(Buffer.concat(chunks));
      if (!entry) return null;
      if (entry.kind === "file") return entry.content;
      current = entry.target.startsWith("/") ? entry.target : posix.join(posix.dirname(current), entry.target);
    }
    return null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  } finally {
    await api.removeContainer(holder).catch(() => {});
  }
}

/** The first regular file (its content) or symlink (its target) of a tar archive (ustar headers), or null. */
export function firstEntryOfTar(tar: Buffer): { kind: "file"; content: Buffer } | { kind: "link"; target: string } | null {
  const text = (b: Buffer) => b.toString("utf8").replace(/\0.*$/s, "");
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) return null;
    const size = parseInt(text(header.subarray(124, 136)).trim() || "0", 8);
    const type = String.fromCharCode(header[156]!);
    const start = off + 512;
    if (type === "0" || type === "\0") return { kind: "file", content: tar.subarray(start, start + size) };
    if (type === "2") return { kind: "link", target: text(header.subarray(157, 257)) };
    off = start + Math.ceil(size / 512) * 512;
  }
  return null;
}
