import { z } from "zod";
import { MAX_LISTED, type CheckContext, type Outcome } from "./common";
import { defineCheckType } from "./define";
import { describeProcess, matchingProcesses } from "./processes";
import { commonFields, regex } from "./schema-fields";

/** `seccomp`: the seccomp mode of a process (0 disabled, 1 strict, 2 filter). */
const schema = z.strictObject({
  type: z.literal("seccomp"),
  process: regex,
  mode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  ...commonFields,
});

const SECCOMP_MODES = ["disabled", "strict", "filter"] as const;

async function evaluate(c: z.output<typeof schema>, ctx: CheckContext): Promise<Outcome> {
  const m = await matchingProcesses(ctx.view, c.process);
  if ("passed" in m) return m;
  const rows = m.procs.map((p) => ({ p, mode: p.status.Seccomp !== undefined ? Number(p.status.Seccomp) : null }));
  const good = rows.find((r) => r.mode === c.mode);
  return {
    passed: !!good,
    message: good
      ? `Process ${good.p.pid} runs with seccomp mode ${c.mode} (${SECCOMP_MODES[c.mode]}).`
      : `No process matching /${c.process}/ runs with seccomp mode ${c.mode} (${SECCOMP_MODES[c.mode]}); seen: ${[...new Set(rows.map((r) => r.mode))].join(", ")}.`,
    evidence: { view: ctx.view.source, processes: rows.slice(0, MAX_LISTED).map(({ p, mode }) => ({ ...describeProcess(p), seccomp: mode })) },
    tamperResistant: ctx.view.tamperResistant,
  };
}

export const seccompCheckType = defineCheckType({
  type: "seccomp",
  schema,
  evaluate,
  docs: "A process matching a regex runs with a seccomp mode: 0 disabled, 1 strict, 2 filter.",
});
