import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import type { NodeContext } from "./context";

/** Room for one more node of this instance on the host. */
export const checkCapacity: Step<NodeContext> = {
  name: "check capacity",
  async run(ctx) {
    const info = await ctx.provider.info();
    if (info.running >= info.max) {
      throw new SandboxError(
        "CAPACITY",
        "All sandbox places on this host are taken; try again when one is free.",
        `${info.running} of ${info.max} sandboxes of instance ${ctx.provider.instance} exist`,
      );
    }
  },
};
