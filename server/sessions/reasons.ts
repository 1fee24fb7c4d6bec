/**
 * The sentences a session ends with when something outside the learner's
 * hands happened to its node, and the conversion of provider errors into
 * sentence-bearing domain errors.
 */
import { DomainError, isDomainError } from "../errors";
import type { SandboxStop } from "../sandbox/provider";

/** Why a session ended when the Docker host holding its sandbox was lost. */
export function hostLostReason(host: string): string {
  return `The Docker host "${host}" stopped answering, so your sandbox is gone. Start the lab again for a fresh node.`;
}

/** What happened to a node, in words a learner can read ("killed, exit code 137"). */
export function describeStop(stop: SandboxStop): string {
  if (stop.kind === "removed") return "its container was removed";
  if (stop.oomKilled) return `out of memory, exit code ${stop.exitCode ?? "unknown"}`;
  if (stop.exitCode === 137) return "killed, exit code 137";
  if (stop.exitCode === undefined) return "it is no longer running";
  return `exit code ${stop.exitCode}`;
}

/** Converts anything thrown by a provider into a sentence-bearing DomainError. */
export function asDomainError(err: unknown, fallback: string): DomainError {
  if (isDomainError(err)) return err;
  const e = err as { code?: string; message?: string; detail?: string };
  const code = e?.code === "CAPACITY" ? "CAPACITY" : e?.code === "NOT_FOUND" ? "NOT_FOUND" : "UNAVAILABLE";
  return new DomainError(code, e?.message ?? fallback, e?.detail ?? String(err));
}
