import { buildLabels } from "../../../labels";
import type { Step } from "../../../steps";
import type { NodeContext } from "./context";

/**
 * Only where containerd's overlayfs cannot sit in the node's layer (overlay2
 * engines); elsewhere the state stays in the layer, under its cap.
 */
export const createStateVolume: Step<NodeContext> = {
  name: "create state volume",
  async run(ctx) {
    if (ctx.engine!.stateInLayer) return;
    // overlay2 on XFS with project quotas caps volumes too (not exercised on
    // our machines: their kernel has no XFS quotas).
    const sizeMb = ctx.engine!.diskQuota ? ctx.provider.isolationPolicy.diskMb || undefined : undefined;
    await ctx.provider.api.createVolume(ctx.volume, buildLabels(ctx.labels, "containerd-state"), sizeMb);
  },
  undo: (ctx) => ctx.provider.api.removeVolume(ctx.volume),
};
