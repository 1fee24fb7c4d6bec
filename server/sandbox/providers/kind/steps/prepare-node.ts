import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import { runBare } from "../../common/exec";
import type { KindContext } from "./context";

/**
 * /run is a tmpfs in kind nodes: the exec helpers' pid directories are made
 * at every start. The helpers themselves come with the node image.
 */
export const prepareNode: Step<KindContext> = {
  name: "prepare node",
  async run(ctx) {
    const r = await runBare(ctx.provider.api, ctx.controlPlane!, ["/bin/sh", "-c", "mkdir -p /run/labs/exec /run/labs/shells && test -x /usr/local/bin/labs-run"]);
    if (r !== 0) {
      throw new SandboxError(
        "IMAGE_MISSING",
        `The kind node image ${ctx.provider.image} lacks the platform's helpers; build it with \`bash scripts/build-kind-image.sh\`.`,
        "/usr/local/bin/labs-run missing in the control-plane node",
      );
    }
  },
};
