/**
 * The steps of creating a cluster sandbox, in order (each name is shown to
 * the learner as progress; docs/kind.md lists them).
 */
import type { Step } from "../../../steps";
import { checkCapacity } from "./check-capacity";
import { checkDocker } from "./check-docker";
import { checkIsolation } from "./check-isolation";
import { checkKind } from "./check-kind";
import type { KindContext } from "./context";
import { createCluster } from "./create-cluster";
import { createNetwork } from "./create-network";
import { freeCreationSlot } from "./free-creation-slot";
import { installRuntimeClass } from "./install-runtime-class";
import { limitMemory } from "./limit-memory";
import { preloadLabImages } from "./preload-lab-images";
import { prepareNode } from "./prepare-node";
import { recordSandbox } from "./record-sandbox";
import { waitForCreationSlot } from "./wait-for-creation-slot";
import { waitForNodeReady } from "./wait-for-node-ready";
import { waitForSystemd } from "./wait-for-systemd";

export const KIND_STEPS: readonly Step<KindContext>[] = [
  checkKind,
  checkIsolation,
  checkDocker,
  waitForCreationSlot,
  checkCapacity,
  recordSandbox,
  createNetwork,
  createCluster,
  limitMemory,
  waitForSystemd,
  prepareNode,
  installRuntimeClass,
  waitForNodeReady,
  preloadLabImages,
  freeCreationSlot,
];
