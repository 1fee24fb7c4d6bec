import { existsSync, readFileSync } from "node:fs";
import { describeError } from "../../../errors";
import type { Step } from "../../../steps";
import { isRemoteDockerHost } from "../../common/docker-api";
import { dockerUnreachable, inotifyVerdict } from "../kind-errors";
import type { KindContext } from "./context";

/** The engine answers, and the host's inotify limits can carry clusters (refused below the kernel's defaults, warned below kind's advice). */
export const checkDocker: Step<KindContext> = {
  name: "check Docker",
  async run(ctx) {
    const p = ctx.provider;
    try {
      await p.api.ping();
    } catch (err) {
      throw dockerUnreachable(describeError(err));
    }
    const limits = readInotifyLimits(p.dockerHost);
    const verdict = limits && inotifyVerdict(limits);
    if (verdict?.action === "refuse") throw verdict.error;
    if (verdict) p.log(`inotify limits are below kind's recommendation (${verdict.error.detail}): ${verdict.error.message}`);
  },
};

/**
 * The host's inotify limits when the engine at `dockerHost` runs on this
 * machine (Linux, local socket); null elsewhere (Docker Desktop's VM or a
 * remote engine has its own kernel, which we cannot read from here).
 */
export function readInotifyLimits(dockerHost: string): { maxUserWatches: number; maxUserInstances: number } | null {
  if (process.platform !== "linux" || isRemoteDockerHost(dockerHost)) return null;
  const read = (f: string) => (existsSync(f) ? Number(readFileSync(f, "utf8").trim()) : NaN);
  const maxUserWatches = read("/proc/sys/fs/inotify/max_user_watches");
  const maxUserInstances = read("/proc/sys/fs/inotify/max_user_instances");
  if (!Number.isFinite(maxUserWatches) || !Number.isFinite(maxUserInstances)) return null;
  return { maxUserWatches, maxUserInstances };
}
