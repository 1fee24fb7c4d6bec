import { z } from "zod";
import { cap, sh, type CheckContext, type Outcome } from "./common";
import { defineCheckType } from "./define";
import { commonFields, regex } from "./schema-fields";

/** `command`: runs `sh -c run` in the node and compares its output and exit code. */
const schema = z.strictObject({
  type: z.literal("command"),
  run: z.string().min(1),
  matches: regex.optional(),
  equals: z.string().optional(),
  exitCode: z.number().int().min(0).max(255).optional(),
  ...commonFields,
});

async function evaluate(c: z.output<typeof schema>, ctx: CheckContext): Promise<Outcome> {
  const r = await sh(ctx, c.run, c.timeoutMs);
  const out = r.stdout.trim();
  const fails: string[] = [];
  if (c.exitCode !== undefined && r.exitCode !== c.exitCode) fails.push(`it exited with ${r.exitCode ?? "no code"} instead of ${c.exitCode}`);
  if (c.equals !== undefined && out !== c.equals.trim()) fails.push(`its output is not ${JSON.stringify(c.equals.trim())}`);
  if (c.matches !== undefined && !new RegExp(c.matches, "m").test(r.stdout)) fails.push(`its output does not match /${c.matches}/`);
  return {
    passed: fails.length === 0,
    message: fails.length === 0 ? `\`${c.run}\` gives what was expected.` : `\`${c.run}\`: ${fails.join("; ")}.`,
    evidence: { exitCode: r.exitCode, stdout: cap(r.stdout, 1000), timedOut: r.timedOut },
    tamperResistant: false,
  };
}

export const commandCheckType = defineCheckType({
  type: "command",
  schema,
  refine: (c, need) => need(c.matches !== undefined || c.equals !== undefined || c.exitCode !== undefined, "a command check needs matches, equals or exitCode"),
  evaluate,
  docs: "Runs `sh -c run` in the node and compares its output (matches / equals) and exit code with what was asked.",
});
