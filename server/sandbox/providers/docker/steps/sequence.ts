/**
 * The steps of creating a node sandbox, in order (each name is shown to the
 * learner as progress).
 */
import type { Step } from "../../../steps";
import { checkCapacity } from "./check-capacity";
import { checkIsolation } from "./check-isolation";
import { checkNodeImage } from "./check-node-image";
import type { NodeContext } from "./context";
import { createNodeContainer } from "./create-node-container";
import { createStateVolume } from "./create-state-volume";
import { fenceResources } from "./fence-resources";
import { handOverCgroups } from "./hand-over-cgroups";
import { startNode } from "./start-node";
import { waitForContainerd } from "./wait-for-containerd";

export const NODE_STEPS: readonly Step<NodeContext>[] = [
  checkCapacity,
  checkIsolation,
  checkNodeImage,
  createStateVolume,
  fenceResources,
  createNodeContainer,
  startNode,
  handOverCgroups,
  waitForContainerd,
];
