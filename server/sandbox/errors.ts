/**
 * Typed errors of the sandbox layer. Each carries a sentence for people
 * (`message`, safe to show to learners and instructors) and a `detail` for
 * operators (the underlying technical cause). The API layer maps `code` to
 * transport errors in one place.
 */

/** What went wrong, in terms callers can act on. */
export type SandboxErrorCode =
  /** No sandbox with that id exists (for this platform instance). */
  | "NOT_FOUND"
  /** The container engine does not answer. */
  | "DOCKER_UNREACHABLE"
  /** The node image has not been built on this host. */
  | "IMAGE_MISSING"
  /** Creating the sandbox failed at some step. */
  | "PROVISION_FAILED"
  /** The configured maximum number of sandboxes is reached. */
  | "CAPACITY"
  /** Running a command in the sandbox failed (not: the command exited non-zero). */
  | "EXEC_FAILED"
  /** The caller aborted the operation. */
  | "ABORTED"
  /** The request itself is invalid (bad id, bad limits). */
  | "INVALID_SPEC"
  /** The engine cannot contain a learner's root as the platform requires (no user namespace, no disk cap). */
  | "ISOLATION";

/** An error of the sandbox layer; see {@link SandboxErrorCode}. */
export class SandboxError extends Error {
  override readonly name = "SandboxError";

  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    /** Technical detail for operators (engine messages, ids, exit codes). */
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True if `err` is a {@link SandboxError}, optionally with the given code. */
export function isSandboxError(err: unknown, code?: SandboxErrorCode): err is SandboxError {
  return err instanceof SandboxError && (code === undefined || err.code === code);
}

/** A one-line technical description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof SandboxError) return err.detail ? `${err.message} (${err.detail})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
