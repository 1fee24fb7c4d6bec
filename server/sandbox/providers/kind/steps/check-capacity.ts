import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import { outOfMemory } from "../kind-errors";
import type { KindContext } from "./context";

/** Room for one more cluster: under the maximum, and its memory within 80% of the host's, less what the others take. */
export const checkCapacity: Step<KindContext> = {
  name: "check capacity",
  async run(ctx) {
    const p = ctx.provider;
    const info = await p.info();
    if (info.running >= info.max) {
      throw new SandboxError("CAPACITY", "All cluster places on this host are taken; try again when one is free.", `${info.running} of ${info.max} clusters of instance ${p.instance} exist`);
    }
    const budget = Math.floor(info.host.memoryBytes * 0.8) - info.running * p.memoryBytes;
    if (budget < ctx.memoryBytes) throw outOfMemory(ctx.memoryBytes, budget);
  },
};
