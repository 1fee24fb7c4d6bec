/**
 * Evaluates one check against a sandbox. Every outcome is a plain result
 * object (never a thrown error): a check that cannot read what it needs fails
 * with a sentence saying so, because a learner waiting for a green tick must
 * see "your node is not running", not a stack trace.
 */
import type { SandboxProvider } from "../sandbox/provider";
import type { Check } from "./schema";
import type { HostView, NodeProcess } from "./host-view";
import { compare, controllerOf, filesFor, normalise, parseMemoryEvents, parseOomControl, cgroupPathFromOci, type OomCounters } from "./cgroup";
import { decodeCapabilities } from "./capabilities";
import { handlerFromBundle, readCriStatus, readTaskBundle } from "./containerd";
import { fieldAt, KNOWN_KUBERNETES_KINDS, parseDocuments, parseFieldPath } from "./structured";
import { containerIds, kubectlGetPodArgv, kubeletOomSignals, parseCrictlInspect, parseCrictlInspectp, parsePod, pickContainer, type PodContainer, type PodSelector } from "./cluster";

/** What an evaluator needs. */
export interface CheckContext {
  provider: SandboxProvider;
  sandboxId: string;
  /** Where kernel/runtime state is read from (see host-view.ts). */
  view: HostView;
  /** Pause between attempts when `retries` > 0; default 1000 ms. */
  retryDelayMs?: number;
}

/** Outcome of one check. */
export interface CheckResult {
  passed: boolean;
  /** One sentence for the learner. */
  message: string;
  /** What was seen, for instructors and the API. */
  evidence: Record<string, unknown>;
  durationMs: number;
  /** True when the learner could not have faked the evidence by replacing binaries in the node. */
  tamperResistant: boolean;
}

/** What one evaluator returns; evaluateCheck adds timing. */
type Outcome = Omit<CheckResult, "durationMs">;

/** Feedback from scripts is cut to this many characters. */
export const MAX_FEEDBACK_CHARS = 2000;
/** Processes listed in evidence at most. */
const MAX_LISTED = 10;

/**
 * Evaluates `check`, retrying up to `check.retries` times while it fails, each
 * attempt bounded by `check.timeoutMs`.
 */
export async function evaluateCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const started = performance.now();
  let out = await attemptOnce(check, ctx);
  let attempts = 1;
  while (!out.passed && attempts <= check.retries) {
    await sleep(ctx.retryDelayMs ?? 1000);
    out = await attemptOnce(check, ctx);
    attempts++;
  }
  if (check.retries > 0) out.evidence.attempts = attempts;
  return { ...out, durationMs: Math.round(performance.now() - started) };
}

