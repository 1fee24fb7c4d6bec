import { describe, expect, it } from "vitest";
import { canTransition, IllegalTransitionError, isTerminal, SESSION_STATES, transition, type SessionState } from "./lifecycle";

describe("session lifecycle", () => {
  it("walks the happy path forward", () => {
    let s: SessionState = "requested";
    for (const next of ["provisioning", "ready", "ending", "ended"] as const) s = transition(s, next);
    expect(s).toBe("ended");
  });

  it("claims a warm sandbox straight from requested to ready", () => {
    expect(transition("requested", "ready")).toBe("ready");
  });

  it("can fail from every state that has not finished, and from none that has", () => {
    for (const s of SESSION_STATES) expect(canTransition(s, "failed")).toBe(!isTerminal(s));
  });

  it("never moves backwards", () => {
    const order = ["requested", "provisioning", "ready", "ending", "ended"] as const;
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j <= i; j++) expect(canTransition(order[i]!, order[j]!)).toBe(false);
    }
  });

  it("treats ended and failed as final", () => {
    for (const to of SESSION_STATES) {
      expect(() => transition("ended", to)).toThrow(IllegalTransitionError);
      expect(() => transition("failed", to)).toThrow("A session cannot move from failed to");
    }
  });
});
