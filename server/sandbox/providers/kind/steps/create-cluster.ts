import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import { clusterConfig, renderClusterConfig } from "../cluster-config";
import { nodesOf, removeNodes } from "../cluster-nodes";
import { classifyCreateFailure } from "../kind-errors";
import type { KindContext } from "./context";

/** `kind create cluster` with the generated config; remembers the control-plane node. */
export const createCluster: Step<KindContext> = {
  name: "create cluster",
  async run(ctx, signal) {
    const p = ctx.provider;
    const yaml = renderClusterConfig(clusterConfig({ name: ctx.cluster, image: p.image, nodeLabels: { "runtimelabs.dev/sandbox": ctx.id } }));
    const run = await ctx.kind!.createCluster(ctx.cluster, yaml, ctx.kubeconfig, { env: ctx.network?.kindEnv, signal });
    if (run.exitCode !== 0) throw classifyCreateFailure(run, p.image);
    ctx.controlPlane = (await nodesOf(p.api, ctx.cluster)).find((n) => n.role === "control-plane")?.containerId;
    if (!ctx.controlPlane) throw new SandboxError("PROVISION_FAILED", "kind reported success but the cluster has no control-plane node.", `cluster ${ctx.cluster}`);
  },
  async undo(ctx) {
    await removeNodes(ctx.provider.api, ctx.cluster);
    ctx.provider.kubeconfigs.remove(ctx.cluster);
  },
};
