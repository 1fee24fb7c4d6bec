import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { positionOf, splitFrontmatter } from "./frontmatter";
import { labFrontmatterSchema, SLUG_PATTERN, type LabFrontmatter } from "./schema";
import { validateTaskGraph } from "./tasks";
import { CHECK_TYPES } from "../checks/schema";

/** The file each lab directory must contain. */
export const LAB_FILE = "lab.md";

/** A lab as read from labs/<slug>/lab.md. */
export interface LabDefinition extends LabFrontmatter {
  slug: string;
  durationMinutes: number;
  /** Markdown of the steps, frontmatter removed. */
  body: string;
  /** Path relative to the working directory (absolute if outside it), for messages. */
  sourcePath: string;
  /** sha256 of the file, so a sync only rewrites what changed. */
  sourceHash: string;
}

/** One thing wrong with a lab, located like a compiler error. */
export interface LabProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface Catalog {
  labs: LabDefinition[];
  problems: LabProblem[];
}

/** Formats a problem as `file:line:col: message`. */
export function formatProblem(p: LabProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

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

/** Parses one lab file's text; reports every problem, not just the first. */
export function parseLab(slug: string, file: string, text: string): { lab?: LabDefinition; problems: LabProblem[] } {
  const problems: LabProblem[] = [];
  const at = (line: number, column: number, message: string) => problems.push({ file, line, column, message });

  if (!SLUG_PATTERN.test(slug)) {
    at(1, 1, `directory name "${slug}" is not a valid slug: use 2-63 lowercase letters, digits and dashes`);
  }
  const split = splitFrontmatter(text);
  if (!split.document) {
    at(1, 1, "missing frontmatter: start the file with --- , the lab's title, summary, difficulty, duration and environment, then ---");
    return { problems };
  }
  for (const err of split.document.errors) {
    const pos = split.lineCounter.linePos(err.pos[0]);
    at(pos.line + split.yamlFirstLine - 1, pos.col, `YAML: ${err.message.split("\n")[0]}`);
  }
  if (split.document.errors.length) return { problems };

  const parsed = labFrontmatterSchema.safeParse(split.document.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        // One problem per unknown key, each at the key's own line.
        const kind = issue.path.includes("checks") ? "check " : issue.path.includes("tasks") ? "task " : "";
        for (const key of issue.keys) {
          const pos = positionOf(split, [...issue.path, key], true);
          at(pos.line, pos.column, `unknown ${kind}field: ${key}`);
        }
        continue;
      }
      if (issue.code === "invalid_union" && issue.path.at(-1) === "type" && issue.path.includes("checks")) {
        // An unknown check type: zod's wording names no fix; ours does.
        const pos = positionOf(split, issue.path);
        const given = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], split.document?.toJS());
        at(pos.line, pos.column, `unknown check type ${JSON.stringify(given)}: use one of ${CHECK_TYPES.join(", ")}`);
        continue;
      }
      const pos = positionOf(split, issue.path);
      at(pos.line, pos.column, issue.message);
    }
  }
  if (parsed.success) {
    for (const p of validateTaskGraph(parsed.data.tasks)) {
      const pos = positionOf(split, p.path);
      at(pos.line, pos.column, p.message);
    }
  }
  if (parsed.success) {
    const ids = new Set(parsed.data.tasks.map((t) => t.id));
    for (const ref of fencedBlocks(split.body, "task")) {
      const line = split.bodyFirstLine + ref.line;
      if (!ref.id) at(line, 1, "a ```task block must hold the id of one of this lab's tasks");
      else if (!ids.has(ref.id)) at(line, 1, `the \`\`\`task block names "${ref.id}", which is not a task of this lab`);
    }
    for (const ref of fencedBlocks(split.body, "widget")) {
      if (!(WIDGETS as readonly string[]).includes(ref.id)) {
        at(split.bodyFirstLine + ref.line, 1, `unknown widget "${ref.id}": use one of ${WIDGETS.join(", ")}`);
      }
    }
  }
  if (!split.body.trim()) at(split.bodyFirstLine, 1, "the lab has no steps: write markdown after the frontmatter");
  if (problems.length || !parsed.success) return { problems };

  return {
    problems,
    lab: {
      ...parsed.data,
      slug,
      durationMinutes: parsed.data.duration,
      body: split.body,
      sourcePath: file,
      sourceHash: crypto.createHash("sha256").update(text).digest("hex"),
    },
  };
}

/**
 * Reads every labs/<slug>/lab.md. Invalid labs are left out of `labs` and
 * explained in `problems`; one bad lab never hides the others.
 */
export function loadCatalog(labsDir: string): Catalog {
  const catalog: Catalog = { labs: [], problems: [] };
  if (!fs.existsSync(labsDir)) {
    catalog.problems.push({ file: labsDir, line: 1, column: 1, message: "labs directory does not exist" });
    return catalog;
  }
  const dirs = fs
    .readdirSync(labsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith(".") && !d.name.startsWith("_"))
    .map((d) => d.name)
    .sort();
  for (const slug of dirs) {
    const full = path.join(labsDir, slug, LAB_FILE);
    // Paths in messages are relative to where the command runs, like a compiler's.
    const relative = path.relative(process.cwd(), full);
    const rel = relative.startsWith("..") ? full : relative;
    if (!fs.existsSync(full)) {
      catalog.problems.push({ file: rel, line: 1, column: 1, message: `lab directory "${slug}" has no ${LAB_FILE}` });
      continue;
    }
    const { lab, problems } = parseLab(slug, rel, fs.readFileSync(full, "utf8"));
    catalog.problems.push(...problems);
    if (lab) catalog.labs.push(lab);
  }
  return catalog;
}
