/**
 * Check definitions as instructors write them in lab frontmatter: a zod
 * discriminated union on `type`, strict (a misspelt field is an error, not a
 * silently ignored option), with parameters validated up front so a broken
 * regex or an impossible comparison is reported when the lab is loaded, not
 * when a learner is waiting for a green tick.
 */
import { z } from "zod";
import { CGROUP_RESOURCES } from "./cgroup";
import { normaliseCapabilityName } from "./capabilities";

/** Default time one attempt of a check may take (Educates' default). */
export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;

/** A regular expression given as a string; compiled once here so bad ones fail validation. */
const regex = z.string().min(1).refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: "must be a valid regular expression" },
);

/** Name of a containerd container (its id), as `ctr run ... <id>` takes it. */
const containerId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "must be a containerd container id");
const containerdNamespace = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,75}$/, "must be a containerd namespace");

const k8sName = z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a Kubernetes object name");

/** A container of a Pod (cluster sandboxes): read through kubectl and crictl in the node. */
const podSelector = z.strictObject({
  name: k8sName,
  namespace: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "must be a Kubernetes namespace").default("default"),
  /** Container name; default the Pod's first container. */
  container: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "must be a container name").optional(),
});

/** Fields every check has. */
const common = {
  /** Shown to instructors; the learner sees the evaluator's message. */
  description: z.string().optional(),
  /** Time one attempt may take, in ms. */
  timeoutMs: z.number().int().min(100).max(300_000).default(DEFAULT_CHECK_TIMEOUT_MS),
  /** Extra attempts after a failing one (state that settles, e.g. a container still starting). */
  retries: z.number().int().min(0).max(10).default(0),
};

const limit = z.union([z.number().nonnegative(), z.literal("max")]);

/** `script`: `sh -c run` in the node; exit 0 passes; stdout is the learner's feedback. */
export const scriptCheck = z.strictObject({ type: z.literal("script"), run: z.string().min(1), ...common });

/** `file`: a path in the node exists (default), or not, and optionally has some content. */
export const fileCheck = z.strictObject({
  type: z.literal("file"),
  path: z.string().startsWith("/", "must be an absolute path"),
  exists: z.boolean().default(true),
  contains: z.string().optional(),
  matches: regex.optional(),
  ...common,
});

/** A field path: keys joined by dots, with [n] for list items. */
const FIELD_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+|\[\d+\])*$/;

/** One field condition of a `structured` check. */
const fieldCondition = z
  .strictObject({
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    matches: regex.optional(),
    exists: z.boolean().optional(),
  })
  .refine((c) => [c.equals, c.matches, c.exists].filter((x) => x !== undefined).length === 1, "a field needs exactly one of equals, matches or exists");

/**
 * `structured`: a YAML (every document) or JSON file the learner wrote, parsed;
 * some document must have every field as asked. Spelling, quoting and key
 * order do not matter, only what the file says.
 */
export const structuredCheck = z.strictObject({
  type: z.literal("structured"),
  path: z.string().startsWith("/", "must be an absolute path"),
  /** Default: json for *.json, else yaml. */
  format: z.enum(["yaml", "json"]).optional(),
  /** Field path ("metadata.name", "spec.containers[0].image") -> condition. */
  fields: z
    .record(z.string().regex(FIELD_PATH, "must be a field path such as metadata.name or spec.containers[0].image"), fieldCondition)
    .refine((f) => Object.keys(f).length > 0, "name at least one field"),
  /** The document is a Kubernetes object: apiVersion and kind must be a pair Kubernetes knows. */
  kubernetes: z.boolean().default(false),
  ...common,
});

/** `command`: runs `sh -c run` in the node and compares its output and exit code. */
export const commandCheck = z.strictObject({
  type: z.literal("command"),
  run: z.string().min(1),
  matches: regex.optional(),
  equals: z.string().optional(),
  exitCode: z.number().int().min(0).max(255).optional(),
  ...common,
});

/** `cgroup`: a resource of a nested container's cgroup, normalised across v1/v2. */
export const cgroupCheck = z.strictObject({
  type: z.literal("cgroup"),
  container: containerId,
  namespace: containerdNamespace.default("k8s.io"),
  resource: z.enum(CGROUP_RESOURCES),
  /** A number (bytes, pids; CPUs for cpu.max), "max", or for cpu.max the kernel's "quota period" text. */
  equals: z.union([limit, z.string().regex(/^(max|\d+)\s+\d+$/, 'must be "max", a number, or "<quota> <period>"')]).optional(),
  atLeast: limit.optional(),
  atMost: limit.optional(),
  ...common,
});

/** `oomKilled`: the kernel's OOM killer killed a container (by name) or something in a cgroup (by path). */
export const oomKilledCheck = z.strictObject({
  type: z.literal("oomKilled"),
  container: containerId.optional(),
  namespace: containerdNamespace.default("k8s.io"),
  /** cgroup path as the node sees it, relative to its cgroup root, e.g. "/k8s.io/c1". */
  cgroup: z.string().regex(/^\/[A-Za-z0-9_.:@/-]*$/, "must be an absolute cgroup path without ..").refine((p) => !p.split("/").includes(".."), "must not contain ..").optional(),
  /** Cluster sandboxes: a Pod's container, judged on the kubelet's, the CRI's and the kernel's signals. */
  pod: podSelector.optional(),
  ...common,
});

