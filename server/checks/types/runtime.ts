import { z } from "zod";
import { parseCrictlInspectp, type PodSelector } from "../cluster";
import { handlerFromBundle, readTaskBundle } from "../containerd";
import { cap, type CheckContext, type Outcome } from "./common";
import { defineCheckType } from "./define";
import { crictlInspect, podContainer } from "./pod";
import { commonFields, containerdNamespace, containerId, podSelector } from "./schema-fields";

/** `runtime`: a container runs under this CRI runtime handler. */
const schema = z.strictObject({
  type: z.literal("runtime"),
  container: containerId.optional(),
  /** Cluster sandboxes: the Pod's sandbox handler, as the CRI reports it. */
  pod: podSelector.optional(),
  namespace: containerdNamespace.default("k8s.io"),
  handler: z.enum(["runc", "runsc"]),
  /**
   * The container's task must be running (default): what runs is what is
   * judged. `false` also accepts a stopped task, judged by the identity of
   * the runtime binary its shim was given.
   */
  running: z.boolean().default(true),
  ...commonFields,
});

type RuntimeCheck = z.output<typeof schema>;

/** The node's gVisor binary (Debian's runsc); every way of running gVisor ends in it. */
export const RUNSC_BINARY = "/usr/bin/runsc";
/** The node's runc. */
export const RUNC_BINARY = "/usr/bin/runc";
/** The node's own wrapper that its `runsc` handler names as BinaryName. */
export const RUNSC_WRAPPER = "/usr/local/bin/runsc-wrapper";

/**
 * The runtime of a nested container, judged by what runs, never by names or
 * by files the learner can change: under gVisor the task's init is the runsc
 * sandbox, whose executable has the content of the runsc the node IMAGE
 * ships (sha256 of /proc/<pid>/exe against the image's file, read from the
 * engine). However gVisor was started (the node's handler, a learner's own
 * wrapper) it passes; a runc renamed "runsc", or a /usr/bin/runsc replaced
 * by a link to another program, runs something else and does not. A stopped
 * task (only with `running: false`) is judged by the content of the binary
 * its shim was given (binary_name): runsc, the node's wrapper, or runc; a
 * learner's own wrapper is then "could not be identified".
 */
async function evaluate(c: RuntimeCheck, ctx: CheckContext): Promise<Outcome> {
  if (c.pod) return evaluatePod(c, c.pod, ctx);
  const { view } = ctx;
  const container = c.container!;
  const bundle = await readTaskBundle(view, c.namespace, container);
  const evidence: Record<string, unknown> = { view: view.source };
  const done = (passed: boolean, message: string, tamperResistant = view.tamperResistant): Outcome => ({ passed, message, evidence, tamperResistant });
  if (!bundle) return done(false, `Container ${container} has no task in namespace ${c.namespace}; start it first.`);
  const runsc = await view.imageFileDigest(RUNSC_BINARY);
  if (runsc === null) return done(false, `The node image's runsc could not be read, so what ${container} runs under cannot be told.`);
  const init = bundle.initPid === null ? undefined : (await view.processes()).find((x) => x.pid === bundle.initPid);
  evidence.running = !!init;
  evidence.initPid = bundle.initPid;
  let seen: "runc" | "runsc" | "unknown";
  let fromNodeFiles = false;
  if (init) {
    evidence.initProcess = cap(init.cmdline, 200);
    const exe = await view.executableDigest(init);
    seen = exe === null ? "unknown" : exe === runsc ? "runsc" : "runc";
    evidence.judgedBy = "the content of the task's init executable against the image's runsc";
  } else if (c.running) {
    return done(false, `${container} is not running, so what it runs under cannot be seen; start it and keep it running.`);
  } else {
    const binary = typeof bundle.shimOptions.binary_name === "string" && bundle.shimOptions.binary_name ? bundle.shimOptions.binary_name : RUNC_BINARY;
    evidence.runtimeBinary = cap(binary, 200);
    const d = await view.fileDigest(binary);
    const [wrapper, runc] = await Promise.all([view.imageFileDigest(RUNSC_WRAPPER), view.imageFileDigest(RUNC_BINARY)]);
    seen = d === null ? "unknown" : d === runsc || d === wrapper ? "runsc" : d === runc ? "runc" : "unknown";
    evidence.judgedBy = "the content of the runtime binary the stopped task was given (options.json is a file in the node)";
    fromNodeFiles = true;
  }
  evidence.handler = seen;
  // A stopped task's verdict rests on options.json, which root in the node can write.
  const resistant = view.tamperResistant && !fromNodeFiles;
  if (seen === "unknown") {
    return done(false, `What ${container} runs under could not be identified${init ? "" : " from its stopped task (a wrapper of your own is only recognised while the container runs)"}.`, resistant);
  }
  return seen === c.handler ? done(true, `${container} runs under ${c.handler}.`, resistant) : done(false, `${container} runs under ${seen}, not ${c.handler}.`, resistant);
}

