import { setTimeout as sleep } from "node:timers/promises";
import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import { systemdReady } from "../node-status";
import type { KindContext } from "./context";

/** Polls the control-plane node's log until systemd is far enough to exec into it (node-status.ts). */
export const waitForSystemd: Step<KindContext> = {
  name: "wait for systemd",
  async run(ctx, signal) {
    const deadline = Date.now() + ctx.readyTimeoutMs;
    for (;;) {
      const log = await ctx.provider.api.containerLogs(ctx.controlPlane!, 2000);
      if (systemdReady(log)) return;
      if (signal.aborted) throw new SandboxError("ABORTED", "Creating the sandbox was cancelled.", "while waiting for systemd");
      if (Date.now() > deadline) {
        throw new SandboxError("PROVISION_FAILED", "The cluster node did not finish booting.", `no "Multi-User System" in the node log after ${ctx.readyTimeoutMs} ms`);
      }
      await sleep(250);
    }
  },
};
