import { CHECK_TYPES } from "../checks/schema";
import { positionOf, type Frontmatter, type LocatedMessage } from "./frontmatter";
import { labFrontmatterSchema, type LabFrontmatter } from "./schema";
import { taskRefs, validateTaskGraph } from "./tasks";

/**
 * Every problem of parsed frontmatter in one pass: the schema's, then the
 * task graph's (duplicate ids, unknown needs, cycles) on whatever tasks the
 * schema could read, so an author never fixes one round only to meet the
 * next. `lab` is present only when there is nothing to fix; `taskIds` are
 * the ids found (null when the task list could not be read at all).
 */
export function frontmatterProblems(fm: Frontmatter, data: unknown): { lab?: LabFrontmatter; taskIds: ReadonlySet<string> | null; problems: LocatedMessage[] } {
  const problems: LocatedMessage[] = [];
  const at = (pos: { line: number; column: number }, message: string) => problems.push({ ...pos, message });

  const parsed = labFrontmatterSchema.safeParse(data);
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    if (issue.code === "unrecognized_keys") {
      // One problem per unknown key, each at the key's own line.
      const kind = issue.path.includes("checks") ? "check " : issue.path.includes("tasks") ? "task " : "";
      for (const key of issue.keys) at(positionOf(fm, [...issue.path, key], true), `unknown ${kind}field: ${key}`);
      continue;
    }
    if (issue.code === "invalid_union" && issue.path.at(-1) === "type" && issue.path.includes("checks")) {
      // An unknown check type: zod's wording names no fix; ours does.
      const given = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], data);
      at(positionOf(fm, issue.path), `unknown check type ${JSON.stringify(given)}: use one of ${CHECK_TYPES.join(", ")}`);
      continue;
    }
    at(positionOf(fm, issue.path), issue.message);
  }

  // A place in a path needs both halves: the path, and where in it.
  if (parsed.success && (parsed.data.track === undefined) !== (parsed.data.order === undefined)) {
    if (parsed.data.track === undefined) at(positionOf(fm, ["order"]), "order needs a track: name the learning path this lab belongs to (track: ...)");
    else at(positionOf(fm, ["track"]), "a lab in a track needs its place in it: add order: 1 for the first lab, 2 for the next, ...");
  }

  const tasks = taskRefs(data);
  for (const p of validateTaskGraph(tasks ?? [])) at(positionOf(fm, p.path), p.message);
  const taskIds = tasks ? new Set(tasks.flatMap((t) => (t ? [t.id] : []))) : null;
  return { lab: parsed.success && !problems.length ? parsed.data : undefined, taskIds, problems };
}
