import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import type { NodeContext } from "./context";

/** The node image is built; says how to build it when it is not. */
export const checkNodeImage: Step<NodeContext> = {
  name: "check node image",
  async run(ctx) {
    const { api, image } = ctx.provider;
    if ((await api.imageLabels(image)) === null) {
      throw new SandboxError("IMAGE_MISSING", `The node image ${image} is not built; run \`npm run images\`.`, `docker image inspect ${image}: no such image`);
    }
  },
};
