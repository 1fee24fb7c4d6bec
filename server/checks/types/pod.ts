/**
 * Reading a Pod's container for the checks that accept `pod:` (cluster
 * sandboxes): kubectl and crictl run in the node, so nothing read here is
 * tamper-resistant.
 */
import { kubectlGetPodArgv, parseCrictlInspect, parsePod, pickContainer, type PodContainer, type PodSelector } from "../cluster";
import { cap, type CheckContext, type Outcome } from "./common";

/** A cluster check's Pod container, read with kubectl in the node; or a failed outcome saying why not. */
export async function podContainer(pod: PodSelector, ctx: CheckContext, timeoutMs: number, evidence: Record<string, unknown>): Promise<{ c: PodContainer; runtimeClassName: string | null } | Outcome> {
  const fail = (message: string): Outcome => ({ passed: false, message, evidence, tamperResistant: false });
  if (ctx.provider.environment !== "cluster") return fail("This check needs a Kubernetes cluster sandbox.");
  const r = await ctx.provider.exec(ctx.sandboxId, kubectlGetPodArgv(pod), { timeoutMs, maxOutputBytes: 1024 * 1024 });
  if (r.exitCode !== 0) return fail(`pod/${pod.name} in ${pod.namespace} could not be read (${cap(r.stderr, 160) || `exit ${r.exitCode}`}).`);
  const facts = parsePod(r.stdout);
  evidence.phase = facts.phase;
  const c = pickContainer(facts, pod.container);
  if (!c) return fail(`pod/${pod.name} has no ${pod.container ? `container ${pod.container}` : "container"} status yet.`);
  return { c, runtimeClassName: facts.runtimeClassName };
}

/** `crictl inspect <id>` in the node, parsed; null when crictl cannot say. */
export async function crictlInspect(ctx: CheckContext, id: string, timeoutMs: number) {
  const r = await ctx.provider.exec(ctx.sandboxId, ["crictl", "inspect", "-o", "json", id], { timeoutMs, maxOutputBytes: 4 * 1024 * 1024 });
  if (r.exitCode !== 0) return null;
  try {
    return parseCrictlInspect(r.stdout);
  } catch {
    return null;
  }
}
