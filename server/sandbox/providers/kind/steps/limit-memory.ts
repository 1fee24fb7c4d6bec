import type { Step } from "../../../steps";
import { nodesOf } from "../cluster-nodes";
import type { KindContext } from "./context";

/** kind cannot set a node's memory limit: `docker update` each node afterwards. */
export const limitMemory: Step<KindContext> = {
  name: "limit memory",
  async run(ctx) {
    for (const n of await nodesOf(ctx.provider.api, ctx.cluster)) await ctx.provider.api.limitMemory(n.containerId, ctx.memoryBytes);
  },
};
