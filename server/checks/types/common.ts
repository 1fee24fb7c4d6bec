/**
 * What every check type's evaluator shares: what it is given, what it
 * returns, and the two ways it talks to a node (a shell command, capped text).
 */
import type { SandboxProvider } from "../../sandbox/provider";
import type { HostView } from "../host-view";

/** What an evaluator needs. */
export interface CheckContext {
  provider: SandboxProvider;
  sandboxId: string;
  /** Where kernel/runtime state is read from (see host-view.ts). */
  view: HostView;
  /** Pause between attempts when `retries` > 0; default 1000 ms. */
  retryDelayMs?: number;
}

/** Outcome of one check. */
export interface CheckResult {
  passed: boolean;
  /** One sentence for the learner. */
  message: string;
  /** What was seen, for instructors and the API. */
  evidence: Record<string, unknown>;
  durationMs: number;
  /** True when the learner could not have faked the evidence by replacing binaries in the node. */
  tamperResistant: boolean;
}

/** What one evaluator returns; evaluateCheck adds timing. */
export type Outcome = Omit<CheckResult, "durationMs">;

/** Feedback from scripts is cut to this many characters. */
export const MAX_FEEDBACK_CHARS = 2000;
/** Processes listed in evidence at most. */
export const MAX_LISTED = 10;

/** `sh -c script` in the node, with the output bounded so a chatty learner script cannot flood evidence. */
export function sh(ctx: CheckContext, script: string, timeoutMs: number) {
  return ctx.provider.exec(ctx.sandboxId, ["/bin/sh", "-c", script], { timeoutMs, maxOutputBytes: 64 * 1024 });
}

/** `text` trimmed and cut to `max` characters, marked with an ellipsis when cut. */
export function cap(text: string, max = MAX_FEEDBACK_CHARS): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
