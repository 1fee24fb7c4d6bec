import { z } from "zod";
import { parseMemoryEvents, parseOomControl, type OomCounters } from "../cgroup";
import { containerIds, kubeletOomSignals, type PodSelector } from "../cluster";
import { readCriStatus } from "../containerd";
import type { HostView } from "../host-view";
import { MAX_LISTED, type CheckContext, type Outcome } from "./common";
import { containerCgroup } from "./container-cgroup";
import { defineCheckType } from "./define";
import { crictlInspect, podContainer } from "./pod";
import { commonFields, containerdNamespace, containerId, podSelector } from "./schema-fields";

/** `oomKilled`: the kernel's OOM killer killed a container (by name) or something in a cgroup (by path). */
const schema = z.strictObject({
  type: z.literal("oomKilled"),
  container: containerId.optional(),
  namespace: containerdNamespace.default("k8s.io"),
  /** cgroup path as the node sees it, relative to its cgroup root, e.g. "/k8s.io/c1". */
  cgroup: z
    .string()
    .regex(/^\/[A-Za-z0-9_.:@/-]*$/, "must be an absolute cgroup path without ..")
    .refine((p) => !p.split("/").includes(".."), "must not contain ..")
    .optional(),
  /** Cluster sandboxes: a Pod's container, judged on the kubelet's, the CRI's and the kernel's signals. */
  pod: podSelector.optional(),
  ...commonFields,
});

type OomKilledCheck = z.output<typeof schema>;

async function readOomCounters(view: HostView, rel: string): Promise<OomCounters | null> {
  if ((await view.cgroupVersion()) === 2) {
    const t = await view.readCgroupFile("memory", rel, "memory.events");
    return t === null ? null : parseMemoryEvents(t);
  }
  const t = await view.readCgroupFile("memory", rel, "memory.oom_control");
  return t === null ? null : parseOomControl(t);
}

/**
 * OOM is judged on several signals because each can be missing: containerd
 * may report "Error" instead of OOMKilled under the systemd driver, a
 * foreground `ctr run` deletes the task and its cgroup as soon as it exits,
 * and the kernel log is a ring buffer. Any one positive signal passes.
 *
 * Ownership: for a container the cgroup is the one its task recorded
 * (config.json's cgroupsPath), or, for a CRI container whose task is gone,
 * the CRI's layout for its id. A directory that merely has the container's
 * name (a hand-made /k8s.io/<name>) is never read. Exit status 137 alone
 * is SIGKILL, not proof of an OOM kill: it is reported as supporting only.
 */
async function evaluate(c: OomKilledCheck, ctx: CheckContext): Promise<Outcome> {
  if (c.pod) return evaluatePod(c, c.pod, ctx);
  const { view } = ctx;
  const version = await view.cgroupVersion();
  const signals: string[] = [];
  const supporting: string[] = [];
  const evidence: Record<string, unknown> = { cgroupVersion: version, view: view.source };
  let rel: string | null = c.cgroup ?? null;
  const name = c.container ?? c.cgroup!;

  if (c.container) {
    const where = await containerCgroup(view, c.namespace, c.container);
    Object.assign(evidence, where.evidence);
    rel = where.rel;
    const cri = await readCriStatus(view, c.container);
    if (cri) {
      evidence.cri = cri;
      if (cri.reason === "OOMKilled") signals.push("CRI reason OOMKilled");
      if (cri.exitCode === 137) supporting.push("exit status 137 (SIGKILL; not proof of an OOM kill by itself)");
      // The CRI knows this container: its cgroupfs layout is /<ns>/<id> once the task is gone.
      if (rel === null) {
        rel = `/${c.namespace}/${c.container}`;
        evidence.cgroupFrom = "the CRI's layout (its status file is in the node, so this is not tamper-resistant)";
      }
    }
    if (rel === null) evidence.ownership = "no task or CRI record for this container: a cgroup of the same name is not evidence";
  }
  if (rel) {
    evidence.cgroup = rel;
    const own = await readOomCounters(view, rel);
    if (own) {
      evidence.oomKillCounter = own.oomKill;
      if ((own.oomKill ?? 0) > 0) signals.push(`oom_kill counter ${own.oomKill} in ${rel}`);
      if ((own.oomGroupKill ?? 0) > 0) signals.push(`oom_group_kill counter ${own.oomGroupKill} in ${rel}`);
    } else {
      evidence.cgroupGone = true;
      const parent = rel.replace(/\/[^/]+\/?$/, "") || "/";
      if (version === 2) {
        // v2 memory.events counts kills in the whole subtree, so the parent keeps a
        // record after the container's cgroup is removed (it cannot say which child).
        const p = await readOomCounters(view, parent);
        evidence.parentOomKillCounter = p?.oomKill ?? null;
        if ((p?.oomKill ?? 0) > 0) signals.push(`oom_kill counter ${p!.oomKill} in parent ${parent}`);
      } else {
        evidence.parentOomKillCounter = "not hierarchical on cgroup v1";
      }
    }
    const kills = await view.kernelOomKills();
    if (kills === null) evidence.kernelLog = "not readable from here";
    else {
      const mine = kills.filter((k) => k.taskMemcg === rel);
      evidence.kernelLog = mine.slice(-MAX_LISTED);
      if (mine.length > 0) signals.push(`kernel log: oom-kill of ${mine.at(-1)!.task} in ${rel}`);
    }
  }
  evidence.signals = signals;
  evidence.supporting = supporting;
  // Kernel counters and the kernel log are out of the learner's reach; the
  // CRI status file (and a cgroup chosen because of it) is not.
  const kernelBacked = signals.some((s) => s !== "CRI reason OOMKilled") && evidence.cgroupFrom === undefined;
  return {
    passed: signals.length > 0,
    message:
      signals.length > 0
        ? `${name} was killed by the OOM killer (${signals.join("; ")}).`
        : c.container && rel === null
          ? `Container ${c.container} has no task in namespace ${c.namespace}; run it with ctr (or the CRI) so its OOM kill can be told apart.`
          : `No sign that the OOM killer killed ${name} yet${supporting.length ? " (it was killed with SIGKILL, but nothing says the OOM killer did it)" : ""}.`,
    evidence,
    tamperResistant: view.tamperResistant && (signals.length === 0 || kernelBacked),
  };
}

