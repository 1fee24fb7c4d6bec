/** A session as learners and the API see it, made from its row and what this process knows. */
import type { ProvisionProgress, SandboxEnvironment } from "../sandbox/provider";
import type { SessionState } from "./lifecycle";
import type { SessionRow } from "./store";

/** A session as learners and the API see it. */
export interface SessionView {
  id: string;
  labSlug: string;
  /** The lab version it runs (LabVersion.id and number): its tasks stay as they were when it started. Null for sessions from before versions. */
  labVersionId: string | null;
  labVersion: number | null;
  userId: string;
  state: SessionState;
  /** Why it ended or failed, in a sentence. */
  reason: string | null;
  environment: SandboxEnvironment;
  sandboxId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  /** 1-based place in the queue while waiting for capacity; null otherwise. */
  queuePosition: number | null;
  /** Provisioning steps so far (this process only). */
  progress: ProvisionProgress[];
  /** True when the node came from the warm pool. */
  warmStart: boolean;
  /** The cgroup version of the learner's node, once it has one (the lab text shows that version's paths). */
  cgroupVersion: 1 | 2 | null;
  /** The session that replaced this one (a reset, or a fresh node after this one's died); pages follow it. */
  replacedBy: string | null;
}

/** What only this process knows about a session (the scheduler's). */
export interface SessionFacts {
  queuePosition: number | null;
  progress: ProvisionProgress[];
  warmStart: boolean;
}

export function sessionView(row: SessionRow, facts: SessionFacts): SessionView {
  return {
    id: row.id,
    labSlug: row.lab.slug,
    labVersionId: row.labVersionId,
    labVersion: row.labVersion?.number ?? null,
    userId: row.userId,
    state: row.state,
    reason: row.stateReason,
    environment: row.environment,
    sandboxId: row.sandboxId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    ...facts,
    cgroupVersion: row.cgroupVersion === 1 || row.cgroupVersion === 2 ? row.cgroupVersion : null,
    replacedBy: row.replacedById,
  };
}
