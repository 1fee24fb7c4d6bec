import { cgroupPathFromOci } from "../cgroup";
import { readTaskBundle } from "../containerd";
import type { HostView } from "../host-view";

/**
 * The cgroup path (relative to the node's cgroup root) of a nested container,
 * from its OCI spec: the cgroup its task recorded, never a directory that
 * merely has the container's name.
 */
export async function containerCgroup(view: HostView, namespace: string, id: string): Promise<{ rel: string | null; evidence: Record<string, unknown> }> {
  const bundle = await readTaskBundle(view, namespace, id);
  if (!bundle) return { rel: null, evidence: { task: "none" } };
  return { rel: bundle.cgroupsPath === null ? null : cgroupPathFromOci(bundle.cgroupsPath), evidence: { task: bundle.dir, cgroupsPath: bundle.cgroupsPath } };
}
