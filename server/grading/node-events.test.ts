import { afterEach, describe, expect, it, vi } from "vitest";
import type { ExecOptions, ExecResult } from "../sandbox/provider";
import { isRelevantEvent, NodeEventTriggers, type NodeEventConfig } from "./node-events";

// A fake node (named as such): `ctr events` is a stream the test writes to;
// the real stream is followed in events.integration.test.ts.
function fakeNodes() {
  const streams = new Map<string, { emit: (line: string) => void; end: () => void }>();
  const execs: string[][] = [];
  const provider = {
    exec: (sandboxId: string, argv: string[], options: ExecOptions = {}) => {
      execs.push(argv);
      return new Promise<ExecResult>((resolve) => {
        const end = () => resolve({ exitCode: 0, stdout: "", stderr: "", truncated: false, timedOut: false, durationMs: 0 });
        streams.set(sandboxId, { emit: (line) => options.onStdout?.(Buffer.from(`${line}\n`)), end });
        options.signal?.addEventListener("abort", end);
      });
    },
  };
  return { provider, streams, execs };
}

const EXIT = '2026-11-30 04:10:00.000000000 +0000 UTC k8s.io /tasks/exit {"container_id":"hog","exit_status":137}';
const SNAPSHOT = '2026-11-30 04:10:00.000000000 +0000 UTC k8s.io /snapshot/prepare {"key":"x"}';
const CONFIG: NodeEventConfig = { activeWindowMs: 60_000, maxFollowed: 2, minRequestIntervalMs: 1_000 };

function harness(complete = new Set<string>()) {
  const nodes = fakeNodes();
  const requests: string[] = [];
  const triggers = new NodeEventTriggers(
    { locate: async (id) => ({ provider: nodes.provider, sandboxId: `sb-${id}` }), request: (id) => requests.push(id), isComplete: (id) => complete.has(id) },
    CONFIG,
  );
  return { ...nodes, requests, triggers, complete };
}

describe("node events (unit)", () => {
  afterEach(() => vi.useRealTimers());

  it("keeps task, container and image topics; drops snapshot churn", () => {
    expect(isRelevantEvent(EXIT)).toBe(true);
    expect(isRelevantEvent(EXIT.replace("/tasks/exit", "/tasks/oom"))).toBe(true);
    expect(isRelevantEvent(EXIT.replace("/tasks/exit", "/containers/create"))).toBe(true);
    expect(isRelevantEvent(SNAPSHOT)).toBe(false);
    expect(isRelevantEvent("/tasks/exit in a learner's echo")).toBe(false);
  });

  it("follows a node after a command, asks for an evaluation on an event, at most once a second however fast they come", async () => {
    vi.useFakeTimers();
    const h = harness();
    h.triggers.activity("s1");
    await vi.advanceTimersByTimeAsync(0);
    expect(h.execs).toEqual([["ctr", "events"]]);
    h.streams.get("sb-s1")!.emit(EXIT);
    expect(h.requests).toEqual(["s1"]);
    for (let i = 0; i < 50; i++) h.streams.get("sb-s1")!.emit(EXIT); // a loop starting containers
    expect(h.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.requests).toHaveLength(2); // the burst's one trailing request
    h.streams.get("sb-s1")!.emit(SNAPSHOT);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.requests).toHaveLength(2);
    // More commands do not open a second stream.
    h.triggers.activity("s1");
    expect(h.execs).toHaveLength(1);
    await h.triggers.stop();
  });

  it("stops following when nobody typed for the active window, when every task passed, and at the limit of nodes", async () => {
    vi.useFakeTimers();
    const h = harness();
    h.triggers.activity("idle");
    h.triggers.activity("done");
    h.triggers.activity("third"); // maxFollowed is 2
    await vi.advanceTimersByTimeAsync(0);
    expect(h.triggers.following().sort()).toEqual(["done", "idle"]);
    h.complete.add("done");
    h.streams.get("sb-done")!.emit(EXIT);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.triggers.following()).toEqual(["idle"]);
    await vi.advanceTimersByTimeAsync(CONFIG.activeWindowMs + 30_000);
    expect(h.triggers.following()).toEqual([]);
    // A session with nothing left to pass is not followed again.
    h.triggers.activity("done");
    expect(h.triggers.following()).toEqual([]);
    await h.triggers.stop();
  });
});
