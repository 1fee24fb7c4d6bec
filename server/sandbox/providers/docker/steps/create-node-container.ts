import { buildLabels } from "../../../labels";
import type { Step } from "../../../steps";
import { nodeContainerOptions } from "../node-spec";
import type { NodeContext } from "./context";

/** The node container (node-spec.ts), labelled as the record of the sandbox. */
export const createNodeContainer: Step<NodeContext> = {
  name: "create node container",
  async run(ctx) {
    const p = ctx.provider;
    ctx.containerId = await p.api.createContainer(
      nodeContainerOptions({
        name: ctx.containerName,
        hostname: `node-${ctx.id}`,
        image: p.image,
        labels: buildLabels(ctx.labels, "node"),
        stateVolume: ctx.engine!.stateInLayer ? undefined : ctx.volume,
        diskMb: p.isolationPolicy.diskMb || undefined,
        memoryBytes: ctx.memoryBytes,
        cpus: ctx.cpus,
        pids: ctx.pids,
        cgroupParent: ctx.cgroupParent,
      }),
    );
  },
  // By name: also covers a create that succeeded after we gave up on it.
  undo: (ctx) => ctx.provider.api.removeContainer(ctx.containerId ?? ctx.containerName),
};
