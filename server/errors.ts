/**
 * Domain errors carry a sentence for people and a technical detail for
 * operators (coder's Response{Message, Detail}). Every edge (tRPC, REST, the
 * terminal's upgrade) answers them with the HTTP status of HTTP_STATUS.
 */
export type DomainErrorCode =
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "BAD_REQUEST"
  | "CONFLICT"
  | "UNAVAILABLE"
  | "CAPACITY"
  // This caller is going too fast (server/rate-limits.ts); CAPACITY is the
  // platform being full for everyone. Both are 429: try again later.
  | "RATE_LIMITED"
  | "INTERNAL";

/** The one map from domain error to HTTP status, for every transport. */
export const HTTP_STATUS: Readonly<Record<DomainErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CAPACITY: 429,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

// A brand instead of `instanceof`: Next bundles server modules separately from
// the copy tsx loads for server/main.ts, so one error class can exist twice in
// the process. The brand is the same for both copies.
const BRAND = Symbol.for("runtime-labs.domain-error");

export class DomainError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly code: DomainErrorCode,
    /** A full sentence a learner or instructor can act on. */
    message: string,
    /** Technical detail for operators and logs; may be shown in the UI folded. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** True for DomainErrors from either module copy (see BRAND). */
export function isDomainError(err: unknown): err is DomainError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}
