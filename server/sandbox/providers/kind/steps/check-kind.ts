import { SandboxError, describeError } from "../../../errors";
import type { Step } from "../../../steps";
import { findKind, KindCli, kindVersionProblem, parseKindVersion } from "../kind-cli";
import { kindMissing } from "../kind-errors";
import type { KindContext } from "./context";

/** Finds kind (KIND_BIN, else PATH) and makes sure it runs and is recent enough. */
export const checkKind: Step<KindContext> = {
  name: "check kind",
  async run(ctx) {
    const p = ctx.provider;
    // KIND_BIN comes as the kindBin option only, never from the environment kind runs with.
    const explicit = p.kindBin;
    const bin = findKind(explicit ? { KIND_BIN: explicit } : { PATH: p.kindEnvironment.PATH });
    if (!bin) throw kindMissing(explicit);
    ctx.kind = new KindCli(bin, { ...p.kindEnvironment, DOCKER_HOST: p.dockerHost });
    const v = await ctx.kind.version().catch((err: unknown) => ({ exitCode: -1, stderr: describeError(err), stdout: "" }));
    if (v.exitCode !== 0) throw new SandboxError("PROVISION_FAILED", `${bin} does not run as kind; reinstall kind or fix KIND_BIN.`, `kind version: ${v.stderr.trim()}`);
    const tooOld = kindVersionProblem(parseKindVersion(v.stdout));
    if (tooOld) throw new SandboxError("PROVISION_FAILED", tooOld, `${bin}: ${v.stdout.trim()}`);
  },
};
