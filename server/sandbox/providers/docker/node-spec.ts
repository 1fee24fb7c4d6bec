/**
 * How a node container is configured: isolation settings and limits. Pure
 * functions so the security-relevant shape can be read and unit-tested in
 * one place. The reasons for each capability are in images/node/README.md.
 */
import type Docker from "dockerode";

/** Default node image (built by `npm run images`). */
export const DEFAULT_NODE_IMAGE = "runtime-labs/node:dev";

/** Where the node keeps containerd's state (a labelled volume per node). */
export const CONTAINERD_STATE_PATH = "/var/lib/containerd";

/**
 * Capabilities of a node; everything else is dropped. Measured on a cgroup
 * v1 host: removing any one of them breaks nested runc containers, runsc,
 * nsenter or the cgroup remount (see images/node/README.md).
 */
export const NODE_CAPABILITIES = [
  // containerd's default OCI spec gives nested containers these 14 (Docker's
  // own default set); runc cannot grant a capability the node lacks.
  "CHOWN",
  "DAC_OVERRIDE",
  "FSETID",
  "FOWNER",
  "MKNOD",
  "NET_RAW",
  "SETGID",
  "SETUID",
  "SETFCAP",
  "SETPCAP",
  "NET_BIND_SERVICE",
  "SYS_CHROOT",
  "KILL",
  "AUDIT_WRITE",
  // mount, pivot_root, unshare/setns of namespaces, cgroupfs remount.
  "SYS_ADMIN",
  // runc's container init configures the new network namespace.
  "NET_ADMIN",
] as const;

/**
 * Seccomp: Docker's default profile blocks keyctl, which runc needs for the
 * nested containers' session keyring ("unable to join session keyring"), so
 * nodes run without a node-level filter; nested containers get containerd's
 * and runc's own filters, and the capability set above bounds what root in
 * the node can do. AppArmor's docker-default profile forbids mount.
 */
export const NODE_SECURITY_OPT = ["seccomp=unconfined", "apparmor=unconfined"];

/** Default limits of a node. */
export const DEFAULT_LIMITS = {
  memoryBytes: 1024 * 1024 * 1024,
  cpus: 1,
  pids: 1024,
} as const;

/** Inputs of {@link nodeContainerOptions}. */
export interface NodeContainerInput {
  name: string;
  hostname: string;
  image: string;
  labels: Record<string, string>;
  /** Volume for containerd's state, where it cannot live in the node's layer (overlay2 engines). */
  stateVolume?: string;
  /** Cap on the node's writable layer in MiB (Docker's storage-opt size); none when absent. */
  diskMb?: number;
  memoryBytes: number;
  cpus: number;
  pids: number;
  /** Host-side parent cgroup holding the same limits (see cgroup-fence.ts). */
  cgroupParent?: string;
}

/** Docker create options of a node container. */
export function nodeContainerOptions(n: NodeContainerInput): Docker.ContainerCreateOptions {
  return {
    name: n.name,
    Hostname: n.hostname,
    Image: n.image,
    Labels: n.labels,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      // Nodes have no network: reached only through the engine API.
      NetworkMode: "none",
      Memory: n.memoryBytes,
      // No swap beyond the memory limit.
      MemorySwap: n.memoryBytes,
      NanoCpus: Math.round(n.cpus * 1e9),
      PidsLimit: n.pids,
      // Under memory pressure on the host, a node dies before host services.
      OomScoreAdj: 500,
      CapDrop: ["ALL"],
      CapAdd: [...NODE_CAPABILITIES],
      SecurityOpt: [...NODE_SECURITY_OPT],
      // Own cgroup namespace: nested cgroups land under this node's cgroup,
      // inside its limits (node-init remounts the hierarchies writable).
      CgroupnsMode: "private",
      ...(n.cgroupParent && { CgroupParent: n.cgroupParent }),
      // One cap for everything the node writes to disk: its own files and,
      // on engines where it lives in the layer, containerd's images and
      // containers. tmpfs /run and /tmp count against the memory limit.
      ...(n.diskMb && { StorageOpt: { size: `${n.diskMb}M` } }),
      Tmpfs: {
        "/run": "rw,nosuid,nodev,size=64m",
        "/tmp": "rw,nosuid,nodev,size=256m",
      },
      // containerd's overlayfs snapshotter cannot work on Docker's overlay2.
      Mounts: n.stateVolume ? [{ Type: "volume", Source: n.stateVolume, Target: CONTAINERD_STATE_PATH }] : [],
      RestartPolicy: { Name: "no" },
    },
  } as Docker.ContainerCreateOptions;
}
