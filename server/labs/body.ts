import type { LocatedMessage } from "./frontmatter";

/** Interactive pieces a lab can place in its text with a ```widget fence. */
export const WIDGETS = ["pod-stepper", "runtime-comparison", "cgroup-tree"] as const;

/** Fenced blocks of one language (```task, ```widget) in a lab body: the text each holds and its 0-based line. */
export function fencedBlocks(body: string, language: string): { id: string; line: number }[] {
  const out: { id: string; line: number }[] = [];
  const lines = body.split("\n");
  let fence: { marker: string; task: boolean; start: number; text: string[] } | null = null;
  lines.forEach((l, i) => {
    const m = /^(\s{0,3})(`{3,}|~{3,})\s*([\w-]*)/.exec(l);
    if (!fence && m) fence = { marker: m[2]!, task: m[3] === language, start: i, text: [] };
    else if (fence && l.trim().startsWith(fence.marker) && l.trim().replace(/[`~]/g, "") === "") {
      if (fence.task) out.push({ id: fence.text.join("\n").trim(), line: fence.start });
      fence = null;
    } else if (fence) fence.text.push(l);
  });
  return out;
}

/**
 * Problems in the steps: ```task fences must name a task of the lab and
 * ```widget fences a known widget. `taskIds` is null when the frontmatter
 * could not be read, so task fences cannot be judged (widgets still are).
 */
export function bodyProblems(body: string, firstLine: number, taskIds: ReadonlySet<string> | null): LocatedMessage[] {
  const out: LocatedMessage[] = [];
  const at = (line: number, message: string) => out.push({ line: firstLine + line, column: 1, message });
  if (taskIds) {
    for (const ref of fencedBlocks(body, "task")) {
      if (!ref.id) at(ref.line, "a ```task block must hold the id of one of this lab's tasks");
      else if (!taskIds.has(ref.id)) at(ref.line, `the \`\`\`task block names "${ref.id}", which is not a task of this lab`);
    }
  }
  for (const ref of fencedBlocks(body, "widget")) {
    if (!(WIDGETS as readonly string[]).includes(ref.id)) at(ref.line, `unknown widget "${ref.id}": use one of ${WIDGETS.join(", ")}`);
  }
  if (!body.trim()) out.push({ line: firstLine, column: 1, message: "the lab has no steps: write markdown after the frontmatter" });
  return out;
}
