import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import { runExec } from "../../common/exec";
import { runtimeClassManifest } from "../cluster-config";
import type { KindContext } from "./context";

/** The `gvisor` RuntimeClass, so lab pods can ask for runsc. */
export const installRuntimeClass: Step<KindContext> = {
  name: "install RuntimeClass gvisor",
  async run(ctx) {
    const r = await runExec(ctx.provider.api, ctx.controlPlane!, ["kubectl", "apply", "-f", "-"], { stdin: runtimeClassManifest(), timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new SandboxError("PROVISION_FAILED", "The gvisor RuntimeClass could not be installed.", r.stderr.trim());
  },
};
