import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import type { KindContext } from "./context";

/**
 * Never silently: a kind node is a privileged container, so root in a
 * cluster lab is root on the host (docs/isolation.md). Stops here unless the
 * policy allows that.
 */
export const checkIsolation: Step<KindContext> = {
  name: "check isolation",
  async run(ctx) {
    const report = await ctx.provider.isolation();
    if (!report.ok) throw new SandboxError("ISOLATION", report.message, `fix: ${report.fix}`);
  },
};