/**
 * The runtime handler of a Pod: its sandbox's handler as the CRI reports it
 * (`crictl inspect` -> sandbox id -> `crictl inspectp`), cross-checked with
 * the container's task bundle (the runsc shim's binary path) when readable.
 */
async function evaluatePod(c: RuntimeCheck, pod: PodSelector, ctx: CheckContext): Promise<Outcome> {
  const evidence: Record<string, unknown> = { pod: `${pod.namespace}/${pod.name}`, view: ctx.view.source };
  const done = (passed: boolean, message: string): Outcome => ({ passed, message, evidence, tamperResistant: false });
  const found = await podContainer(pod, ctx, c.timeoutMs, evidence);
  if ("passed" in found) return found;
  evidence.runtimeClassName = found.runtimeClassName;
  const id = found.c.containerId;
  if (!id) return done(false, `pod/${pod.name} has no running container yet.`);
  const cri = await crictlInspect(ctx, id, c.timeoutMs);
  if (!cri?.sandboxId) return done(false, `The CRI does not know pod/${pod.name}'s container yet.`);
  const r = await ctx.provider.exec(ctx.sandboxId, ["crictl", "inspectp", "-o", "json", cri.sandboxId], { timeoutMs: c.timeoutMs, maxOutputBytes: 4 * 1024 * 1024 });
  const sandbox = r.exitCode === 0 ? parseCrictlInspectp(r.stdout) : null;
  evidence.sandbox = sandbox ? { id: cri.sandboxId, ...sandbox } : { id: cri.sandboxId, error: cap(r.stderr, 200) };
  if (!sandbox?.handler) return done(false, `The runtime handler of pod/${pod.name} could not be read.`);
  // The Pod sandbox's (pause) task bundle is written by the shim's own start
  // on every containerd version; an app container's may be empty (containerd
  // 2.0.x starts it inside the sandbox's shim), which reads as "unknown".
  const [pauseBundle, appBundle] = await Promise.all([readTaskBundle(ctx.view, "k8s.io", cri.sandboxId), readTaskBundle(ctx.view, "k8s.io", id)]);
  const fromPause = pauseBundle ? handlerFromBundle(pauseBundle).handler : "unknown";
  const fromApp = appBundle ? handlerFromBundle(appBundle).handler : "unknown";
  evidence.handlerFromSandboxBundle = fromPause;
  evidence.handlerFromBundle = fromApp;
  const fromBundle = fromPause !== "unknown" ? fromPause : fromApp;
  if (fromBundle !== "unknown" && fromBundle !== sandbox.handler) {
    return done(false, `pod/${pod.name}'s CRI handler (${sandbox.handler}) and its sandbox's shim (${fromBundle}) disagree, so it is not counted as ${c.handler}.`);
  }
  return sandbox.handler === c.handler ? done(true, `pod/${pod.name} runs under the ${c.handler} handler.`) : done(false, `pod/${pod.name} runs under ${sandbox.handler}, not ${c.handler}.`);
}

export const runtimeCheckType = defineCheckType({
  type: "runtime",
  schema,
  refine: (c, need) => need((c.container === undefined) !== (c.pod === undefined), "a runtime check needs exactly one of container or pod"),
  evaluate,
  docs: "A nested container (or a Pod's container) runs under the CRI runtime handler runc or runsc, judged by the executable that runs, never by names the learner can change.",
});
