import type { Step } from "../../../steps";
import type { KindContext } from "./context";

/** Waits until fewer than the configured number of clusters are being created (CLUSTER_MAX_CREATING). */
export const waitForCreationSlot: Step<KindContext> = {
  name: "wait for a creation slot",
  async run(ctx, signal) {
    ctx.releaseSlot = await ctx.provider.slots.acquire(signal);
  },
  // Also when a later step fails: the next creation must not wait for this one.
  async undo(ctx) {
    releaseCreationSlot(ctx);
  },
};

/** Gives this creation's slot back, if it holds one (idempotent). */
export function releaseCreationSlot(ctx: KindContext): void {
  ctx.releaseSlot?.();
  ctx.releaseSlot = undefined;
}
