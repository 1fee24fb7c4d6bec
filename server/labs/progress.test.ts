import { describe, expect, it } from "vitest";
import { summarizeLabProgress } from "./progress";

const TASKS = ["find-containerd", "gvisor-kernel"];

describe("summarizeLabProgress", () => {
  it("counts a task passed in several sessions once (a reset copies passed tasks)", () => {
    const p = summarizeLabProgress("meet-your-node", TASKS, [
      { id: "old", state: "ended", passedTaskIds: ["find-containerd"] },
      { id: "new", state: "ready", passedTaskIds: ["find-containerd"] },
    ]);
    expect(p).toEqual({ slug: "meet-your-node", passed: 1, total: 2, status: "in-progress", liveSessionId: "new" });
  });

  it("is completed when the union of sessions covers every task, even if no single session does", () => {
    const p = summarizeLabProgress("meet-your-node", TASKS, [
      { id: "a", state: "ended", passedTaskIds: ["find-containerd"] },
      { id: "b", state: "failed", passedTaskIds: [] },
      { id: "c", state: "ended", passedTaskIds: ["gvisor-kernel"] },
    ]);
    expect(p).toMatchObject({ passed: 2, total: 2, status: "completed", liveSessionId: null });
  });

  it("ignores task ids the lab no longer has", () => {
    const p = summarizeLabProgress("meet-your-node", TASKS, [{ id: "a", state: "ended", passedTaskIds: ["removed-task", "gvisor-kernel"] }]);
    expect(p).toMatchObject({ passed: 1, total: 2, status: "in-progress" });
  });

  it("a started lab with nothing passed is in progress; one without tasks is never completed", () => {
    expect(summarizeLabProgress("x", TASKS, [{ id: "a", state: "requested", passedTaskIds: [] }])).toMatchObject({ passed: 0, status: "in-progress", liveSessionId: "a" });
    expect(summarizeLabProgress("y", [], [{ id: "b", state: "ended", passedTaskIds: [] }])).toMatchObject({ passed: 0, total: 0, status: "in-progress" });
  });
});
