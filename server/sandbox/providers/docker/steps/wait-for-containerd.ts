import { SandboxError } from "../../../errors";
import type { ExecResult } from "../../../provider";
import type { Step } from "../../../steps";
import { runExec } from "../../common/exec";
import type { NodeContext } from "./context";

/**
 * Ready means: node-init finished (cgroups remounted, lab images imported)
 * and containerd answers. One exec polls inside the node every 20 ms, which
 * costs far less than one exec per poll.
 */
export const waitForContainerd: Step<NodeContext> = {
  name: "wait for containerd",
  async run(ctx, signal) {
    const { api } = ctx.provider;
    const polls = Math.ceil(ctx.readyTimeoutMs / 20);
    const script = [
      "i=0",
      `while [ ! -f /run/labs/ready ]; do [ -f /run/labs/failed ] && { cat /run/labs/failed >&2; exit 3; }; i=$((i+1)); [ $i -gt ${polls} ] && exit 2; sleep 0.02; done`,
      "ctr version >/dev/null",
    ].join("\n");
    let res: ExecResult;
    try {
      res = await runExec(api, ctx.containerId!, ["/bin/sh", "-c", script], { timeoutMs: ctx.readyTimeoutMs + 2_000, signal });
    } catch (err) {
      if (err instanceof SandboxError && err.code !== "EXEC_FAILED") throw err;
      throw new SandboxError("PROVISION_FAILED", "The node stopped while starting.", `${await api.describeContainer(ctx.containerId!)}; ${(err as Error).message}`);
    }
    if (res.exitCode !== 0) {
      const why = res.exitCode === 2 || res.timedOut ? `not ready after ${ctx.readyTimeoutMs} ms` : `readiness check exited ${res.exitCode}: ${res.stderr.trim()}`;
      throw new SandboxError("PROVISION_FAILED", "The node started but containerd did not become ready.", `${why}; ${await api.describeContainer(ctx.containerId!)}`);
    }
  },
};
