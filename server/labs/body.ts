import type { LocatedMessage } from "./frontmatter";

/** Markers of text for one cgroup version: `::: cgroup-v1` ... `:::` (cgroup-variants.ts). */
export const CGROUP_SECTIONS = { "cgroup-v1": 1, "cgroup-v2": 2 } as const;

/** A stretch of the steps: for every node (`cgroup` null) or for one cgroup version. */
export interface BodySection {
  cgroup: 1 | 2 | null;
  markdown: string;
  /** 0-based line of the body where it starts. */
  line: number;
}

const FENCE_OPEN = /^(\s{0,3})(`{3,}|~{3,})\s*([\w-]*)/;
const isFenceClose = (line: string, marker: string) => line.trim().startsWith(marker) && line.trim().replace(/[`~]/g, "") === "";
const SECTION_OPEN = /^:::\s*(\S+)\s*$/;
const SECTION_CLOSE = /^:::\s*$/;

/**
 * Splits the steps at `::: cgroup-v1` / `::: cgroup-v2` ... `:::` lines
 * (outside code fences), so the page can show each learner the text for
 * their own node. `problems` lists malformed markers; the text still splits
 * as well as it can.
 */
export function bodySections(body: string): { sections: BodySection[]; problems: { line: number; message: string }[] } {
  const sections: BodySection[] = [];
  const problems: { line: number; message: string }[] = [];
  let current: BodySection = { cgroup: null, markdown: "", line: 0 };
  let open: { line: number } | null = null;
  let fence: string | null = null;
  const lines = body.split("\n");
  const flush = (next: BodySection) => {
    if (current.markdown.trim()) sections.push({ ...current, markdown: current.markdown.replace(/\n$/, "") });
    current = next;
  };
  lines.forEach((l, i) => {
    if (fence) {
      if (isFenceClose(l, fence)) fence = null;
    } else {
      const f = FENCE_OPEN.exec(l);
      if (f) fence = f[2]!;
      else if (SECTION_CLOSE.test(l.trim())) {
        if (!open) problems.push({ line: i, message: "a closing ::: with no ::: cgroup-v1 or ::: cgroup-v2 above it" });
        open = null;
        flush({ cgroup: null, markdown: "", line: i + 1 });
        return;
      } else {
        const m = SECTION_OPEN.exec(l.trim());
        if (m) {
          const version = CGROUP_SECTIONS[m[1] as keyof typeof CGROUP_SECTIONS];
          if (!version) problems.push({ line: i, message: `unknown section "::: ${m[1]}": use ::: cgroup-v1 or ::: cgroup-v2, closed by :::` });
          else if (open) problems.push({ line: i, message: `sections cannot be nested: close the section above with ::: before "::: ${m[1]}"` });
          else {
            open = { line: i };
            flush({ cgroup: version, markdown: "", line: i + 1 });
          }
          return;
        }
      }
    }
    current.markdown += l + "\n";
  });
  if (open) problems.push({ line: (open as { line: number }).line, message: "this ::: section is never closed: end it with a line holding only :::" });
  flush({ cgroup: null, markdown: "", line: lines.length });
  return { sections, problems };
}

/** Interactive pieces a lab can place in its text with a ```widget fence. */
export const WIDGETS = ["pod-stepper", "runtime-comparison", "cgroup-tree"] as const;

/** Fenced blocks of one language (```task, ```widget) in a lab body: the text each holds and its 0-based line. */
export function fencedBlocks(body: string, language: string): { id: string; line: number }[] {
  const out: { id: string; line: number }[] = [];
  const lines = body.split("\n");
  let fence: { marker: string; task: boolean; start: number; text: string[] } | null = null;
  lines.forEach((l, i) => {
    const m = FENCE_OPEN.exec(l);
    if (!fence && m) fence = { marker: m[2]!, task: m[3] === language, start: i, text: [] };
    else if (fence && isFenceClose(l, fence.marker)) {
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
  for (const p of bodySections(body).problems) at(p.line, p.message);
  for (const ref of fencedBlocks(body, "widget")) {
    if (!(WIDGETS as readonly string[]).includes(ref.id)) at(ref.line, `unknown widget "${ref.id}": use one of ${WIDGETS.join(", ")}`);
  }
  if (!body.trim()) out.push({ line: firstLine, column: 1, message: "the lab has no steps: write markdown after the frontmatter" });
  return out;
}
