import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EvaluationScheduler, type EvaluationCause, type PolledSession, type SchedulerConfig } from "./scheduler";

const CONFIG: SchedulerConfig = {
  debounceMs: 50,
  maxDelayMs: 1_000,
  minIntervalMs: 250,
  concurrency: 2,
  safetyPollMs: 30_000,
  idleSafetyPollMs: 120_000,
};

interface Run {
  sessionId: string;
  cause: EvaluationCause;
  startedAt: number;
}

/** A scheduler whose runs take `runMs` of fake time and are recorded. */
function harness(options: { runMs?: number; config?: Partial<SchedulerConfig>; ready?: () => PolledSession[]; complete?: (id: string) => boolean; fail?: (id: string) => boolean } = {}) {
  const runs: Run[] = [];
  let active = 0;
  let maxActive = 0;
  const t0 = Date.now();
  const scheduler = new EvaluationScheduler(
    {
      run: async (sessionId, cause) => {
        runs.push({ sessionId, cause, startedAt: Date.now() - t0 });
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, options.runMs ?? 20));
        active--;
        if (options.fail?.(sessionId)) throw new Error(`node of ${sessionId} is gone`);
        return { complete: options.complete?.(sessionId) ?? false };
      },
      readySessions: async () => options.ready?.() ?? [],
    },
    { ...CONFIG, ...options.config },
  );
  return { scheduler, runs, maxActive: () => maxActive, elapsed: () => Date.now() - t0 };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("EvaluationScheduler", () => {
  it("debounces a burst of requests into one run, debounceMs after the last", async () => {
    const { scheduler, runs } = harness();
    for (let i = 0; i < 4; i++) {
      scheduler.trigger("s1", "command");
      await vi.advanceTimersByTimeAsync(30);
    }
    // Last request at 90 ms: the run starts at 140 ms, not before.
    await vi.advanceTimersByTimeAsync(19);
    expect(runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([{ sessionId: "s1", cause: "command", startedAt: 140 }]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toHaveLength(1);
  });

  it("under requests that never stop, runs within maxDelayMs of the first and keeps a bounded rate", async () => {
    const { scheduler, runs } = harness();
    // A learner's loop: a request every 10 ms for 4 s (each one alone would push the debounce out forever).
    for (let t = 0; t < 4_000; t += 10) {
      scheduler.trigger("s1", "command");
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs[0]!.startedAt).toBeLessThanOrEqual(1_000);
    // Never two runs of one session closer than minIntervalMs (at most 4 a second).
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt - runs[i - 1]!.startedAt).toBeGreaterThanOrEqual(250);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(4_000 / 1_000) + 1);
    expect(scheduler.stats().requests.command).toBe(400);
  });

  it("rate-bounds even requests that skip the debounce", async () => {
    const { scheduler, runs } = harness({ runMs: 5 });
    for (let t = 0; t < 2_000; t += 10) {
      scheduler.trigger("s1", "command");
      void scheduler.request("s1", "check", { immediate: true });
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt - runs[i - 1]!.startedAt).toBeGreaterThanOrEqual(250);
    expect(runs.length).toBeLessThanOrEqual(9); // 2 s at 4 a second, plus the one after the last request
  });

  it("coalesces: one run at a time, and requests during a run schedule exactly one more", async () => {
    const { scheduler, runs, maxActive } = harness({ runMs: 400 });
    const first = scheduler.request("s1", "command");
    await vi.advanceTimersByTimeAsync(100); // the run started at 50 ms and is in progress
    expect(runs).toHaveLength(1);
    const during = [scheduler.request("s1", "command"), scheduler.request("s1", "poll"), scheduler.request("s1", "command")];
    let duringDone = false;
    void Promise.all(during).then(() => (duringDone = true));
    await vi.advanceTimersByTimeAsync(350); // the first run ended at 450 ms
    await expect(first).resolves.toBeUndefined();
    // Its answer came from a run that started before these requests: they wait for the next one.
    expect(duringDone).toBe(false);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toHaveLength(2);
    expect(duringDone).toBe(true);
    expect(maxActive()).toBe(1);
  });

  it("joins a request to a run that is queued but has not started", async () => {
    // One run at a time overall: s2 waits for s1's slot.
    const { scheduler, runs } = harness({ runMs: 300, config: { concurrency: 1 } });
    scheduler.trigger("s1", "command");
    scheduler.trigger("s2", "command");
    await vi.advanceTimersByTimeAsync(100); // s1 runs, s2 is queued
    const joined = scheduler.request("s2", "check", { immediate: true });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(joined).resolves.toBeUndefined();
    expect(runs.map((r) => [r.sessionId, r.cause])).toEqual([
      ["s1", "command"],
      ["s2", "check"],
    ]);
  });

  it("records the most telling cause of a shared run", async () => {
    const { scheduler, runs } = harness();
    scheduler.trigger("s1", "poll");
    scheduler.trigger("s1", "command");
    scheduler.trigger("s1", "check");
    await vi.advanceTimersByTimeAsync(500);
    expect(runs.map((r) => r.cause)).toEqual(["check"]);
  });

  it("runs at most `concurrency` sessions at once, sessions someone waits on first, with a slot safety polls never take", async () => {
    const { scheduler, runs, maxActive } = harness({ runMs: 100, config: { concurrency: 3 } });
    for (let i = 0; i < 6; i++) scheduler.trigger(`bg${i}`, "poll");
    await vi.advanceTimersByTimeAsync(60); // bg0 and bg1 run; bg2..bg5 queue; the third slot stays free
    expect(runs.map((r) => r.sessionId)).toEqual(["bg0", "bg1"]);
    scheduler.trigger("learner", "command");
    scheduler.trigger("other-learner", "check");
    await vi.advanceTimersByTimeAsync(50);
    // The first learner took the free slot at once; the second goes before the four queued polls.
    expect(runs.map((r) => r.sessionId)).toEqual(["bg0", "bg1", "learner"]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(maxActive()).toBe(3);
    expect(runs).toHaveLength(8);
    expect(runs.map((r) => r.sessionId).indexOf("other-learner")).toBe(3);
  });

  it("rejects the waiters of a failed run and serves later requests anyway", async () => {
    let broken = true;
    const { scheduler, runs } = harness({ fail: () => broken });
    await Promise.all([expect(scheduler.request("s1", "check", { immediate: true })).rejects.toThrow("node of s1 is gone"), vi.advanceTimersByTimeAsync(100)]);
    broken = false;
    const again = scheduler.request("s1", "check", { immediate: true });
    await vi.advanceTimersByTimeAsync(500);
    await expect(again).resolves.toBeUndefined();
    expect(runs).toHaveLength(2);
    expect(scheduler.stats().failures).toBe(1);
  });

  describe("safety poll", () => {
    it("evaluates new sessions at once, then active ones every safetyPollMs and idle ones every idleSafetyPollMs", async () => {
      let ready: PolledSession[] = [
        { id: "active", idle: false },
        { id: "idle", idle: true },
      ];
      const { scheduler, runs } = harness({ ready: () => ready });
      scheduler.startSafetyPoll(1_000);
      await vi.advanceTimersByTimeAsync(1_100);
      expect(runs.map((r) => [r.sessionId, r.cause]).sort()).toEqual([
        ["active", "poll"],
        ["idle", "poll"],
      ]);
      await vi.advanceTimersByTimeAsync(250_000);
      const count = (id: string) => runs.filter((r) => r.sessionId === id).length;
      // Over 250 s: the first run, then one per 30 s (each up to a tick late),
      // and for the idle session one per 120 s.
      expect(count("active")).toBeGreaterThanOrEqual(8);
      expect(count("active")).toBeLessThanOrEqual(9);
      expect(count("idle")).toBe(3);
      // A session that ends is no longer polled.
      ready = [{ id: "idle", idle: true }];
      const before = count("active");
      await vi.advanceTimersByTimeAsync(120_000);
      expect(count("active")).toBe(before);
      await scheduler.stop();
    });

    it("leaves sessions whose tasks have all passed alone, and counts any run as a poll's turn", async () => {
      const { scheduler, runs } = harness({
        ready: () => [
          { id: "done", idle: false },
          { id: "busy", idle: false },
        ],
        complete: (id) => id === "done",
      });
      scheduler.startSafetyPoll(1_000);
      await vi.advanceTimersByTimeAsync(1_100);
      // The learner of "busy" keeps running commands: the poll never needs to come.
      for (let t = 0; t < 90_000; t += 10_000) {
        scheduler.trigger("busy", "command");
        await vi.advanceTimersByTimeAsync(10_000);
      }
      expect(runs.filter((r) => r.sessionId === "done")).toHaveLength(1);
      expect(runs.filter((r) => r.sessionId === "busy" && r.cause === "poll")).toHaveLength(1);
      await scheduler.stop();
    });

    it("stop() ends the poll and refuses pending and new requests", async () => {
      const { scheduler, runs } = harness({ ready: () => [{ id: "s1", idle: false }] });
      const pending = scheduler.request("s1", "command");
      await scheduler.stop();
      await expect(pending).rejects.toThrow("shutting down");
      await expect(scheduler.request("s1", "check")).rejects.toThrow("shutting down");
      await vi.advanceTimersByTimeAsync(60_000);
      expect(runs).toHaveLength(0);
    });
  });
});
