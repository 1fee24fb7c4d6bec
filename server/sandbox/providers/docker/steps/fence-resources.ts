import type { Step } from "../../../steps";
import type { NodeContext } from "./context";

/**
 * A host-side parent cgroup with the node's limits: root in the node can
 * raise its own cgroup's limits, never this one's.
 */
export const fenceResources: Step<NodeContext> = {
  name: "fence resources",
  async run(ctx) {
    const fence = await ctx.provider.cgroupFence();
    if (!fence) return;
    ctx.cgroupParent = fence.parentFor(ctx.provider.instance, ctx.id);
    await fence.create(ctx.cgroupParent, { memoryBytes: ctx.memoryBytes, cpus: ctx.cpus, pids: ctx.pids });
  },
  async undo(ctx) {
    if (ctx.cgroupParent) await (await ctx.provider.cgroupFence())?.remove(ctx.cgroupParent).catch(() => {});
  },
};
