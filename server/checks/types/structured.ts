import { z } from "zod";
import { fieldAt, KNOWN_KUBERNETES_KINDS, parseDocuments, parseFieldPath } from "../structured";
import { cap, type CheckContext, type Outcome } from "./common";
import { defineCheckType } from "./define";
import { commonFields, regex } from "./schema-fields";

/** A field path: keys joined by dots, with [n] for list items. */
const FIELD_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+|\[\d+\])*$/;

/** One field condition of a `structured` check. */
const fieldCondition = z
  .strictObject({
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    matches: regex.optional(),
    exists: z.boolean().optional(),
  })
  .refine((c) => [c.equals, c.matches, c.exists].filter((x) => x !== undefined).length === 1, "a field needs exactly one of equals, matches or exists");

/**
 * `structured`: a YAML (every document) or JSON file the learner wrote, parsed;
 * some document must have every field as asked. Spelling, quoting and key
 * order do not matter, only what the file says.
 */
const schema = z.strictObject({
  type: z.literal("structured"),
  path: z.string().startsWith("/", "must be an absolute path"),
  /** Default: json for *.json, else yaml. */
  format: z.enum(["yaml", "json"]).optional(),
  /** Field path ("metadata.name", "spec.containers[0].image") -> condition. */
  fields: z
    .record(z.string().regex(FIELD_PATH, "must be a field path such as metadata.name or spec.containers[0].image"), fieldCondition)
    .refine((f) => Object.keys(f).length > 0, "name at least one field"),
  /** The document is a Kubernetes object: apiVersion and kind must be a pair Kubernetes knows. */
  kubernetes: z.boolean().default(false),
  ...commonFields,
});

type StructuredCheck = z.output<typeof schema>;

/** What is wrong with one document for a structured check, or [] when it fits. */
function documentMismatches(doc: unknown, c: StructuredCheck): string[] {
  const out: string[] = [];
  if (c.kubernetes) {
    const kind = fieldAt(doc, ["kind"]);
    const apiVersion = fieldAt(doc, ["apiVersion"]);
    const want = typeof kind === "string" ? KNOWN_KUBERNETES_KINDS[kind] : undefined;
    if (want === undefined) out.push(`kind ${JSON.stringify(kind ?? null)} is not a kind this check knows (${Object.keys(KNOWN_KUBERNETES_KINDS).join(", ")})`);
    else if (apiVersion !== want) out.push(`a ${kind} has apiVersion ${want}, not ${JSON.stringify(apiVersion ?? null)}`);
  }
  for (const [path, cond] of Object.entries(c.fields)) {
    const v = fieldAt(doc, parseFieldPath(path));
    const shown = v === undefined ? "missing" : cap(JSON.stringify(v), 80);
    if (cond.exists !== undefined) {
      if ((v !== undefined) !== cond.exists) out.push(cond.exists ? `${path} is missing` : `${path} should not be there`);
    } else if (cond.equals !== undefined) {
      if (v !== cond.equals) out.push(`${path} is ${shown}, not ${JSON.stringify(cond.equals)}`);
    } else if (cond.matches !== undefined) {
      if (v === undefined || v === null || typeof v === "object" || !new RegExp(cond.matches).test(String(v))) out.push(`${path} is ${shown}, which does not match /${cond.matches}/`);
    }
  }
  return out;
}

/**
 * Passes when one document has every field as asked. Messages name fields
 * and the values found (parsed values, never the raw file).
 */
async function evaluate(c: StructuredCheck, ctx: CheckContext): Promise<Outcome> {
  const text = await ctx.view.readNodeFile(c.path, 256 * 1024);
  const evidence: Record<string, unknown> = { view: ctx.view.source, path: c.path };
  const done = (passed: boolean, message: string): Outcome => ({ passed, message, evidence, tamperResistant: ctx.view.tamperResistant });
  if (text === null) return done(false, `${c.path} does not exist yet.`);
  const format = c.format ?? (c.path.endsWith(".json") ? "json" : "yaml");
  let docs: unknown[];
  try {
    docs = parseDocuments(text, format);
  } catch (err) {
    return done(false, `${c.path} is not valid ${format.toUpperCase()}: ${cap((err as Error).message, 160)}`);
  }
  evidence.documents = docs.length;
  if (docs.length === 0) return done(false, `${c.path} holds no ${format.toUpperCase()} document.`);
  const mismatches = docs.map((d) => documentMismatches(d, c));
  const fits = mismatches.findIndex((m) => m.length === 0);
  if (fits >= 0) {
    evidence.document = fits;
    return done(true, `${c.path} says what it should.`);
  }
  // The document closest to right tells the learner what to fix.
  const closest = mismatches.reduce((a, b) => (b.length < a.length ? b : a));
  evidence.mismatches = closest.slice(0, 5);
  return done(false, `${c.path}: ${closest.slice(0, 3).join("; ")}.`);
}

export const structuredCheckType = defineCheckType({
  type: "structured",
  schema,
  evaluate,
  docs: "A YAML (every document) or JSON file the learner wrote, parsed: some document has every field as asked, whatever the spelling, quoting or key order.",
});