/**
 * OOM of a Pod's container, judged on every signal there is: the kubelet's
 * report (reason OOMKilled, or exit code 137 in the current or last
 * terminated state: under the systemd cgroup driver containerd may say
 * "Error"), the CRI's status via crictl, and for each containerd id the
 * node-level signals of the container check (CRI status file, cgroup
 * oom_kill counter, kernel log). Any one passes. Everything is read in the
 * node, so none of it is tamper-resistant.
 */
async function evaluatePod(c: OomKilledCheck, pod: PodSelector, ctx: CheckContext): Promise<Outcome> {
  const evidence: Record<string, unknown> = { pod: `${pod.namespace}/${pod.name}`, view: ctx.view.source };
  const found = await podContainer(pod, ctx, c.timeoutMs, evidence);
  if ("passed" in found) return found;
  const { signals, supporting } = kubeletOomSignals(found.c);
  const perContainer: Record<string, unknown> = {};
  for (const id of containerIds(found.c).slice(0, 2)) {
    const cri = await crictlInspect(ctx, id, c.timeoutMs);
    if (cri?.reason === "OOMKilled") signals.push(`crictl: ${id.slice(0, 12)} reason OOMKilled`);
    if (cri?.exitCode === 137) supporting.push(`crictl: ${id.slice(0, 12)} exit code 137`);
    const node = await evaluate({ ...c, pod: undefined, cgroup: undefined, container: id, namespace: "k8s.io" }, ctx);
    signals.push(...((node.evidence.signals as string[] | undefined) ?? []).map((s) => `${id.slice(0, 12)}: ${s}`));
    perContainer[id] = { crictl: cri, node: node.evidence };
  }
  Object.assign(evidence, { containerName: found.c.name, restartCount: found.c.restartCount, containers: perContainer, signals: [...new Set(signals)], supporting: [...new Set(supporting)] });
  const name = `pod/${pod.name}${pod.container ? ` (${pod.container})` : ""}`;
  return {
    passed: signals.length > 0,
    message:
      signals.length > 0
        ? `${name} was killed by the OOM killer (${[...new Set(signals)].join("; ")}).`
        : `No sign that the OOM killer killed ${name} yet${supporting.length ? " (it was killed with SIGKILL, exit 137, but nothing says the OOM killer did it)" : ""}.`,
    evidence,
    tamperResistant: false,
  };
}

export const oomKilledCheckType = defineCheckType({
  type: "oomKilled",
  schema,
  refine: (c, need) => need([c.container, c.cgroup, c.pod].filter((x) => x !== undefined).length === 1, "an oomKilled check needs exactly one of container, cgroup or pod"),
  evaluate,
  docs: "The kernel's OOM killer killed a nested container (by name), something in a cgroup (by path), or a Pod's container, judged on every OOM signal there is; exit code 137 alone never passes.",
});
