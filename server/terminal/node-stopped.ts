/**
 * Why a shell ended: the learner left it, or its node stopped. The two need
 * different closes (the client reconnects to a fresh node only in the second
 * case), and the engine is not a reliable witness right away: the shell's
 * exec ends the moment the node's processes die, and under load the engine
 * marks the node stopped seconds later (the soak saw more than a second at
 * load 30). So a shell that died by a signal asks the node itself.
 */
import type { SandboxProvider } from "../sandbox/provider";
import { CloseCode } from "./protocol";
import type { TerminalEnd } from "./terminal";

export interface NodeWitness {
  provider: Pick<SandboxProvider, "get" | "exec">;
  sandboxId: string;
}

export interface NodeStoppedTiming {
  /** How long a command in the node may take to answer "still alive". */
  probeTimeoutMs: number;
  /** How long to wait for the engine to say "stopped" after the probe failed. */
  settleMs: number;
  pollMs: number;
}

const DEFAULT_TIMING: NodeStoppedTiming = { probeTimeoutMs: 5_000, settleMs: 10_000, pollMs: 200 };

export const NODE_STOPPED_END: TerminalEnd = {
  kind: "error",
  code: "NODE_STOPPED",
  message: "Your node stopped, so this shell ended. The lab panel shows what happens next: a fresh node with your progress, or why not.",
  closeCode: CloseCode.NodeStopped,
};

/** NODE_STOPPED when the shell ended because its node stopped; null when the node still runs (the learner's exit). */
export async function nodeStoppedEnd(node: NodeWitness, exitCode: number | null, timing: NodeStoppedTiming = DEFAULT_TIMING): Promise<TerminalEnd | null> {
  const running = async () => (await node.provider.get(node.sandboxId).catch(() => null))?.state === "running";
  if (!(await running())) return NODE_STOPPED_END;
  // A plain exit (0, or the last command's status) is the learner's.
  const bySignal = exitCode === null || exitCode >= 128;
  if (!bySignal) return null;
  // 128+N is also what `exit` returns after a command stopped with ^C, so a
  // signal alone proves nothing: a command that runs in the node settles it.
  const alive = await node.provider.exec(node.sandboxId, ["true"], { timeoutMs: timing.probeTimeoutMs }).then(
    (r) => r.exitCode === 0,
    () => false,
  );
  if (alive) return null;
  const deadline = Date.now() + timing.settleMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, timing.pollMs));
    if (!(await running())) return NODE_STOPPED_END;
  }
  // The engine still calls it running and it does not answer: say what we know.
  return NODE_STOPPED_END;
}
