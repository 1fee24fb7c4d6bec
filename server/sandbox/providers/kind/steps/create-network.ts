import type { Step } from "../../../steps";
import { removeNetworks } from "../cluster-nodes";
import { networkCreateOptions } from "../network-plan";
import type { KindContext } from "./context";

/** The cluster's own labelled network (network-plan.ts), unless clusters share kind's. */
export const createNetwork: Step<KindContext> = {
  name: "create network",
  async run(ctx) {
    if (ctx.network) await ctx.provider.api.createNetwork(networkCreateOptions(ctx.network));
  },
  async undo(ctx) {
    if (ctx.network) await removeNetworks(ctx.provider.api, ctx.provider.instance, ctx.id);
  },
};
