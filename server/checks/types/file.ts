import { z } from "zod";
import type { CheckContext, Outcome } from "./common";
import { defineCheckType } from "./define";
import { commonFields, regex } from "./schema-fields";

/** `file`: a path in the node exists (default), or not, and optionally has some content. */
const schema = z.strictObject({
  type: z.literal("file"),
  path: z.string().startsWith("/", "must be an absolute path"),
  exists: z.boolean().default(true),
  contains: z.string().optional(),
  matches: regex.optional(),
  ...commonFields,
});

async function evaluate(c: z.output<typeof schema>, ctx: CheckContext): Promise<Outcome> {
  const text = await ctx.view.readNodeFile(c.path);
  const exists = text !== null;
  const evidence: Record<string, unknown> = { exists, view: ctx.view.source };
  // The file is the learner's own state; what the view protects against is a
  // faked `cat`/`test`, not the content.
  const base = { evidence, tamperResistant: ctx.view.tamperResistant };
  if (!c.exists) return { ...base, passed: !exists, message: exists ? `${c.path} still exists.` : `${c.path} is gone.` };
  if (!exists) return { ...base, passed: false, message: `${c.path} does not exist yet.` };
  if (c.contains !== undefined && !text.includes(c.contains)) return { ...base, passed: false, message: `${c.path} does not contain ${JSON.stringify(c.contains)} yet.` };
  if (c.matches !== undefined && !new RegExp(c.matches, "m").test(text)) return { ...base, passed: false, message: `${c.path} does not match /${c.matches}/ yet.` };
  return { ...base, passed: true, message: `${c.path} is as expected.` };
}

export const fileCheckType = defineCheckType({
  type: "file",
  schema,
  evaluate,
  docs: "A path in the node exists (or, with exists: false, does not), and optionally its content contains a string or matches a regex.",
});