async function attemptOnce(check: Check, ctx: CheckContext): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          passed: false,
          message: `The check did not finish within ${check.timeoutMs >= 1000 ? `${Math.round(check.timeoutMs / 1000)} seconds` : `${check.timeoutMs} ms`}.`,
          evidence: { timedOut: true, timeoutMs: check.timeoutMs },
          tamperResistant: false,
        }),
      check.timeoutMs,
    );
  });
  try {
    return await Promise.race([run(check, ctx).catch((err: unknown) => broken(err, ctx)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A sandbox or engine failure, as a failed result. */
function broken(err: unknown, ctx: CheckContext): Outcome {
  const e = err as { message?: string; code?: string; detail?: string };
  const message =
    e?.code === "NOT_FOUND"
      ? "Your sandbox no longer exists, so this could not be checked."
      : e?.code === "EXEC_FAILED" || e?.code === "DOCKER_UNREACHABLE"
        ? "Your node is not reachable right now, so this could not be checked."
        : "This could not be checked because the sandbox did not answer as expected.";
  return {
    passed: false,
    message,
    evidence: { error: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}), ...(e?.detail ? { detail: e.detail } : {}), view: ctx.view.source },
    tamperResistant: false,
  };
}

function run(check: Check, ctx: CheckContext): Promise<Outcome> {
  switch (check.type) {
    case "script":
      return scriptCheck(check, ctx);
    case "file":
      return fileCheck(check, ctx);
    case "structured":
      return structuredCheck(check, ctx);
    case "command":
      return commandCheck(check, ctx);
    case "cgroup":
      return cgroupCheck(check, ctx);
    case "oomKilled":
      return oomKilledCheck(check, ctx);
    case "runtime":
      return runtimeCheck(check, ctx);
    case "namespace":
      return namespaceCheck(check, ctx);
    case "capability":
      return capabilityCheck(check, ctx);
    case "seccomp":
      return seccompCheck(check, ctx);
    case "kubectl":
      return kubectlCheck(check, ctx);
  }
}

type CheckOf<T extends Check["type"]> = Extract<Check, { type: T }>;

function sh(ctx: CheckContext, script: string, timeoutMs: number) {
  return ctx.provider.exec(ctx.sandboxId, ["/bin/sh", "-c", script], { timeoutMs, maxOutputBytes: 64 * 1024 });
}

function cap(text: string, max = MAX_FEEDBACK_CHARS): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

async function scriptCheck(c: CheckOf<"script">, ctx: CheckContext): Promise<Outcome> {
  const r = await sh(ctx, c.run, c.timeoutMs);
  const feedback = cap(r.stdout);
  const passed = r.exitCode === 0;
  return {
    passed,
    message: feedback || (passed ? "Done." : r.timedOut ? "The check script ran out of time." : "Not yet."),
    evidence: { exitCode: r.exitCode, timedOut: r.timedOut, stderr: cap(r.stderr, 500) },
    tamperResistant: false,
  };
}

async function commandCheck(c: CheckOf<"command">, ctx: CheckContext): Promise<Outcome> {
  const r = await sh(ctx, c.run, c.timeoutMs);
  const out = r.stdout.trim();
  const fails: string[] = [];
  if (c.exitCode !== undefined && r.exitCode !== c.exitCode) fails.push(`it exited with ${r.exitCode ?? "no code"} instead of ${c.exitCode}`);
  if (c.equals !== undefined && out !== c.equals.trim()) fails.push(`its output is not ${JSON.stringify(c.equals.trim())}`);
  if (c.matches !== undefined && !new RegExp(c.matches, "m").test(r.stdout)) fails.push(`its output does not match /${c.matches}/`);
  return {
    passed: fails.length === 0,
    message: fails.length === 0 ? `\`${c.run}\` gives what was expected.` : `\`${c.run}\`: ${fails.join("; ")}.`,
    evidence: { exitCode: r.exitCode, stdout: cap(r.stdout, 1000), timedOut: r.timedOut },
    tamperResistant: false,
  };
}

async function fileCheck(c: CheckOf<"file">, ctx: CheckContext): Promise<Outcome> {
  const text = await ctx.view.readNodeFile(c.path);
  const exists = text !== null;
  const evidence: Record<string, unknown> = { exists, view: ctx.view.source };
  // The file is the learner's own state; what the view protects against is a
  // faked `cat`/`test`, not the content.
  const base = { evidence, tamperResistant: ctx.view.tamperResistant };
  if (!c.exists) return { ...base, passed: !exists, message: exists ? `${c.path} still exists.` : `${c.path} is gone.` };
  if (!exists) return { ...base, passed: false, message: `${c.path} does not exist yet.` };
  if (c.contains !== undefined && !text.includes(c.contains)) return { ...base, passed: false, message: `${c.path} does not contain ${JSON.stringify(c.contains)} yet.` };
  if (c.matches !== undefined && !new RegExp(c.matches, "m").test(text)) return { ...base, passed: false, message: `${c.path} does not match /${c.matches}/ yet.` };
  return { ...base, passed: true, message: `${c.path} is as expected.` };
}

/** What is wrong with one document for a structured check, or [] when it fits. */
function documentMismatches(doc: unknown, c: CheckOf<"structured">): string[] {
  const out: string[] = [];
  if (c.kubernetes) {
    const kind = fieldAt(doc, ["kind"]);
    const apiVersion = fieldAt(doc, ["apiVersion"]);
    const want = typeof kind === "string" ? KNOWN_KUBERNETES_KINDS[kind] : undefined;
    if (want === undefined) out.push(`kind ${JSON.stringify(kind ?? null)} is not a kind this check knows (${Object.keys(KNOWN_KUBERNETES_KINDS).join(", ")})`);
    else if (apiVersion !== want) out.push(`a ${kind} has apiVersion ${want}, not ${JSON.stringify(apiVersion ?? null)}`);
  }
  for (const [path, cond] of Object.entries(c.fields)) {
    const v = fieldAt(doc, parseFieldPath(path));
    const shown = v === undefined ? "missing" : cap(JSON.stringify(v), 80);
    if (cond.exists !== undefined) {
      if ((v !== undefined) !== cond.exists) out.push(cond.exists ? `${path} is missing` : `${path} should not be there`);
    } else if (cond.equals !== undefined) {
      if (v !== cond.equals) out.push(`${path} is ${shown}, not ${JSON.stringify(cond.equals)}`);
    } else if (cond.matches !== undefined) {
      if (v === undefined || v === null || typeof v === "object" || !new RegExp(cond.matches).test(String(v))) out.push(`${path} is ${shown}, which does not match /${cond.matches}/`);
    }
  }
  return out;
}

/**
 * A data file the learner wrote, parsed (every YAML document, or JSON): it
 * passes when one document has every field as asked. Messages name fields
 * and the values found (parsed values, never the raw file).
 */
async function structuredCheck(c: CheckOf<"structured">, ctx: CheckContext): Promise<Outcome> {
  const text = await ctx.view.readNodeFile(c.path, 256 * 1024);
  const evidence: Record<string, unknown> = { view: ctx.view.source, path: c.path };
  const done = (passed: boolean, message: string): Outcome => ({ passed, message, evidence, tamperResistant: ctx.view.tamperResistant });
  if (text === null) return done(false, `${c.path} does not exist yet.`);
  const format = c.format ?? (c.path.endsWith(".json") ? "json" : "yaml");
  let docs: unknown[];
  try {
    docs = parseDocuments(text, format);
  } catch (err) {
    return done(false, `${c.path} is not valid ${format.toUpperCase()}: ${cap((err as Error).message, 160)}`);
  }
  evidence.documents = docs.length;
  if (docs.length === 0) return done(false, `${c.path} holds no ${format.toUpperCase()} document.`);
  const mismatches = docs.map((d) => documentMismatches(d, c));
  const fits = mismatches.findIndex((m) => m.length === 0);
  if (fits >= 0) {
    evidence.document = fits;
    return done(true, `${c.path} says what it should.`);
  }
  // The document closest to right tells the learner what to fix.
  const closest = mismatches.reduce((a, b) => (b.length < a.length ? b : a));
  evidence.mismatches = closest.slice(0, 5);
  return done(false, `${c.path}: ${closest.slice(0, 3).join("; ")}.`);
}

/** The cgroup path (relative to the node's cgroup root) of a nested container, from its OCI spec. */
async function containerCgroup(view: HostView, namespace: string, id: string): Promise<{ rel: string | null; evidence: Record<string, unknown> }> {
  const bundle = await readTaskBundle(view, namespace, id);
  if (!bundle) return { rel: null, evidence: { task: "none" } };
  return { rel: bundle.cgroupsPath === null ? null : cgroupPathFromOci(bundle.cgroupsPath), evidence: { task: bundle.dir, cgroupsPath: bundle.cgroupsPath } };
}

async function cgroupCheck(c: CheckOf<"cgroup">, ctx: CheckContext): Promise<Outcome> {
  const { view } = ctx;
  const version = await view.cgroupVersion();
  const evidence: Record<string, unknown> = { cgroupVersion: version, view: view.source, resource: c.resource };
  const fail = (message: string): Outcome => ({ passed: false, message, evidence, tamperResistant: view.tamperResistant });
  const which = filesFor(c.resource, version);
  if ("unavailable" in which) return fail(which.unavailable);
  const where = await containerCgroup(view, c.namespace, c.container);
  Object.assign(evidence, where.evidence);
  if (where.rel === null) return fail(`Container ${c.container} has no running or stopped task in namespace ${c.namespace}.`);
  const controller = controllerOf(c.resource);
  const contents = await Promise.all(which.files.map((f) => view.readCgroupFile(controller, where.rel!, f)));
  evidence.cgroup = where.rel;
  evidence.files = Object.fromEntries(which.files.map((f, i) => [f, contents[i]?.trim() ?? null]));
  if (contents.some((t) => t === null)) return fail(`The cgroup of container ${c.container} (${where.rel}) has no ${which.files.join("/")}; it may have ended.`);
  const value = normalise(c.resource, version, contents as string[]);
  const { ok, shown } = compare(value, c);
  evidence.value = shown;
  const wanted = [
    c.equals !== undefined ? `equal to ${c.equals}` : null,
    c.atLeast !== undefined ? `at least ${c.atLeast}` : null,
    c.atMost !== undefined ? `at most ${c.atMost}` : null,
  ].filter(Boolean).join(" and ");
  return {
    passed: ok,
    message: ok ? `${c.resource} of ${c.container} is ${shown}.` : `${c.resource} of ${c.container} is ${shown}, not ${wanted}.`,
    evidence,
    tamperResistant: view.tamperResistant,
  };
}

async function readOomCounters(view: HostView, rel: string): Promise<OomCounters | null> {
  if ((await view.cgroupVersion()) === 2) {
    const t = await view.readCgroupFile("memory", rel, "memory.events");
    return t === null ? null : parseMemoryEvents(t);
  }
  const t = await view.readCgroupFile("memory", rel, "memory.oom_control");
  return t === null ? null : parseOomControl(t);
}

/**
 * OOM is judged on several signals because each can be missing: containerd
 * may report "Error" instead of OOMKilled under the systemd driver, a
 * foreground `ctr run` deletes the task and its cgroup as soon as it exits,
 * and the kernel log is a ring buffer. Any one positive signal passes.
 *
 * Ownership: for a container the cgroup is the one its task recorded
 * (config.json's cgroupsPath), or, for a CRI container whose task is gone,
 * the CRI's layout for its id. A directory that merely has the container's
 * name (a hand-made /k8s.io/<name>) is never read. Exit status 137 alone
 * is SIGKILL, not proof of an OOM kill: it is reported as supporting only.
 */
async function oomKilledCheck(c: CheckOf<"oomKilled">, ctx: CheckContext): Promise<Outcome> {
  if (c.pod) return podOomKilledCheck(c, c.pod, ctx);
  const { view } = ctx;
  const version = await view.cgroupVersion();
  const signals: string[] = [];
  const supporting: string[] = [];
  const evidence: Record<string, unknown> = { cgroupVersion: version, view: view.source };
  let rel: string | null = c.cgroup ?? null;
  const name = c.container ?? c.cgroup!;

  if (c.container) {
    const where = await containerCgroup(view, c.namespace, c.container);
    Object.assign(evidence, where.evidence);
    rel = where.rel;
    const cri = await readCriStatus(view, c.container);
    if (cri) {
      evidence.cri = cri;
      if (cri.reason === "OOMKilled") signals.push("CRI reason OOMKilled");
      if (cri.exitCode === 137) supporting.push("exit status 137 (SIGKILL; not proof of an OOM kill by itself)");
      // The CRI knows this container: its cgroupfs layout is /<ns>/<id> once the task is gone.
      if (rel === null) {
        rel = `/${c.namespace}/${c.container}`;
        evidence.cgroupFrom = "the CRI's layout (its status file is in the node, so this is not tamper-resistant)";
      }
    }
    if (rel === null) evidence.ownership = "no task or CRI record for this container: a cgroup of the same name is not evidence";
  }
  if (rel) {
    evidence.cgroup = rel;
    const own = await readOomCounters(view, rel);
    if (own) {
      evidence.oomKillCounter = own.oomKill;
      if ((own.oomKill ?? 0) > 0) signals.push(`oom_kill counter ${own.oomKill} in ${rel}`);
      if ((own.oomGroupKill ?? 0) > 0) signals.push(`oom_group_kill counter ${own.oomGroupKill} in ${rel}`);
    } else {
      evidence.cgroupGone = true;
      const parent = rel.replace(/\/[^/]+\/?$/, "") || "/";
      if (version === 2) {
        // v2 memory.events counts kills in the whole subtree, so the parent keeps a
        // record after the container's cgroup is removed (it cannot say which child).
        const p = await readOomCounters(view, parent);
        evidence.parentOomKillCounter = p?.oomKill ?? null;
        if ((p?.oomKill ?? 0) > 0) signals.push(`oom_kill counter ${p!.oomKill} in parent ${parent}`);
      } else {
        evidence.parentOomKillCounter = "not hierarchical on cgroup v1";
      }
    }
    const kills = await view.kernelOomKills();
    if (kills === null) evidence.kernelLog = "not readable from here";
    else {
      const mine = kills.filter((k) => k.taskMemcg === rel);
      evidence.kernelLog = mine.slice(-MAX_LISTED);
      if (mine.length > 0) signals.push(`kernel log: oom-kill of ${mine.at(-1)!.task} in ${rel}`);
    }
  }
  evidence.signals = signals;
  evidence.supporting = supporting;
  // Kernel counters and the kernel log are out of the learner's reach; the
  // CRI status file (and a cgroup chosen because of it) is not.
  const kernelBacked = signals.some((s) => s !== "CRI reason OOMKilled") && evidence.cgroupFrom === undefined;
  return {
    passed: signals.length > 0,
    message:
      signals.length > 0
        ? `${name} was killed by the OOM killer (${signals.join("; ")}).`
        : c.container && rel === null
          ? `Container ${c.container} has no task in namespace ${c.namespace}; run it with ctr (or the CRI) so its OOM kill can be told apart.`
          : `No sign that the OOM killer killed ${name} yet${supporting.length ? " (it was killed with SIGKILL, but nothing says the OOM killer did it)" : ""}.`,
    evidence,
    tamperResistant: view.tamperResistant && (signals.length === 0 || kernelBacked),
  };
}

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
async function runtimeCheck(c: CheckOf<"runtime">, ctx: CheckContext): Promise<Outcome> {
  if (c.pod) return podRuntimeCheck(c, c.pod, ctx);
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

/** A cluster check's Pod container, read with kubectl in the node; or a failed outcome saying why not. */
async function podContainer(pod: PodSelector, ctx: CheckContext, timeoutMs: number, evidence: Record<string, unknown>): Promise<{ c: PodContainer; runtimeClassName: string | null } | Outcome> {
  const fail = (message: string): Outcome => ({ passed: false, message, evidence, tamperResistant: false });
  if (ctx.provider.environment !== "cluster") return fail("This check needs a Kubernetes cluster sandbox.");
  const r = await ctx.provider.exec(ctx.sandboxId, kubectlGetPodArgv(pod), { timeoutMs, maxOutputBytes: 1024 * 1024 });
  if (r.exitCode !== 0) return fail(`pod/${pod.name} in ${pod.namespace} could not be read (${cap(r.stderr, 160) || `exit ${r.exitCode}`}).`);
  const facts = parsePod(r.stdout);
  evidence.phase = facts.phase;
  const c = pickContainer(facts, pod.container);
  if (!c) return fail(`pod/${pod.name} has no ${pod.container ? `container ${pod.container}` : "container"} status yet.`);
  return { c, runtimeClassName: facts.runtimeClassName };
}

/** `crictl inspect <id>` in the node, parsed; null when crictl cannot say. */
async function crictlInspect(ctx: CheckContext, id: string, timeoutMs: number) {
  const r = await ctx.provider.exec(ctx.sandboxId, ["crictl", "inspect", "-o", "json", id], { timeoutMs, maxOutputBytes: 4 * 1024 * 1024 });
  if (r.exitCode !== 0) return null;
  try {
    return parseCrictlInspect(r.stdout);
  } catch {
    return null;
  }
}

/**
 * OOM of a Pod's container, judged on every signal there is: the kubelet's
 * report (reason OOMKilled, or exit code 137 in the current or last
 * terminated state: under the systemd cgroup driver containerd may say
 * "Error"), the CRI's status via crictl, and for each containerd id the
 * node-level signals of the container check (CRI status file, cgroup
 * oom_kill counter, kernel log). Any one passes. Everything is read in the
 * node, so none of it is tamper-resistant.
 */
async function podOomKilledCheck(c: CheckOf<"oomKilled">, pod: PodSelector, ctx: CheckContext): Promise<Outcome> {
  const evidence: Record<string, unknown> = { pod: `${pod.namespace}/${pod.name}`, view: ctx.view.source };
  const found = await podContainer(pod, ctx, c.timeoutMs, evidence);
  if ("passed" in found) return found;
  const { signals, supporting } = kubeletOomSignals(found.c);
  const perContainer: Record<string, unknown> = {};
  for (const id of containerIds(found.c).slice(0, 2)) {
    const cri = await crictlInspect(ctx, id, c.timeoutMs);
    if (cri?.reason === "OOMKilled") signals.push(`crictl: ${id.slice(0, 12)} reason OOMKilled`);
    if (cri?.exitCode === 137) supporting.push(`crictl: ${id.slice(0, 12)} exit code 137`);
    const node = await oomKilledCheck({ ...c, pod: undefined, cgroup: undefined, container: id, namespace: "k8s.io" }, ctx);
    signals.push(...((node.evidence.signals as string[] | undefined) ?? []).map((s) => `${id.slice(0, 12)}: ${s}`));
    perContainer[id] = { crictl: cri, node: node.evidence };
  }
  Object.assign(evidence, { containerName: found.c.name, restartCount: found.c.restartCount, containers: perContainer, signals: [...new Set(signals)], supporting: [...new Set(supporting)] });
  const name = `pod/${pod.name}${pod.container ? ` (${pod.container})` : ""}`;
  return {
    passed: signals.length > 0,
    message:
      signals.length > 0
        ? `${name} was killed by the OOM killer (${[...new Set(signals)].join("; ")}).`
        : `No sign that the OOM killer killed ${name} yet${supporting.length ? " (it was killed with SIGKILL, exit 137, but nothing says the OOM killer did it)" : ""}.`,
    evidence,
    tamperResistant: false,
  };
}

/**
 * The runtime handler of a Pod: its sandbox's handler as the CRI reports it
 * (`crictl inspect` -> sandbox id -> `crictl inspectp`), cross-checked with
 * the container's task bundle (the runsc shim's binary path) when readable.
 */
async function podRuntimeCheck(c: CheckOf<"runtime">, pod: PodSelector, ctx: CheckContext): Promise<Outcome> {
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
  return sandbox.handler === c.handler
    ? done(true, `pod/${pod.name} runs under the ${c.handler} handler.`)
    : done(false, `pod/${pod.name} runs under ${sandbox.handler}, not ${c.handler}.`);
}

function describe(p: NodeProcess) {
  return { pid: p.pid, ...(p.hostPid !== null ? { hostPid: p.hostPid } : {}), cmdline: cap(p.cmdline, 120) };
}

/** Processes whose command line matches; a failed result when there are none. */
async function matching(view: HostView, pattern: string): Promise<{ procs: NodeProcess[]; all: NodeProcess[] } | Outcome> {
  const all = await view.processes();
  const re = new RegExp(pattern);
  const procs = all.filter((p) => re.test(p.cmdline));
  if (procs.length > 0) return { procs, all };
  return {
    passed: false,
    message: `No process matching /${pattern}/ is running in your node.`,
    evidence: { view: view.source, processesSeen: all.length },
    tamperResistant: view.tamperResistant,
  };
}

async function namespaceCheck(c: CheckOf<"namespace">, ctx: CheckContext): Promise<Outcome> {
  const m = await matching(ctx.view, c.process);
  if ("passed" in m) return m;
  const init = m.all.find((p) => p.pid === 1);
  const nodeNs = init?.ns[c.kind];
  const listed = m.procs.slice(0, MAX_LISTED).map((p) => ({ ...describe(p), ns: p.ns[c.kind] ?? null }));
  const evidence: Record<string, unknown> = { view: ctx.view.source, kind: c.kind, nodeInit: nodeNs ?? null, processes: listed };
  const done = (passed: boolean, message: string): Outcome => ({ passed, message, evidence, tamperResistant: ctx.view.tamperResistant });
  if (c.own) {
    if (!nodeNs) return done(false, `The node's own ${c.kind} namespace could not be read.`);
    if (c.pid1) {
      // NSpid lists the pid in each nested pid namespace, innermost last: 1 there is that namespace's init.
      const init1 = m.procs.find((p) => p.ns.pid && p.ns.pid !== nodeNs && (p.status.NSpid ?? "").trim().split(/\s+/).at(-1) === "1");
      return init1
        ? done(true, `Process ${init1.pid} (${cap(init1.cmdline, 60)}) is PID 1 of its own pid namespace.`)
        : done(false, `No process matching /${c.process}/ is PID 1 of its own pid namespace.`);
    }
    const hit = m.procs.find((p) => p.ns[c.kind] && p.ns[c.kind] !== nodeNs);
    return hit
      ? done(true, `Process ${hit.pid} (${cap(hit.cmdline, 60)}) has its own ${c.kind} namespace.`)
      : done(false, `The process matching /${c.process}/ still shares the node's ${c.kind} namespace.`);
  }
  const re = new RegExp(c.sharesWith!);
  const others = m.all.filter((p) => re.test(p.cmdline));
  evidence.others = others.slice(0, MAX_LISTED).map((p) => ({ ...describe(p), ns: p.ns[c.kind] ?? null }));
  if (others.length === 0) return done(false, `No process matching /${c.sharesWith}/ is running in your node.`);
  for (const p of m.procs) {
    const q = others.find((o) => o.pid !== p.pid && o.ns[c.kind] && o.ns[c.kind] === p.ns[c.kind]);
    if (q) return done(true, `Processes ${p.pid} and ${q.pid} share a ${c.kind} namespace.`);
  }
  return done(false, `The processes do not share a ${c.kind} namespace.`);
}

async function capabilityCheck(c: CheckOf<"capability">, ctx: CheckContext): Promise<Outcome> {
  const m = await matching(ctx.view, c.process);
  if ("passed" in m) return m;
  const rows = m.procs.map((p) => ({ p, caps: p.status.CapEff ? decodeCapabilities(p.status.CapEff) : null }));
  const good = rows.find(
    ({ caps }) => caps !== null && (c.includes ?? []).every((n) => caps.includes(n)) && (c.excludes ?? []).every((n) => !caps.includes(n)),
  );
  const evidence = { view: ctx.view.source, processes: rows.slice(0, MAX_LISTED).map(({ p, caps }) => ({ ...describe(p), capEff: p.status.CapEff ?? null, effective: caps })) };
  const want = [c.includes?.length ? `with ${c.includes.join(", ")}` : "", c.excludes?.length ? `without ${c.excludes.join(", ")}` : ""].filter(Boolean).join(" and ");
  return {
    passed: !!good,
    message: good ? `Process ${good.p.pid} runs ${want}.` : `No process matching /${c.process}/ runs ${want} yet.`,
    evidence,
    tamperResistant: ctx.view.tamperResistant,
  };
}

const SECCOMP_MODES = ["disabled", "strict", "filter"] as const;

async function seccompCheck(c: CheckOf<"seccomp">, ctx: CheckContext): Promise<Outcome> {
  const m = await matching(ctx.view, c.process);
  if ("passed" in m) return m;
  const rows = m.procs.map((p) => ({ p, mode: p.status.Seccomp !== undefined ? Number(p.status.Seccomp) : null }));
  const good = rows.find((r) => r.mode === c.mode);
  return {
    passed: !!good,
    message: good
      ? `Process ${good.p.pid} runs with seccomp mode ${c.mode} (${SECCOMP_MODES[c.mode]}).`
      : `No process matching /${c.process}/ runs with seccomp mode ${c.mode} (${SECCOMP_MODES[c.mode]}); seen: ${[...new Set(rows.map((r) => r.mode))].join(", ")}.`,
    evidence: { view: ctx.view.source, processes: rows.slice(0, MAX_LISTED).map(({ p, mode }) => ({ ...describe(p), seccomp: mode })) },
    tamperResistant: ctx.view.tamperResistant,
  };
}

/** The kubectl argv of a kubectl check (no shell: names and jsonpath are passed as they are). */
export function kubectlArgv(c: Pick<CheckOf<"kubectl">, "resource" | "name" | "namespace" | "jsonpath">): string[] {
  return ["kubectl", "get", c.resource, c.name, ...(c.namespace ? ["--namespace", c.namespace] : []), "-o", `jsonpath=${c.jsonpath}`];
}

/** Compares kubectl's jsonpath output with a kubectl check's expectation. */
export function compareKubectlOutput(c: Pick<CheckOf<"kubectl">, "equals" | "matches">, stdout: string): boolean {
  const out = stdout.trim();
  if (c.equals !== undefined) return out === c.equals.trim();
  return new RegExp(c.matches!).test(out);
}

async function kubectlCheck(c: CheckOf<"kubectl">, ctx: CheckContext): Promise<Outcome> {
  const evidence: Record<string, unknown> = { argv: kubectlArgv(c) };
  if (ctx.provider.environment !== "cluster") {
    return { passed: false, message: "This check needs a Kubernetes cluster sandbox.", evidence, tamperResistant: false };
  }
  const r = await ctx.provider.exec(ctx.sandboxId, kubectlArgv(c), { timeoutMs: c.timeoutMs, maxOutputBytes: 64 * 1024 });
  Object.assign(evidence, { exitCode: r.exitCode, stdout: cap(r.stdout, 1000), stderr: cap(r.stderr, 500) });
  const obj = `${c.resource}/${c.name}${c.namespace ? ` in ${c.namespace}` : ""}`;
  if (r.exitCode !== 0) return { passed: false, message: `${obj} could not be read (${cap(r.stderr, 160) || `exit ${r.exitCode}`}).`, evidence, tamperResistant: false };
  const passed = compareKubectlOutput(c, r.stdout);
  return {
    passed,
    message: passed ? `${obj} is as expected.` : `${obj}: ${c.jsonpath} is ${JSON.stringify(r.stdout.trim())}, not ${c.equals !== undefined ? JSON.stringify(c.equals) : `matching /${c.matches}/`}.`,
    evidence,
    // kubectl runs in the node, which the learner controls.
    tamperResistant: false,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
