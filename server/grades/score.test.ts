import { describe, expect, it } from "vitest";
import { emptyLabCell, labCell, mergeTaskRows, scoreOf, totals, type SessionLike, type TaskResultLike } from "./score";

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 10, minute));

function row(taskId: string, over: Partial<TaskResultLike> = {}): TaskResultLike {
  return { taskId, status: "failed", message: null, attempts: 1, hintsRevealed: 0, passedAt: null, updatedAt: at(0), assisted: false, ...over };
}

function session(id: string, createdMinute: number, taskResults: TaskResultLike[], state: SessionLike["state"] = "ended"): SessionLike {
  return { id, state, createdAt: at(createdMinute), taskResults };
}

const TASKS = [
  { id: "run-first", title: "Run a container", points: 10 },
  { id: "oom-kill", title: "Get OOM-killed", points: 30 },
];

describe("mergeTaskRows", () => {
  it("marks a task assisted only while every pass of it came from a fast-forward", () => {
    const assisted = row("t", { status: "passed", passedAt: at(10), assisted: true, updatedAt: at(10) });
    expect(mergeTaskRows([assisted, row("t", { status: "failed", updatedAt: at(20) })])).toMatchObject({ status: "passed", assisted: true });
    // Passed again by the learner's own work in a later session: no longer assisted.
    expect(mergeTaskRows([assisted, row("t", { status: "passed", passedAt: at(40), updatedAt: at(40) })])).toMatchObject({ status: "passed", assisted: false });
    expect(mergeTaskRows([row("t", { status: "failed", assisted: true })])).toMatchObject({ status: "failed", assisted: false });
  });

  it("is pending with nothing recorded", () => {
    expect(mergeTaskRows([])).toEqual({ status: "pending", passedAt: null, beforeJoining: false, assisted: false, hintsRevealed: 0, attempts: 0, message: null });
  });

  it("counts a pass in any session, with the earliest passedAt, most hints and all attempts", () => {
    const cell = mergeTaskRows([
      row("t", { status: "passed", passedAt: at(30), attempts: 2, hintsRevealed: 1, message: "second pass", updatedAt: at(30) }),
      row("t", { status: "passed", passedAt: at(12), attempts: 4, hintsRevealed: 2, message: "first pass", updatedAt: at(12) }),
      row("t", { status: "failed", attempts: 3, hintsRevealed: 0, message: "not yet", updatedAt: at(50) }),
    ]);
    expect(cell).toEqual({ status: "passed", passedAt: at(12), beforeJoining: false, assisted: false, hintsRevealed: 2, attempts: 9, message: "first pass" });
  });

  it("takes status and message of the latest row while nothing passed", () => {
    const cell = mergeTaskRows([row("t", { status: "failed", message: "old failure", updatedAt: at(5) }), row("t", { status: "pending", message: null, updatedAt: at(9), attempts: 0 })]);
    expect(cell).toMatchObject({ status: "pending", message: null, attempts: 1 });
  });
});

