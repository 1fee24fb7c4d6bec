import { setTimeout as sleep } from "node:timers/promises";
import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import { runExec } from "../../common/exec";
import { parseNodeReadiness } from "../node-status";
import type { KindContext } from "./context";

/** Polls `kubectl get nodes -o json` in the control-plane node until every Node is Ready. */
export const waitForNodeReady: Step<KindContext> = {
  name: "wait for node Ready",
  async run(ctx, signal) {
    const deadline = Date.now() + ctx.readyTimeoutMs;
    let last = "no answer yet";
    while (Date.now() < deadline) {
      if (signal.aborted) throw new SandboxError("ABORTED", "Creating the sandbox was cancelled.", "while waiting for the node");
      const r = await runExec(ctx.provider.api, ctx.controlPlane!, ["kubectl", "get", "nodes", "-o", "json"], { timeoutMs: 20_000 });
      if (r.exitCode === 0) {
        const nodes = parseNodeReadiness(r.stdout);
        if (nodes.length > 0 && nodes.every((n) => n.ready)) return;
        last = nodes.map((n) => `${n.name}: ${n.reason}`).join("; ") || "no nodes registered";
      } else last = r.stderr.trim();
      await sleep(1_000);
    }
    throw new SandboxError("PROVISION_FAILED", "The cluster's node did not become Ready in time.", last);
  },
};
