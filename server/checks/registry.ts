/**
 * Every check type, each defined in its own file under types/. The schema
 * (schema.ts) and the evaluator (evaluate.ts) both dispatch through here, so
 * adding a type is one file in types/ and one line in each list below.
 */
import { capabilityCheckType } from "./types/capability";
import { cgroupCheckType } from "./types/cgroup";
import { commandCheckType } from "./types/command";
import type { CheckTypeDefinition } from "./types/define";
import { fileCheckType } from "./types/file";
import { kubectlCheckType } from "./types/kubectl";
import { namespaceCheckType } from "./types/namespace";
import { oomKilledCheckType } from "./types/oomKilled";
import { runtimeCheckType } from "./types/runtime";
import { scriptCheckType } from "./types/script";
import { seccompCheckType } from "./types/seccomp";
import { structuredCheckType } from "./types/structured";

/** Accepts only an object whose every key is the `type` of the definition under it. */
function keyedByType<R extends { [K in keyof R]: { readonly type: K } }>(definitions: R): R {
  return definitions;
}

const definitions = keyedByType({
  script: scriptCheckType,
  file: fileCheckType,
  structured: structuredCheckType,
  command: commandCheckType,
  cgroup: cgroupCheckType,
  oomKilled: oomKilledCheckType,
  runtime: runtimeCheckType,
  namespace: namespaceCheckType,
  capability: capabilityCheckType,
  seccomp: seccompCheckType,
  kubectl: kubectlCheckType,
});

type Definitions = typeof definitions;

/** The name of a check type. */
export type CheckTypeName = keyof Definitions;

/** Every check type, in the order documentation lists them. */
export const CHECK_TYPES = ["script", "file", "structured", "command", "cgroup", "oomKilled", "runtime", "namespace", "capability", "seccomp", "kubectl"] as const satisfies readonly CheckTypeName[];

/** A definition by name, typed per name: a check looked up by its `type` meets the evaluator and rules of that very type. */
type DefinitionOf<T extends CheckTypeName> = CheckTypeDefinition<T, Definitions[T]["schema"]>;

/**
 * Written as a mapped type so that indexing it with a generic name keeps the
 * check's type and its definition's parameter the same type: dispatch needs
 * no cast.
 */
const byName: { [T in CheckTypeName]: DefinitionOf<T> } = definitions;

/** The definition of one check type. */
export function checkTypeDefinition<T extends CheckTypeName>(type: T): DefinitionOf<T> {
  return byName[type];
}

/** Every check type's definition, in CHECK_TYPES order. */
export const CHECK_TYPE_DEFINITIONS: readonly DefinitionOf<CheckTypeName>[] = CHECK_TYPES.map((type) => checkTypeDefinition(type));

/**
 * Every check type's schema, in CHECK_TYPES order, as the non-empty tuple zod's
 * discriminatedUnion asks for.
 */
export function checkTypeSchemas() {
  const [first, ...others] = CHECK_TYPES;
  return [definitions[first].schema, ...others.map((type) => definitions[type].schema)] as const;
}
