/**
 * The shape of one check type. Each type keeps its parameters, its extra
 * validation, its evaluator and its one-line description in one file, so a
 * new type is one new file plus its entries in registry.ts.
 */
import type { z } from "zod";
import type { CheckContext, Outcome } from "./common";

/** Reports `message` as a validation problem of the whole check unless `ok`. */
export type Need = (ok: boolean, message: string) => void;

/** One check type: `S` is its strict zod object, discriminated by `type: T`. */
export interface CheckTypeDefinition<T extends string, S extends z.ZodType> {
  readonly type: T;
  /** The parameters as instructors write them in lab frontmatter. */
  readonly schema: S;
  /**
   * Rules across fields, which a per-field schema cannot state ("exactly one
   * of container or pod"); run after the schema, on the parsed check.
   */
  readonly refine?: (check: z.output<S>, need: Need) => void;
  /** Evaluates one attempt; evaluateCheck (evaluate.ts) adds the timeout, retries and timing. */
  readonly evaluate: (check: z.output<S>, ctx: CheckContext) => Promise<Outcome>;
  /** One line for people: what the check passes on (tests keep it non-empty). */
  readonly docs: string;
}

/**
 * Declares a check type. The constraint ties the schema's `type` literal to
 * `type`, so a schema filed under the wrong name does not compile.
 */
export function defineCheckType<T extends string, S extends z.ZodType<{ type: T }>>(definition: CheckTypeDefinition<T, S>): CheckTypeDefinition<T, S> {
  return definition;
}
