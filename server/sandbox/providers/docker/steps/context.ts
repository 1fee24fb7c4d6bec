/**
 * What the steps of creating a node share: the parts of the docker provider
 * they use (the same for every creation), and the working state of this one
 * creation, filled in as the steps run. Each step is its own file here;
 * sequence.ts puts them in order.
 */
import type { ProviderInfo } from "../../../provider";
import type { SandboxLabelData } from "../../../labels";
import type { DockerApi } from "../../common/docker-api";
import type { CgroupFence } from "../cgroup-fence";
import type { EngineProfile, IsolationPolicy } from "../engine-profile";

/** The docker provider as its creation steps see it. */
export interface NodeProvisioner {
  readonly api: DockerApi;
  readonly instance: string;
  /** The node image. */
  readonly image: string;
  readonly isolationPolicy: IsolationPolicy;
  /** Where the engine listens, for messages. */
  readonly endpoint: string;
  /** True when the engine runs on this machine. */
  readonly local: boolean;
  /** Sandboxes of this instance and the maximum. */
  info(): Promise<ProviderInfo>;
  /** The engine's isolation profile, read once and remembered. */
  engineProfile(): Promise<EngineProfile>;
  /** Forgets the remembered profile: the next creation reads the engine again. */
  forgetEngineProfile(): void;
  /** The host cgroup fence, or null where this process cannot manage host cgroups. */
  cgroupFence(): Promise<CgroupFence | null>;
}

/** One creation of a node sandbox. */
export interface NodeContext {
  readonly provider: NodeProvisioner;
  readonly id: string;
  /** The labels recorded on the node and its volume ("check isolation" adds the cgroup version). */
  readonly labels: SandboxLabelData;
  /** Name of containerd's state volume, where one is made. */
  readonly volume: string;
  readonly containerName: string;
  readonly memoryBytes: number;
  readonly cpus: number;
  readonly pids: number;
  readonly readyTimeoutMs: number;
  /** The engine's profile, read by "check isolation". */
  engine?: EngineProfile;
  /** Host-side parent cgroup, when the fence is available. */
  cgroupParent?: string;
  /** The node container, once created. */
  containerId?: string;
}
