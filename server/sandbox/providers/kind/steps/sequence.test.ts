/**
 * The kind creation steps without kind: their names and order (what learners
 * see as progress), and the creation slot kept in the step context rather
 * than in a variable the steps share.
 */
import { describe, expect, it } from "vitest";
import { runSteps, type Step } from "../../../steps";
import { CreationSlots } from "../creation-slots";
import type { KindContext, KindProvisioner } from "./context";
import { freeCreationSlot } from "./free-creation-slot";
import { KIND_STEPS } from "./sequence";
import { waitForCreationSlot } from "./wait-for-creation-slot";

/** A creation whose provider lends only its slots (the steps run here touch nothing else). */
function creation(slots: CreationSlots): KindContext {
  return {
    provider: { slots } as unknown as KindProvisioner,
    id: "a1",
    cluster: "labs-a1",
    labels: {} as KindContext["labels"],
    record: "r",
    network: null,
    kubeconfig: "k",
    memoryBytes: 1,
    readyTimeoutMs: 1,
  };
}

const fails: Step<KindContext> = {
  name: "fail",
  run: async () => {
    throw new Error("kind create cluster failed");
  },
};

describe("kind creation steps", () => {
  it("are named for the learner's progress, in order, the last one saying what it does", () => {
    expect(KIND_STEPS.map((s) => s.name)).toEqual([
      "check kind",
      "check isolation",
      "check Docker",
      "wait for a creation slot",
      "check capacity",
      "record sandbox",
      "create network",
      "create cluster",
      "limit memory",
      "wait for systemd",
      "prepare node",
      "install RuntimeClass gvisor",
      "wait for node Ready",
      "preload lab images",
      "free the creation slot",
    ]);
  });

  it("hold the creation slot in the context and give it back when the cluster is made", async () => {
    const slots = new CreationSlots(1);
    const ctx = creation(slots);
    await runSteps([waitForCreationSlot], ctx);
    expect([slots.active, typeof ctx.releaseSlot]).toEqual([1, "function"]);
    await runSteps([freeCreationSlot], ctx);
    expect([slots.active, ctx.releaseSlot]).toEqual([0, undefined]);
  });

  it("give the slot back when a later step fails, so the next creation does not wait for a dead one", async () => {
    const slots = new CreationSlots(1);
    await expect(runSteps([waitForCreationSlot, fails], creation(slots))).rejects.toMatchObject({ code: "PROVISION_FAILED" });
    expect(slots.active).toBe(0);
    // Two creations at once: each holds its own slot in its own context.
    const [a, b] = [creation(slots), creation(slots)];
    await runSteps([waitForCreationSlot], a);
    const waiting = runSteps([waitForCreationSlot], b);
    expect(slots.queued).toBe(1);
    await runSteps([freeCreationSlot], a);
    await waiting;
    expect([slots.active, a.releaseSlot, typeof b.releaseSlot]).toEqual([1, undefined, "function"]);
    await runSteps([freeCreationSlot], b);
    expect(slots.active).toBe(0);
  });
});
