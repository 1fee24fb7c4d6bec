import { describe, expect, it } from "vitest";
import { runSteps, type Step } from "./steps";
import { SandboxError, isSandboxError } from "./errors";
import type { ProvisionProgress } from "./provider";

/** A fake step list that records what ran and what was undone. */
function fakeSteps(failAt: number | null, log: string[], error: unknown = new Error("boom")): Step<null>[] {
  return ["a", "b", "c"].map((name, i) => ({
    name,
    run: async () => {
      log.push(`run ${name}`);
      if (i === failAt) throw error;
    },
    undo: name === "b" ? undefined : async () => void log.push(`undo ${name}`),
  }));
}

describe("runSteps", () => {
  it("runs steps in order and reports started/done with index, total and duration", async () => {
    const log: string[] = [];
    const events: ProvisionProgress[] = [];
    let t = 0;
    await runSteps(fakeSteps(null, log), null, { onProgress: (e) => events.push(e), now: () => (t += 5) });
    expect(log).toEqual(["run a", "run b", "run c"]);
    expect(events.map((e) => `${e.step}:${e.status}:${e.index}/${e.total}`)).toEqual(["a:started:0/3", "a:done:0/3", "b:started:1/3", "b:done:1/3", "c:started:2/3", "c:done:2/3"]);
    expect(events[1]!.durationMs).toBe(5);
  });

  it("undoes started steps newest first, failed step included, and throws PROVISION_FAILED naming the step", async () => {
    const log: string[] = [];
    const events: ProvisionProgress[] = [];
    const err = await runSteps(fakeSteps(2, log), null, { onProgress: (e) => events.push(e) }).catch((e: unknown) => e);
    expect(log).toEqual(["run a", "run b", "run c", "undo c", "undo a"]);
    expect(isSandboxError(err, "PROVISION_FAILED")).toBe(true);
    expect((err as SandboxError).message).toBe('Creating the sandbox failed at step "c".');
    expect((err as SandboxError).detail).toBe("boom");
    expect(events.at(-1)).toMatchObject({ step: "c", status: "failed", error: "boom" });
  });

  it("keeps a SandboxError's code and sentence", async () => {
    const cause = new SandboxError("IMAGE_MISSING", "The node image x is not built; run `npm run images`.", "no such image");
    const err = await runSteps(fakeSteps(0, [], cause), null).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "IMAGE_MISSING", message: cause.message, detail: 'step "a": no such image' });
  });

  it("retains everything when asked", async () => {
    const log: string[] = [];
    await runSteps(fakeSteps(1, log), null, { retainOnFailure: true }).catch(() => undefined);
    expect(log).toEqual(["run a", "run b"]);
  });

  it("reports undo failures in the detail without hiding the original error", async () => {
    const steps: Step<null>[] = [
      {
        name: "make",
        run: async () => undefined,
        undo: async () => {
          throw new Error("undo broke");
        },
      },
      {
        name: "use",
        run: async () => {
          throw new Error("use broke");
        },
      },
    ];
    const err = (await runSteps(steps, null).catch((e: unknown) => e)) as SandboxError;
    expect(err.message).toContain('"use"');
    expect(err.detail).toBe("use broke; cleanup also failed: make: undo broke");
  });

  it("stops with ABORTED when the signal is already aborted, and undoes", async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const steps = fakeSteps(null, log);
    steps[0]!.run = async () => {
      log.push("run a");
      ac.abort();
    };
    const err = await runSteps(steps, null, { signal: ac.signal }).catch((e: unknown) => e);
    expect(isSandboxError(err, "ABORTED")).toBe(true);
    expect(log).toEqual(["run a", "undo a"]);
  });
});
