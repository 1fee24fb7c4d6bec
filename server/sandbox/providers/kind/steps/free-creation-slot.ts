import type { Step } from "../../../steps";
import type { KindContext } from "./context";
import { releaseCreationSlot } from "./wait-for-creation-slot";

/**
 * The cluster is made: the next creation waiting for a slot may start. Last,
 * so the slot covers every heavy step (kubeadm, image import).
 */
export const freeCreationSlot: Step<KindContext> = {
  name: "free the creation slot",
  async run(ctx) {
    releaseCreationSlot(ctx);
  },
};
