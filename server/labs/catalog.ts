import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { bodyProblems } from "./body";
import { decodeUtf8 } from "./decode";
import { positionOf, readFrontmatter, splitFrontmatter } from "./frontmatter";
import { SLUG_PATTERN, type LabFrontmatter } from "./schema";
import { trackProblems } from "./tracks";
import { frontmatterProblems } from "./validate";

/** The file each lab directory must contain. */
export const LAB_FILE = "lab.md";

/** A lab file larger than this is refused without being read (real labs are under 10 KiB). */
export const MAX_LAB_FILE_BYTES = 1024 * 1024;

/** Problems reported per lab file; past this the author fixes the first ones and runs again. */
export const MAX_PROBLEMS_PER_LAB = 100;

/** Invalid UTF-8 sequences reported one by one; the rest are counted (a Latin-1 file has one per accent). */
const MAX_UTF8_REPORTED = 3;

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
  /** The whole file as text (stored as the lab's version, and what `labs pull` gives back). */
  source: string;
  /** Where `order:` is written (for problems found across labs, like two labs in one place of a track). */
  orderAt: { line: number; column: number } | null;
}

/** One thing wrong with a lab, located like a compiler error. */
export interface LabProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** A lab directory that is not served, with everything wrong with it. */
export interface BrokenLab {
  slug: string;
  file: string;
  problems: LabProblem[];
}

export interface Catalog {
  labs: LabDefinition[];
  /** Labs left out, each with its problems. */
  broken: BrokenLab[];
  /** Every problem: those of broken labs, and any with the labs directory itself. */
  problems: LabProblem[];
}