/** `runtime`: a container runs under this CRI runtime handler. */
export const runtimeCheck = z.strictObject({
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
  ...common,
});

/** Namespace kinds as named by /proc/<pid>/ns/. */
export const NAMESPACE_KINDS = ["pid", "net", "mnt", "uts", "ipc", "user", "cgroup"] as const;

/** `namespace`: a process has its own namespace of a kind, or shares it with another process. */
export const namespaceCheck = z.strictObject({
  type: z.literal("namespace"),
  process: regex,
  kind: z.enum(NAMESPACE_KINDS),
  own: z.literal(true).optional(),
  sharesWith: regex.optional(),
  /** With `kind: pid` and `own: true`: the process is PID 1 of its own pid namespace (its init). */
  pid1: z.literal(true).optional(),
  ...common,
});

const capabilityName = z.string().transform((s, ctx) => {
  const n = normaliseCapabilityName(s);
  if (!n) {
    ctx.addIssue({ code: "custom", message: `unknown capability ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return n;
});

/** `capability`: the effective capabilities of a process include / exclude some. */
export const capabilityCheck = z.strictObject({
  type: z.literal("capability"),
  process: regex,
  includes: z.array(capabilityName).min(1).optional(),
  excludes: z.array(capabilityName).min(1).optional(),
  ...common,
});

/** `seccomp`: the seccomp mode of a process (0 disabled, 1 strict, 2 filter). */
export const seccompCheck = z.strictObject({
  type: z.literal("seccomp"),
  process: regex,
  mode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  ...common,
});

/** `kubectl`: a jsonpath of a Kubernetes object (cluster sandboxes only). */
export const kubectlCheck = z.strictObject({
  type: z.literal("kubectl"),
  resource: z.string().regex(/^[a-z0-9][a-z0-9.-]*(\/[a-z0-9.-]+)?$/, "must be a resource type such as pods or deployments.apps"),
  name: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a Kubernetes object name"),
  namespace: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/).optional(),
  jsonpath: z.string().min(1),
  equals: z.string().optional(),
  matches: regex.optional(),
  ...common,
});

/** Every check type, in the order documentation lists them. */
export const CHECK_TYPES = ["script", "file", "structured", "command", "cgroup", "oomKilled", "runtime", "namespace", "capability", "seccomp", "kubectl"] as const;

/** Any check definition, after validation and defaults. */
export const checkSchema = z
  .discriminatedUnion("type", [
    scriptCheck,
    fileCheck,
    structuredCheck,
    commandCheck,
    cgroupCheck,
    oomKilledCheck,
    runtimeCheck,
    namespaceCheck,
    capabilityCheck,
    seccompCheck,
    kubectlCheck,
  ])
  .superRefine((c, ctx) => {
    const need = (ok: boolean, message: string) => {
      if (!ok) ctx.addIssue({ code: "custom", message, path: [] });
    };
    switch (c.type) {
      case "cgroup":
        need(c.equals !== undefined || c.atLeast !== undefined || c.atMost !== undefined, "a cgroup check needs equals, atLeast or atMost");
        need(c.equals === undefined || (c.atLeast === undefined && c.atMost === undefined), "equals cannot be combined with atLeast/atMost");
        need(typeof c.equals !== "string" || c.equals === "max" || c.resource === "cpu.max", 'only cpu.max takes a "<quota> <period>" value');
        break;
      case "oomKilled":
        need([c.container, c.cgroup, c.pod].filter((x) => x !== undefined).length === 1, "an oomKilled check needs exactly one of container, cgroup or pod");
        break;
      case "runtime":
        need((c.container === undefined) !== (c.pod === undefined), "a runtime check needs exactly one of container or pod");
        break;
      case "namespace":
        need((c.own === true) !== (c.sharesWith !== undefined), "a namespace check needs exactly one of own: true or sharesWith");
        need(!c.pid1 || (c.kind === "pid" && c.own === true), "pid1: true needs kind: pid and own: true");
        break;
      case "capability":
        need(c.includes !== undefined || c.excludes !== undefined, "a capability check needs includes or excludes");
        break;
      case "kubectl":
        need((c.equals === undefined) !== (c.matches === undefined), "a kubectl check needs exactly one of equals or matches");
        break;
      case "command":
        need(c.matches !== undefined || c.equals !== undefined || c.exitCode !== undefined, "a command check needs matches, equals or exitCode");
        break;
      default:
        break;
    }
  });

/** A validated check (defaults applied). */
export type Check = z.output<typeof checkSchema>;
/** A check as written in frontmatter (defaults optional). */
export type CheckInput = z.input<typeof checkSchema>;
/** The check types. */
export type CheckType = Check["type"];
/** One namespace kind. */
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];

/**
 * Validates one check definition, reporting every problem at once as
 * "path: message" lines (for the lab parser to prefix with file and line).
 */
export function parseCheck(input: unknown): { ok: true; check: Check } | { ok: false; errors: string[] } {
  const r = checkSchema.safeParse(input);
  if (r.success) return { ok: true, check: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(check)"}: ${i.message}`) };
}
