import { z } from "zod";
import { CGROUP_RESOURCES, compare, controllerOf, filesFor, normalise } from "../cgroup";
import type { CheckContext, Outcome } from "./common";
import { containerCgroup } from "./container-cgroup";
import { defineCheckType } from "./define";
import { commonFields, containerdNamespace, containerId } from "./schema-fields";

const limit = z.union([z.number().nonnegative(), z.literal("max")]);

/** `cgroup`: a resource of a nested container's cgroup, normalised across v1/v2. */
const schema = z.strictObject({
  type: z.literal("cgroup"),
  container: containerId,
  namespace: containerdNamespace.default("k8s.io"),
  resource: z.enum(CGROUP_RESOURCES),
  /** A number (bytes, pids; CPUs for cpu.max), "max", or for cpu.max the kernel's "quota period" text. */
  equals: z.union([limit, z.string().regex(/^(max|\d+)\s+\d+$/, 'must be "max", a number, or "<quota> <period>"')]).optional(),
  atLeast: limit.optional(),
  atMost: limit.optional(),
  ...commonFields,
});

async function evaluate(c: z.output<typeof schema>, ctx: CheckContext): Promise<Outcome> {
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
  const wanted = [c.equals !== undefined ? `equal to ${c.equals}` : null, c.atLeast !== undefined ? `at least ${c.atLeast}` : null, c.atMost !== undefined ? `at most ${c.atMost}` : null]
    .filter(Boolean)
    .join(" and ");
  return {
    passed: ok,
    message: ok ? `${c.resource} of ${c.container} is ${shown}.` : `${c.resource} of ${c.container} is ${shown}, not ${wanted}.`,
    evidence,
    tamperResistant: view.tamperResistant,
  };
}

export const cgroupCheckType = defineCheckType({
  type: "cgroup",
  schema,
  refine: (c, need) => {
    need(c.equals !== undefined || c.atLeast !== undefined || c.atMost !== undefined, "a cgroup check needs equals, atLeast or atMost");
    need(c.equals === undefined || (c.atLeast === undefined && c.atMost === undefined), "equals cannot be combined with atLeast/atMost");
    need(typeof c.equals !== "string" || c.equals === "max" || c.resource === "cpu.max", 'only cpu.max takes a "<quota> <period>" value');
  },
  evaluate,
  docs: "A resource of a nested container's cgroup (memory.max, memory.high, memory.current, pids.max, cpu.max), normalised across cgroup v1 and v2, equals a value or lies between atLeast and atMost.",
});
