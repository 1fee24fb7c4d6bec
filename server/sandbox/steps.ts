/**
 * Runs creation as a list of small named steps (like kind's actions):
 * reports each step's start and end, and on failure undoes the steps that
 * ran, newest first, unless asked to retain them.
 */
import type { ProgressListener } from "./provider";
import { SandboxError, describeError } from "./errors";

/** One named step. `undo` must be idempotent: it also runs for the step that failed. */
export interface Step<C> {
  name: string;
  run(ctx: C, signal: AbortSignal): Promise<void>;
  undo?(ctx: C): Promise<void>;
}

/** Options of {@link runSteps}. */
export interface RunStepsOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Skip the undo of completed steps on failure. */
  retainOnFailure?: boolean;
  /** Time source (tests). */
  now?: () => number;
}

/** Result of a failed run, attached to the thrown error as `cause`. */
export interface StepFailure {
  step: string;
  index: number;
  error: unknown;
  /** Errors from undo functions, if any (reported, not thrown). */
  undoErrors: { step: string; error: unknown }[];
}

/**
 * Runs `steps` in order against `ctx`. On the first failure (or abort) runs
 * the undo of every started step in reverse order and rethrows: a
 * SandboxError from the step keeps its code; anything else becomes
 * PROVISION_FAILED naming the step.
 */
export async function runSteps<C>(steps: readonly Step<C>[], ctx: C, options: RunStepsOptions = {}): Promise<void> {
  const now = options.now ?? (() => performance.now());
  const signal = options.signal ?? new AbortController().signal;
  const total = steps.length;
  for (let index = 0; index < total; index++) {
    const step = steps[index]!;
    options.onProgress?.({ step: step.name, index, total, status: "started" });
    const started = now();
    try {
      if (signal.aborted) {
        throw new SandboxError("ABORTED", "Creating the sandbox was cancelled.", `aborted before "${step.name}"`);
      }
      await step.run(ctx, signal);
    } catch (error) {
      const durationMs = Math.round(now() - started);
      const failure: StepFailure = { step: step.name, index, error, undoErrors: [] };
      options.onProgress?.({ step: step.name, index, total, status: "failed", durationMs, error: sentenceOf(error) });
      if (!options.retainOnFailure) {
        for (let j = index; j >= 0; j--) {
          const s = steps[j]!;
          if (!s.undo) continue;
          try {
            await s.undo(ctx);
          } catch (undoError) {
            failure.undoErrors.push({ step: s.name, error: undoError });
          }
        }
      }
      throw toSandboxError(failure);
    }
    options.onProgress?.({ step: step.name, index, total, status: "done", durationMs: Math.round(now() - started) });
  }
}

function sentenceOf(error: unknown): string {
  return error instanceof SandboxError ? error.message : describeError(error);
}

function toSandboxError(f: StepFailure): SandboxError {
  const undo = f.undoErrors.length ? `; cleanup also failed: ${f.undoErrors.map((u) => `${u.step}: ${describeError(u.error)}`).join("; ")}` : "";
  if (f.error instanceof SandboxError) {
    const detail = `step "${f.step}": ${f.error.detail ?? f.error.message}${undo}`;
    return new SandboxError(f.error.code, f.error.message, detail, { cause: f });
  }
  return new SandboxError("PROVISION_FAILED", `Creating the sandbox failed at step "${f.step}".`, `${describeError(f.error)}${undo}`, { cause: f });
}
