/**
 * Check definitions as instructors write them in lab frontmatter: a zod
 * discriminated union on `type`, strict (a misspelt field is an error, not a
 * silently ignored option), with parameters validated up front so a broken
 * regex or an impossible comparison is reported when the lab is loaded, not
 * when a learner is waiting for a green tick. Each type's schema and
 * cross-field rules live in types/<type>.ts; this joins them.
 */
import { z } from "zod";
import { checkTypeDefinition, checkTypeSchemas } from "./registry";

export { CHECK_TYPES } from "./registry";
export { NAMESPACE_KINDS, type NamespaceKind } from "./namespace-kinds";
export { DEFAULT_CHECK_TIMEOUT_MS } from "./types/schema-fields";

// Each type's schema under the name it has always been exported as.
export const scriptCheck = checkTypeDefinition("script").schema;
export const fileCheck = checkTypeDefinition("file").schema;
export const structuredCheck = checkTypeDefinition("structured").schema;
export const commandCheck = checkTypeDefinition("command").schema;
export const cgroupCheck = checkTypeDefinition("cgroup").schema;
export const oomKilledCheck = checkTypeDefinition("oomKilled").schema;
export const runtimeCheck = checkTypeDefinition("runtime").schema;
export const namespaceCheck = checkTypeDefinition("namespace").schema;
export const capabilityCheck = checkTypeDefinition("capability").schema;
export const seccompCheck = checkTypeDefinition("seccomp").schema;
export const kubectlCheck = checkTypeDefinition("kubectl").schema;

/** Any check definition, after validation and defaults. */
export const checkSchema = z.discriminatedUnion("type", checkTypeSchemas()).superRefine((c, ctx) => {
  const need = (ok: boolean, message: string) => {
    if (!ok) ctx.addIssue({ code: "custom", message, path: [] });
  };
  checkTypeDefinition(c.type).refine?.(c, need);
});

/** A validated check (defaults applied). */
export type Check = z.output<typeof checkSchema>;
/** A check as written in frontmatter (defaults optional). */
export type CheckInput = z.input<typeof checkSchema>;
/** The check types. */
export type CheckType = Check["type"];

/**
 * Validates one check definition, reporting every problem at once as
 * "path: message" lines (for the lab parser to prefix with file and line).
 */
export function parseCheck(input: unknown): { ok: true; check: Check } | { ok: false; errors: string[] } {
  const r = checkSchema.safeParse(input);
  if (r.success) return { ok: true, check: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(check)"}: ${i.message}`) };
}
