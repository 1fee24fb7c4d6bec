import type { Step } from "../../../steps";
import type { NodeContext } from "./context";

export const startNode: Step<NodeContext> = {
  name: "start node",
  run: (ctx) => ctx.provider.api.startContainer(ctx.containerId!),
};
