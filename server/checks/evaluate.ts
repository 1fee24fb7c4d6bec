/**
 * Evaluates one check against a sandbox. Every outcome is a plain result
 * object (never a thrown error): a check that cannot read what it needs fails
 * with a sentence saying so, because a learner waiting for a green tick must
 * see "your node is not running", not a stack trace. What a check reads and
 * how it judges is its type's (types/<type>.ts); the timeout, the retries and
 * the turning of sandbox errors into results are the same for all, here.
 */
import type { Check } from "./schema";
import { checkTypeDefinition } from "./registry";
import type { CheckContext, CheckResult, Outcome } from "./types/common";

// Re-exported so importers keep one entry point for evaluating checks.
export { MAX_FEEDBACK_CHARS, type CheckContext, type CheckResult } from "./types/common";
export { compareKubectlOutput, kubectlArgv } from "./types/kubectl";

/**
 * Evaluates `check`, retrying up to `check.retries` times while it fails, each
 * attempt bounded by `check.timeoutMs`.
 */
export async function evaluateCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const started = performance.now();
  let out = await attemptOnce(check, ctx);
  let attempts = 1;
  while (!out.passed && attempts <= check.retries) {
    await sleep(ctx.retryDelayMs ?? 1000);
    out = await attemptOnce(check, ctx);
    attempts++;
  }
  if (check.retries > 0) out.evidence.attempts = attempts;
  return { ...out, durationMs: Math.round(performance.now() - started) };
}

async function attemptOnce(check: Check, ctx: CheckContext): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          passed: false,
          message: `The check did not finish within ${check.timeoutMs >= 1000 ? `${Math.round(check.timeoutMs / 1000)} seconds` : `${check.timeoutMs} ms`}.`,
          evidence: { timedOut: true, timeoutMs: check.timeoutMs },
          tamperResistant: false,
        }),
      check.timeoutMs,
    );
  });
  try {
    return await Promise.race([run(check, ctx).catch((err: unknown) => broken(err, ctx)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A sandbox or engine failure, as a failed result. */
function broken(err: unknown, ctx: CheckContext): Outcome {
  const e = err as { message?: string; code?: string; detail?: string };
  const message =
    e?.code === "NOT_FOUND"
      ? "Your sandbox no longer exists, so this could not be checked."
      : e?.code === "EXEC_FAILED" || e?.code === "DOCKER_UNREACHABLE"
        ? "Your node is not reachable right now, so this could not be checked."
        : "This could not be checked because the sandbox did not answer as expected.";
  return {
    passed: false,
    message,
    evidence: { error: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}), ...(e?.detail ? { detail: e.detail } : {}), view: ctx.view.source },
    tamperResistant: false,
  };
}

function run(check: Check, ctx: CheckContext): Promise<Outcome> {
  return checkTypeDefinition(check.type).evaluate(check, ctx);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
