import { z } from "zod";
import { NAMESPACE_KINDS } from "../namespace-kinds";
import { cap, MAX_LISTED, type CheckContext, type Outcome } from "./common";
import { defineCheckType } from "./define";
import { describeProcess, matchingProcesses } from "./processes";
import { commonFields, regex } from "./schema-fields";

/** `namespace`: a process has its own namespace of a kind, or shares it with another process. */
const schema = z.strictObject({
  type: z.literal("namespace"),
  process: regex,
  kind: z.enum(NAMESPACE_KINDS),
  own: z.literal(true).optional(),
  sharesWith: regex.optional(),
  /** With `kind: pid` and `own: true`: the process is PID 1 of its own pid namespace (its init). */
  pid1: z.literal(true).optional(),
  ...commonFields,
});

async function evaluate(c: z.output<typeof schema>, ctx: CheckContext): Promise<Outcome> {
  const m = await matchingProcesses(ctx.view, c.process);
  if ("passed" in m) return m;
  const init = m.all.find((p) => p.pid === 1);
  const nodeNs = init?.ns[c.kind];
  const listed = m.procs.slice(0, MAX_LISTED).map((p) => ({ ...describeProcess(p), ns: p.ns[c.kind] ?? null }));
  const evidence: Record<string, unknown> = { view: ctx.view.source, kind: c.kind, nodeInit: nodeNs ?? null, processes: listed };
  const done = (passed: boolean, message: string): Outcome => ({ passed, message, evidence, tamperResistant: ctx.view.tamperResistant });
  if (c.own) {
    if (!nodeNs) return done(false, `The node's own ${c.kind} namespace could not be read.`);
    if (c.pid1) {
      // NSpid lists the pid in each nested pid namespace, innermost last: 1 there is that namespace's init.
      const init1 = m.procs.find((p) => p.ns.pid && p.ns.pid !== nodeNs && (p.status.NSpid ?? "").trim().split(/\s+/).at(-1) === "1");
      return init1
        ? done(true, `Process ${init1.pid} (${cap(init1.cmdline, 60)}) is PID 1 of its own pid namespace.`)
        : done(false, `No process matching /${c.process}/ is PID 1 of its own pid namespace.`);
    }
    const hit = m.procs.find((p) => p.ns[c.kind] && p.ns[c.kind] !== nodeNs);
    return hit
      ? done(true, `Process ${hit.pid} (${cap(hit.cmdline, 60)}) has its own ${c.kind} namespace.`)
      : done(false, `The process matching /${c.process}/ still shares the node's ${c.kind} namespace.`);
  }
  const re = new RegExp(c.sharesWith!);
  const others = m.all.filter((p) => re.test(p.cmdline));
  evidence.others = others.slice(0, MAX_LISTED).map((p) => ({ ...describeProcess(p), ns: p.ns[c.kind] ?? null }));
  if (others.length === 0) return done(false, `No process matching /${c.sharesWith}/ is running in your node.`);
  for (const p of m.procs) {
    const q = others.find((o) => o.pid !== p.pid && o.ns[c.kind] && o.ns[c.kind] === p.ns[c.kind]);
    if (q) return done(true, `Processes ${p.pid} and ${q.pid} share a ${c.kind} namespace.`);
  }
  return done(false, `The processes do not share a ${c.kind} namespace.`);
}

export const namespaceCheckType = defineCheckType({
  type: "namespace",
  schema,
  refine: (c, need) => {
    need((c.own === true) !== (c.sharesWith !== undefined), "a namespace check needs exactly one of own: true or sharesWith");
    need(!c.pid1 || (c.kind === "pid" && c.own === true), "pid1: true needs kind: pid and own: true");
  },
  evaluate,
  docs: "A process matching a regex has its own namespace of a kind (pid, net, mnt, uts, ipc, user, cgroup), optionally as its PID 1, or shares it with another matching process.",
});
