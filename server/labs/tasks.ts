import { z } from "zod";
import { checkSchema } from "../checks/schema";
import { cgroupVariantsSchema } from "./cgroup-variants";

export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** One task of a lab, as declared in the frontmatter's `tasks:` list. */
export const taskSchema = z.strictObject(
  {
    id: z.string({ error: "each task needs an id" }).regex(TASK_ID_PATTERN, "task ids are lowercase words with dashes, e.g. run-a-container"),
    title: z.string({ error: "each task needs a title: what the learner must achieve" }).trim().min(3, "a task title must be at least 3 characters").max(160),
    // Typed checks (server/checks/schema.ts): parameters are validated when the
    // lab loads, so a typo fails `labs validate`, not a learner's green tick.
    checks: z.array(checkSchema, { error: "each task needs checks: a list of at least one check" }).min(1, "a task needs at least one check"),
    // Hints and solutions may differ by the node's cgroup version (cgroup-variants.ts).
    hints: z.array(cgroupVariantsSchema("a hint")).max(10).default([]),
    needs: z.array(z.string()).default([]),
    points: z.number().int().min(0).max(1000).default(10),
    solution: cgroupVariantsSchema("the solution", "each task needs a reference solution (shell run in the node) so `labs test` can prove it"),
    // Other legitimate ways: `labs test` replays each on a fresh node, so a
    // lab proves its checks accept more than its author's way.
    solutions: z.array(cgroupVariantsSchema("a solution")).max(10).default([]),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown task field(s): ${issue.keys.join(", ")}` : undefined) },
);

export type TaskDefinition = z.output<typeof taskSchema>;

/** A problem in the task list, located by its path in the frontmatter. */
export interface TaskGraphProblem {
  path: (string | number)[];
  message: string;
}

/**
 * A task as far as the graph checks need it. `undefined` stands for a task
 * the schema could not read (no string id): it keeps its place, so every
 * other task keeps its index for locating problems.
 */
export type TaskRef = { id: string; needs: readonly unknown[] } | undefined;

/**
 * The task list as the graph checks see it, read leniently from frontmatter
 * that may have failed the schema, so its cycles and duplicates are reported
 * in the same pass as the schema's problems. Null when `tasks` is there but
 * is not a list (nothing to check until the schema problem is fixed).
 */
export function taskRefs(data: unknown): TaskRef[] | null {
  const tasks = typeof data === "object" && data !== null ? (data as { tasks?: unknown }).tasks : undefined;
  if (tasks === undefined || tasks === null) return [];
  if (!Array.isArray(tasks)) return null;
  return tasks.map((t: unknown) => {
    const { id, needs } = (typeof t === "object" && t !== null ? t : {}) as { id?: unknown; needs?: unknown };
    return typeof id === "string" ? { id, needs: Array.isArray(needs) ? needs : [] } : undefined;
  });
}

/**
 * Checks what a schema cannot: ids are unique, `needs` name tasks that exist,
 * and the `needs` graph has no cycle (a cycle would leave tasks locked forever).
 * Needs that are not strings are the schema's to report, and skipped here.
 */
export function validateTaskGraph(tasks: readonly TaskRef[]): TaskGraphProblem[] {
  const problems: TaskGraphProblem[] = [];
  const index = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (!t) return;
    if (index.has(t.id)) problems.push({ path: ["tasks", i, "id"], message: `task id "${t.id}" is used twice; ids must be unique` });
    else index.set(t.id, i);
  });
  const needsOf = (t: TaskRef) => (t?.needs ?? []).filter((n): n is string => typeof n === "string");
  tasks.forEach((t, i) =>
    t?.needs.forEach((n, j) => {
      if (typeof n !== "string") return;
      if (n === t.id) problems.push({ path: ["tasks", i, "needs", j], message: `task "${t.id}" cannot need itself` });
      else if (!index.has(n)) problems.push({ path: ["tasks", i, "needs", j], message: `task "${t.id}" needs "${n}", which is not a task of this lab` });
    }),
  );
  // Depth-first search for a cycle among known edges.
  const state = new Map<string, "visiting" | "done">();
  // The first task with an id stands for it (a duplicate is reported above).
  const byId = new Map([...index].map(([id, i]) => [id, tasks[i]!]));
  const visit = (id: string, trail: string[]): string[] | null => {
    if (state.get(id) === "done") return null;
    if (state.get(id) === "visiting") return [...trail.slice(trail.indexOf(id)), id];
    state.set(id, "visiting");
    for (const n of needsOf(byId.get(id))) {
      if (n === id || !byId.has(n)) continue;
      const cycle = visit(n, [...trail, id]);
      if (cycle) return cycle;
    }
    state.set(id, "done");
    return null;
  };
  for (const t of tasks) {
    if (!t) continue;
    const cycle = visit(t.id, []);
    if (cycle) {
      problems.push({ path: ["tasks", index.get(t.id)!, "needs"], message: `tasks need each other in a circle (${cycle.join(" -> ")}); none of them could ever start` });
      break;
    }
  }
  return problems;
}

/** Tasks in an order where every task comes after the tasks it needs. */
export function orderByNeeds<T extends { id: string; needs: string[] }>(tasks: T[]): T[] {
  const out: T[] = [];
  const placed = new Set<string>();
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const place = (t: T) => {
    if (placed.has(t.id)) return;
    placed.add(t.id);
    for (const n of t.needs) {
      const dep = byId.get(n);
      if (dep) place(dep);
    }
    out.push(t);
  };
  tasks.forEach(place);
  return out;
}
