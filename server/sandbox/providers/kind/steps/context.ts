/**
 * What the steps of creating a cluster share: the parts of the kind provider
 * they use (the same for every creation), and the working state of this one
 * creation, filled in as the steps run. Each step is its own file here;
 * sequence.ts puts them in order.
 */
import type { ProviderInfo } from "../../../provider";
import type { SandboxLabelData } from "../../../labels";
import type { DockerApi } from "../../common/docker-api";
import type { IsolationReport } from "../../docker/engine-profile";
import type { CreationSlots } from "../creation-slots";
import type { KindCli } from "../kind-cli";
import type { KubeconfigStore } from "../kubeconfig-store";
import type { NetworkPlan } from "../network-plan";

/** The kind provider as its creation steps see it. */
export interface KindProvisioner {
  /** The engine clusters are made on. */
  readonly api: DockerApi;
  readonly instance: string;
  /** The node image given to kind. */
  readonly image: string;
  /** Where `api` talks to; kind gets it as DOCKER_HOST. */
  readonly dockerHost: string;
  /** The configured kind binary (KIND_BIN), else it is looked up on PATH. */
  readonly kindBin: string | undefined;
  /** The environment kind is looked up in (PATH) and runs with. */
  readonly kindEnvironment: Readonly<Record<string, string | undefined>>;
  /** Image holding the lab images tar preloaded into every cluster. */
  readonly labImagesFrom: string;
  /** Memory limit of a cluster node when the spec gives none. */
  readonly memoryBytes: number;
  /** Limits how many clusters are created at once. */
  readonly slots: CreationSlots;
  readonly kubeconfigs: KubeconfigStore;
  /** Operator-facing warnings. */
  log(msg: string): void;
  /** Clusters of this instance, the maximum, and the host's memory. */
  info(): Promise<ProviderInfo>;
  /** Whether privileged cluster nodes are allowed by the isolation policy. */
  isolation(): Promise<IsolationReport>;
}

/** One creation of a cluster sandbox. */
export interface KindContext {
  readonly provider: KindProvisioner;
  readonly id: string;
  /** kind's name of the cluster. */
  readonly cluster: string;
  readonly labels: SandboxLabelData;
  /** Name of the record volume that carries our labels. */
  readonly record: string;
  /** The cluster's own network, or null when clusters share kind's. */
  readonly network: NetworkPlan | null;
  /** Where kind writes the cluster's kubeconfig. */
  readonly kubeconfig: string;
  readonly memoryBytes: number;
  readonly readyTimeoutMs: number;
  /** The kind CLI, once found ("check kind"). */
  kind?: KindCli;
  /** Container id of the control-plane node, once the cluster exists. */
  controlPlane?: string;
  /** Gives the creation slot back; set while this creation holds one. */
  releaseSlot?: () => void;
}
