import { describe, expect, it } from "vitest";
import type { ExecResult, Sandbox } from "../sandbox/provider";
import { nodeStoppedEnd, type NodeWitness } from "./node-stopped";

// A fake node (named as such): the engine's answer and whether a command in
// the node runs are scripted, so the engine can lag behind the node's death.
function fakeNode(opts: { engineSaysStoppedAfterMs: number; nodeAnswers: boolean }): NodeWitness & { execs: number } {
  const since = Date.now();
  const node = {
    sandboxId: "sb",
    execs: 0,
    provider: {
      get: async () => ({ id: "sb", state: Date.now() - since >= opts.engineSaysStoppedAfterMs ? "exited" : "running" }) as unknown as Sandbox,
      exec: async (): Promise<ExecResult> => {
        node.execs++;
        if (!opts.nodeAnswers) throw new Error("container is not running");
        return { exitCode: 0, stdout: "", stderr: "", truncated: false, timedOut: false, durationMs: 1 };
      },
    },
  };
  return node;
}
const FAST = { probeTimeoutMs: 1_000, settleMs: 3_000, pollMs: 20 };

describe("why a shell ended (unit)", () => {
  it("says NODE_STOPPED when the engine marks the node stopped seconds after the shell died (the soak's case at load 30)", async () => {
    const node = fakeNode({ engineSaysStoppedAfterMs: 1_500, nodeAnswers: false });
    expect(await nodeStoppedEnd(node, 137, FAST)).toMatchObject({ code: "NODE_STOPPED", closeCode: 4411 });
  });

  it("says NODE_STOPPED at once when the engine already knows", async () => {
    const node = fakeNode({ engineSaysStoppedAfterMs: 0, nodeAnswers: false });
    expect(await nodeStoppedEnd(node, 0, FAST)).toMatchObject({ code: "NODE_STOPPED" });
    expect(node.execs).toBe(0);
  });

  it("is the learner's exit when the node still answers, even with a signal's status (exit after ^C is 130)", async () => {
    const node = fakeNode({ engineSaysStoppedAfterMs: Infinity, nodeAnswers: true });
    const t = Date.now();
    expect(await nodeStoppedEnd(node, 130, FAST)).toBeNull();
    expect(Date.now() - t).toBeLessThan(1_000); // no waiting out the settle window
    expect(node.execs).toBe(1);
  });

  it("does not probe the node for a plain exit", async () => {
    const node = fakeNode({ engineSaysStoppedAfterMs: Infinity, nodeAnswers: true });
    expect(await nodeStoppedEnd(node, 0, FAST)).toBeNull();
    expect(node.execs).toBe(0);
  });
});
