import { z } from "zod";
import { cap, type CheckContext, type Outcome } from "./common";
import { defineCheckType } from "./define";
import { commonFields, regex } from "./schema-fields";

/** `kubectl`: a jsonpath of a Kubernetes object (cluster sandboxes only). */
const schema = z.strictObject({
  type: z.literal("kubectl"),
  resource: z.string().regex(/^[a-z0-9][a-z0-9.-]*(\/[a-z0-9.-]+)?$/, "must be a resource type such as pods or deployments.apps"),
  name: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a Kubernetes object name"),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
    .optional(),
  jsonpath: z.string().min(1),
  equals: z.string().optional(),
  matches: regex.optional(),
  ...commonFields,
});

type KubectlCheck = z.output<typeof schema>;

/** The kubectl argv of a kubectl check (no shell: names and jsonpath are passed as they are). */
export function kubectlArgv(c: Pick<KubectlCheck, "resource" | "name" | "namespace" | "jsonpath">): string[] {
  return ["kubectl", "get", c.resource, c.name, ...(c.namespace ? ["--namespace", c.namespace] : []), "-o", `jsonpath=${c.jsonpath}`];
}

/** Compares kubectl's jsonpath output with a kubectl check's expectation. */
export function compareKubectlOutput(c: Pick<KubectlCheck, "equals" | "matches">, stdout: string): boolean {
  const out = stdout.trim();
  if (c.equals !== undefined) return out === c.equals.trim();
  return new RegExp(c.matches!).test(out);
}

async function evaluate(c: KubectlCheck, ctx: CheckContext): Promise<Outcome> {
  const evidence: Record<string, unknown> = { argv: kubectlArgv(c) };
  if (ctx.provider.environment !== "cluster") {
    return { passed: false, message: "This check needs a Kubernetes cluster sandbox.", evidence, tamperResistant: false };
  }
  const r = await ctx.provider.exec(ctx.sandboxId, kubectlArgv(c), { timeoutMs: c.timeoutMs, maxOutputBytes: 64 * 1024 });
  Object.assign(evidence, { exitCode: r.exitCode, stdout: cap(r.stdout, 1000), stderr: cap(r.stderr, 500) });
  const obj = `${c.resource}/${c.name}${c.namespace ? ` in ${c.namespace}` : ""}`;
  if (r.exitCode !== 0) return { passed: false, message: `${obj} could not be read (${cap(r.stderr, 160) || `exit ${r.exitCode}`}).`, evidence, tamperResistant: false };
  const passed = compareKubectlOutput(c, r.stdout);
  return {
    passed,
    message: passed ? `${obj} is as expected.` : `${obj}: ${c.jsonpath} is ${JSON.stringify(r.stdout.trim())}, not ${c.equals !== undefined ? JSON.stringify(c.equals) : `matching /${c.matches}/`}.`,
    evidence,
    // kubectl runs in the node, which the learner controls.
    tamperResistant: false,
  };
}

export const kubectlCheckType = defineCheckType({
  type: "kubectl",
  schema,
  refine: (c, need) => need((c.equals === undefined) !== (c.matches === undefined), "a kubectl check needs exactly one of equals or matches"),
  evaluate,
  docs: "Cluster sandboxes only: `kubectl get <resource> <name> -o jsonpath=...` in the node gives a value that equals or matches what was asked.",
});