describe("labCell", () => {
  it("gives an untouched lab no points, no session and every task not started", () => {
    const cell = emptyLabCell(TASKS);
    expect(cell).toMatchObject({ sessionId: null, state: null, startedAt: null, completedAt: null, timeToCompleteMs: null, points: 0, maxPoints: 40, score: 0, hintsUsed: 0 });
    expect(cell.tasks["oom-kill"]!.status).toBe("not-started");
  });

  it("calls a task of a started lab that was never checked pending, not 'not started'", () => {
    const cell = labCell(TASKS, [session("s1", 0, [row("run-first")], "ready")]);
    expect(cell.tasks["run-first"]!.status).toBe("failed");
    expect(cell.tasks["oom-kill"]!.status).toBe("pending");
  });

  it("gives partial credit by points, not by task count", () => {
    const cell = labCell(TASKS, [session("s1", 0, [row("run-first", { status: "passed", passedAt: at(3) }), row("oom-kill")], "ready")]);
    expect(cell).toMatchObject({ points: 10, maxPoints: 40, score: 0.25, completedAt: null, timeToCompleteMs: null, sessionId: "s1", state: "ready" });
  });

  it("merges sessions: latest session for drill-down, first for the start, completion at the last pass", () => {
    const cell = labCell(TASKS, [
      session("late", 20, [row("oom-kill", { status: "passed", passedAt: at(45), hintsRevealed: 1 })], "ready"),
      session("early", 0, [row("run-first", { status: "passed", passedAt: at(7), hintsRevealed: 2 })], "ended"),
    ]);
    expect(cell).toMatchObject({
      sessionId: "late",
      state: "ready",
      startedAt: at(0),
      completedAt: at(45),
      timeToCompleteMs: 45 * 60_000,
      points: 40,
      score: 1,
      hintsUsed: 3,
    });
  });

  it("ignores results of tasks the lab no longer declares", () => {
    const cell = labCell(TASKS, [session("s", 0, [row("removed-task", { status: "passed", passedAt: at(1) })])]);
    expect(Object.keys(cell.tasks)).toEqual(["run-first", "oom-kill"]);
    expect(cell.points).toBe(0);
  });

  it("scores a lab with nothing to earn as done, yet never calls it completed", () => {
    const cell = labCell([], [session("s", 0, [])]);
    expect(cell).toMatchObject({ points: 0, maxPoints: 0, score: 1, completedAt: null });
  });
});

describe("work before joining a cohort", () => {
  // Joined at minute 20: run-first passed at 7 (before), oom-kill at 45 (after).
  const sessions = () => [session("early", 0, [row("run-first", { status: "passed", passedAt: at(7) })]), session("late", 30, [row("oom-kill", { status: "passed", passedAt: at(45) })], "ready")];
  const joinedAt = at(20);

  it("marks passes from before joining and, by default, counts them", () => {
    const cell = labCell(TASKS, sessions(), { joinedAt, includeBeforeJoining: true });
    expect(cell.tasks["run-first"]).toMatchObject({ status: "passed", beforeJoining: true, passedAt: at(7) });
    expect(cell.tasks["oom-kill"]).toMatchObject({ status: "passed", beforeJoining: false });
    expect(cell).toMatchObject({ points: 40, pointsBeforeJoining: 10, completedAt: at(45) });
  });

  it("still says passed, but earns nothing and completes nothing, when the cohort excludes it", () => {
    const cell = labCell(TASKS, sessions(), { joinedAt, includeBeforeJoining: false });
    expect(cell.tasks["run-first"]).toMatchObject({ status: "passed", beforeJoining: true });
    expect(cell).toMatchObject({ points: 30, maxPoints: 40, score: 0.75, pointsBeforeJoining: 10, completedAt: null, timeToCompleteMs: null });
  });

  it("counts a task done again after joining, with the later pass, when earlier work is excluded", () => {
    const again = [...sessions(), session("again", 25, [row("run-first", { status: "passed", passedAt: at(28) })], "ended")];
    const excluded = labCell(TASKS, again, { joinedAt, includeBeforeJoining: false });
    expect(excluded.tasks["run-first"]).toMatchObject({ status: "passed", beforeJoining: false, passedAt: at(28) });
    expect(excluded).toMatchObject({ points: 40, pointsBeforeJoining: 0, completedAt: at(45) });
    // Included: the first pass is the one shown, with its mark.
    expect(labCell(TASKS, again, { joinedAt, includeBeforeJoining: true }).tasks["run-first"]).toMatchObject({ passedAt: at(7), beforeJoining: true });
  });

  it("marks nothing without a cohort", () => {
    const cell = labCell(TASKS, sessions());
    expect(cell.tasks["run-first"]!.beforeJoining).toBe(false);
    expect(cell).toMatchObject({ points: 40, pointsBeforeJoining: 0 });
  });
});

describe("totals and scoreOf", () => {
  it("adds points over labs and divides once (a big lab weighs more)", () => {
    expect(
      totals([
        { points: 10, maxPoints: 40 },
        { points: 20, maxPoints: 20 },
      ]),
    ).toEqual({ points: 30, maxPoints: 60, score: 0.5 });
  });
  it("counts nothing to earn as a full score", () => {
    expect(scoreOf(0, 0)).toBe(1);
    expect(totals([])).toEqual({ points: 0, maxPoints: 0, score: 1 });
  });
});
