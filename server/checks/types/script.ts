import { z } from "zod";
import { cap, sh, type CheckContext, type Outcome } from "./common";
import { defineCheckType } from "./define";
import { commonFields } from "./schema-fields";

/** `script`: `sh -c run` in the node; exit 0 passes; stdout is the learner's feedback. */
const schema = z.strictObject({ type: z.literal("script"), run: z.string().min(1), ...commonFields });

async function evaluate(c: z.output<typeof schema>, ctx: CheckContext): Promise<Outcome> {
  const r = await sh(ctx, c.run, c.timeoutMs);
  const feedback = cap(r.stdout);
  const passed = r.exitCode === 0;
  return {
    passed,
    message: feedback || (passed ? "Done." : r.timedOut ? "The check script ran out of time." : "Not yet."),
    evidence: { exitCode: r.exitCode, timedOut: r.timedOut, stderr: cap(r.stderr, 500) },
    tamperResistant: false,
  };
}

export const scriptCheckType = defineCheckType({
  type: "script",
  schema,
  evaluate,
  docs: "Runs `sh -c run` in the node: exit 0 passes, and its stdout is the learner's feedback.",
});
