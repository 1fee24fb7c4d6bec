/**
 * The session lifecycle. It only moves forward (like coder's reconnecting
 * PTY states): requested -> provisioning -> ready -> ending -> ended, or
 * failed (with a reason) from any state that has not finished. One function,
 * `transition`, decides every move; nothing else writes `state`.
 */
export const SESSION_STATES = ["requested", "provisioning", "ready", "ending", "ended", "failed"] as const;
export type SessionState = (typeof SESSION_STATES)[number];

const NEXT: Record<SessionState, readonly SessionState[]> = {
  // A learner may leave while queued or while their node is being made.
  requested: ["provisioning", "ready", "ending", "failed"],
  provisioning: ["ready", "ending", "failed"],
  ready: ["ending", "failed"],
  ending: ["ended", "failed"],
  ended: [],
  failed: [],
};

/** States in which a session holds (or is getting) a sandbox. */
export const LIVE_STATES: readonly SessionState[] = ["requested", "provisioning", "ready", "ending"];

/** True when the session has finished for good. */
export function isTerminal(state: SessionState): boolean {
  return NEXT[state].length === 0;
}

/** True when `from -> to` is a legal move. */
export function canTransition(from: SessionState, to: SessionState): boolean {
  return NEXT[from].includes(to);
}

/** Raised for an illegal move; the caller raced another writer or has a bug. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: SessionState,
    readonly to: SessionState,
  ) {
    super(`A session cannot move from ${from} to ${to}.`);
    this.name = "IllegalTransitionError";
  }
}

/** Returns `to` if the move is legal, else throws IllegalTransitionError. */
export function transition(from: SessionState, to: SessionState): SessionState {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}
