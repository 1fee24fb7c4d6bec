import { z } from "zod";
import { decodeCapabilities, normaliseCapabilityName } from "../capabilities";
import { MAX_LISTED, type CheckContext, type Outcome } from "./common";
import { defineCheckType } from "./define";
import { describeProcess, matchingProcesses } from "./processes";
import { commonFields, regex } from "./schema-fields";

const capabilityName = z.string().transform((s, ctx) => {
  const n = normaliseCapabilityName(s);
  if (!n) {
    ctx.addIssue({ code: "custom", message: `unknown capability ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return n;
});

/** `capability`: the effective capabilities of a process include / exclude some. */
const schema = z.strictObject({
  type: z.literal("capability"),
  process: regex,
  includes: z.array(capabilityName).min(1).optional(),
  excludes: z.array(capabilityName).min(1).optional(),
  ...commonFields,
});

async function evaluate(c: z.output<typeof schema>, ctx: CheckContext): Promise<Outcome> {
  const m = await matchingProcesses(ctx.view, c.process);
  if ("passed" in m) return m;
  const rows = m.procs.map((p) => ({ p, caps: p.status.CapEff ? decodeCapabilities(p.status.CapEff) : null }));
  const good = rows.find(({ caps }) => caps !== null && (c.includes ?? []).every((n) => caps.includes(n)) && (c.excludes ?? []).every((n) => !caps.includes(n)));
  const evidence = { view: ctx.view.source, processes: rows.slice(0, MAX_LISTED).map(({ p, caps }) => ({ ...describeProcess(p), capEff: p.status.CapEff ?? null, effective: caps })) };
  const want = [c.includes?.length ? `with ${c.includes.join(", ")}` : "", c.excludes?.length ? `without ${c.excludes.join(", ")}` : ""].filter(Boolean).join(" and ");
  return {
    passed: !!good,
    message: good ? `Process ${good.p.pid} runs ${want}.` : `No process matching /${c.process}/ runs ${want} yet.`,
    evidence,
    tamperResistant: ctx.view.tamperResistant,
  };
}

export const capabilityCheckType = defineCheckType({
  type: "capability",
  schema,
  refine: (c, need) => need(c.includes !== undefined || c.excludes !== undefined, "a capability check needs includes or excludes"),
  evaluate,
  docs: "A process matching a regex has an effective capability set (CapEff) with every capability of includes and none of excludes.",
});
