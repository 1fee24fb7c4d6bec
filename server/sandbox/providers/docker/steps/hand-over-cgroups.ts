import { readFile } from "node:fs/promises";
import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import { handOverNodeCgroups, inUserNamespace } from "../cgroup-handover";
import type { NodeContext } from "./context";

/**
 * userns: the node's own cgroup directories (not its limit files) go to the
 * node's remapped root, so containerd can nest containers.
 */
export const handOverCgroups: Step<NodeContext> = {
  name: "hand over cgroups",
  async run(ctx) {
    if (ctx.engine!.isolation !== "userns") return;
    const { api } = ctx.provider;
    const owner = ctx.engine!.remappedRoot;
    if (!owner) {
      throw new SandboxError("PROVISION_FAILED", "The node's engine remaps users, but not in a way the platform can read.", "docker info: DockerRootDir has no <uid>.<gid> suffix");
    }
    const pid = await api.containerPid(ctx.containerId!);
    if (!pid) throw new SandboxError("PROVISION_FAILED", "The node stopped while starting.", await api.describeContainer(ctx.containerId!));
    // The engine's profile is read once; the node itself is the authority
    // (an engine restarted without userns-remap must not pass as one with it).
    if (!inUserNamespace(await readFile(`/proc/${pid}/uid_map`, "utf8"))) {
      ctx.provider.forgetEngineProfile();
      throw new SandboxError(
        "ISOLATION",
        "The node is not in a user namespace although its engine said it would be; sandboxes stop until the engine is checked again.",
        `pid ${pid}: uid_map is the host's`,
      );
    }
    await handOverNodeCgroups(pid, ctx.containerId!, owner);
  },
};