/** Formats a problem as `file:line:col: message`. */
export function formatProblem(p: LabProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

/**
 * Parses one lab file; reports every problem, not just the first. Bytes are
 * checked to be UTF-8 (a string is taken as already decoded). A lab with
 * any problem is not returned.
 */
export function parseLab(slug: string, file: string, source: string | Uint8Array): { lab?: LabDefinition; problems: LabProblem[] } {
  const problems: LabProblem[] = [];
  const at = (line: number, column: number, message: string) => problems.push({ file, line, column, message });
  const done = () => ({ problems: capped(problems) });

  if (!SLUG_PATTERN.test(slug)) {
    at(1, 1, `directory name "${slug}" is not a valid slug: use 2-63 lowercase letters, digits and dashes`);
  }
  let text: string;
  if (typeof source === "string") text = source;
  else {
    const decoded = decodeUtf8(source);
    text = decoded.text;
    for (const bad of decoded.invalid.slice(0, MAX_UTF8_REPORTED)) {
      at(bad.line, bad.column, `invalid UTF-8 at byte ${bad.offset} (${bad.bytes.map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ")}): save the file as UTF-8`);
    }
    const more = decoded.invalid[MAX_UTF8_REPORTED];
    if (more) at(more.line, more.column, `${decoded.invalid.length - MAX_UTF8_REPORTED} more invalid UTF-8 sequence(s) from here on`);
  }

  const split = splitFrontmatter(text);
  if (split.kind === "none") {
    at(1, 1, "missing frontmatter: start the file with --- , the lab's title, summary, difficulty, duration and environment, then ---");
    return done();
  }
  if (split.kind === "misplaced") {
    at(split.openLine, 1, `the frontmatter's opening --- must be the first line of the file; remove the ${split.openLine - 1} line(s) above it`);
    return done();
  }
  if (split.kind === "unclosed") {
    at(split.openLine, 1, "missing closing ---: the frontmatter opened here never ends; put a line with only --- after the YAML, before the steps");
    return done();
  }

  // What can still be checked is checked: unreadable YAML leaves the schema
  // and task checks out, never the steps' widgets.
  const read = readFrontmatter(split);
  for (const p of read.problems) at(p.line, p.column, p.message);
  const checked = read.frontmatter && read.data !== undefined ? frontmatterProblems(read.frontmatter, read.data) : undefined;
  for (const p of checked?.problems ?? []) at(p.line, p.column, p.message);
  for (const p of bodyProblems(split.body, split.bodyFirstLine, checked?.taskIds ?? null)) at(p.line, p.column, p.message);

  const fm = checked?.lab;
  if (problems.length || !fm) return done();
  return {
    problems,
    lab: {
      ...fm,
      slug,
      durationMinutes: fm.duration,
      body: split.body,
      sourcePath: file,
      sourceHash: crypto.createHash("sha256").update(source).digest("hex"),
      source: text,
      orderAt: fm.order !== undefined && read.frontmatter ? positionOf(read.frontmatter, ["order"]) : null,
    },
  };
}

/** The first MAX_PROBLEMS_PER_LAB problems, then one saying how many more there are. */
function capped(problems: LabProblem[]): LabProblem[] {
  if (problems.length <= MAX_PROBLEMS_PER_LAB) return problems;
  const next = problems[MAX_PROBLEMS_PER_LAB]!;
  const more = problems.length - MAX_PROBLEMS_PER_LAB;
  return [...problems.slice(0, MAX_PROBLEMS_PER_LAB), { ...next, message: `${more} more problem(s) in this file; fix these first` }];
}

/** Paths in messages are relative to where the command runs, like a compiler's. */
function displayPath(full: string): string {
  const relative = path.relative(process.cwd(), full);
  return relative.startsWith("..") ? full : relative;
}

/**
 * Reads and parses one lab directory. Whatever goes wrong, a missing or
 * oversized file or a throw from any parser, becomes a problem of this lab:
 * one lab can never stop the others from loading. `parse` is replaceable
 * for tests of that promise.
 */
export function loadLab(labDir: string, parse: typeof parseLab = parseLab): { lab?: LabDefinition; problems: LabProblem[] } {
  const slug = path.basename(labDir);
  const full = path.join(labDir, LAB_FILE);
  const file = displayPath(full);
  const problem = (message: string) => ({ problems: [{ file, line: 1, column: 1, message }] });
  try {
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (!stat) return problem(`lab directory "${slug}" has no ${LAB_FILE}`);
    if (!stat.isFile()) return problem(`${LAB_FILE} is not a file`);
    if (stat.size > MAX_LAB_FILE_BYTES) return problem(`${LAB_FILE} is ${Math.ceil(stat.size / 1024)} KiB; a lab file may be at most ${MAX_LAB_FILE_BYTES / 1024} KiB`);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(full);
    } catch (err) {
      return problem(`${LAB_FILE} could not be read (${(err as Error).message})`);
    }
    return parse(slug, file, bytes);
  } catch (err) {
    const e = err as Error;
    return problem(`the lab could not be checked (${e.name}: ${e.message}); this is a bug in the lab loader, please report it`);
  }
}

/**
 * Reads every labs/<slug>/lab.md. Invalid labs are left out of `labs` and
 * explained in `broken`; one bad lab never hides the others.
 */
export function loadCatalog(labsDir: string): Catalog {
  const catalog: Catalog = { labs: [], broken: [], problems: [] };
  let dirs: string[];
  try {
    dirs = fs
      .readdirSync(labsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith(".") && !d.name.startsWith("_"))
      .map((d) => d.name)
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === "ENOENT" ? "labs directory does not exist" : `labs directory could not be read (${(err as Error).message})`;
    catalog.problems.push({ file: labsDir, line: 1, column: 1, message });
    return catalog;
  }
  for (const slug of dirs) {
    const { lab, problems } = loadLab(path.join(labsDir, slug));
    if (lab) catalog.labs.push(lab);
    else catalog.broken.push({ slug, file: displayPath(path.join(labsDir, slug, LAB_FILE)), problems });
    catalog.problems.push(...problems);
  }
  // Across labs: a track's places must be unique. Reported, not fatal: both
  // labs are still served (ordered by slug), and `labs validate` fails.
  catalog.problems.push(...trackProblems(catalog.labs));
  return catalog;
}
