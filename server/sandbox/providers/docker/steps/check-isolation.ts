import { SandboxError } from "../../../errors";
import type { Step } from "../../../steps";
import { assessIsolation } from "../engine-profile";
import type { NodeContext } from "./context";

/**
 * Before anything is created: an engine that cannot contain root (no user
 * namespace, no disk cap) gets no node, with the fix.
 */
export const checkIsolation: Step<NodeContext> = {
  name: "check isolation",
  async run(ctx) {
    const p = ctx.provider;
    ctx.engine = await p.engineProfile();
    // Recorded on the node: the learner's lab text follows it (server/labs/cgroup-variants.ts).
    ctx.labels.cgroupVersion = ctx.engine.cgroupVersion;
    const report = assessIsolation(ctx.engine, p.isolationPolicy, p.endpoint);
    if (!report.ok) throw new SandboxError("ISOLATION", report.message, `fix: ${report.fix}`);
    if (ctx.engine.isolation === "userns" && !p.local) {
      throw new SandboxError("ISOLATION", "User-namespaced nodes need the platform on the same machine as their Docker engine (it hands each node its own cgroup).", `engine ${p.endpoint} is remote`);
    }
  },
};
