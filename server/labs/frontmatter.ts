import { isMap, isNode, LineCounter, parseDocument, type Document } from "yaml";
import { checkYamlLimits, MAX_FRONTMATTER_BYTES, MAX_YAML_ALIASES } from "./yaml-limits";

/**
 * A lab file split at its `---` lines. Each way the split can fail is its
 * own case, so the author is told which line to fix: no frontmatter at all,
 * an opening `---` below other lines, or an opening `---` never closed.
 */
export type SplitSource =
  | { kind: "none" }
  | { kind: "misplaced"; openLine: number }
  | { kind: "unclosed"; openLine: number }
  | {
      kind: "split";
      yamlText: string;
      /** 1-based line in the file where the YAML text starts. */
      yamlFirstLine: number;
      /** Markdown of the steps. */
      body: string;
      /** 1-based line in the file where the body starts. */
      bodyFirstLine: number;
    };

/** Where a problem is in a file (1-based, like editors show). */
export interface Position {
  line: number;
  column: number;
}

/** A problem found while reading the frontmatter, located in the file. */
export interface LocatedMessage extends Position {
  message: string;
}

/** Parsed frontmatter with what is needed to locate any of its nodes in the file. */
export interface Frontmatter {
  document: Document.Parsed;
  lineCounter: LineCounter;
  yamlFirstLine: number;
}

const DELIMITER = /^---[ \t]*$/;

/** Splits `---\n<yaml>\n---\n<markdown>` (the opening `---` must be line 1). */
export function splitFrontmatter(text: string): SplitSource {
  const lines = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n").split("\n");
  if (!DELIMITER.test(lines[0] ?? "")) {
    const first = lines.findIndex((l) => l.trim() !== "");
    return first > 0 && DELIMITER.test(lines[first]!) ? { kind: "misplaced", openLine: first + 1 } : { kind: "none" };
  }
  const close = lines.findIndex((l, i) => i > 0 && DELIMITER.test(l));
  if (close < 0) return { kind: "unclosed", openLine: 1 };
  return {
    kind: "split",
    yamlText: lines.slice(1, close).join("\n"),
    yamlFirstLine: 2,
    body: lines.slice(close + 1).join("\n"),
    bodyFirstLine: close + 2,
  };
}

/**
 * Parses the YAML within the limits of yaml-limits.ts. `data` is present
 * only when the YAML parsed cleanly and within limits: then it is safe to
 * validate; otherwise `problems` say why not, each at its file position.
 */
export function readFrontmatter(split: Extract<SplitSource, { kind: "split" }>): { frontmatter?: Frontmatter; data?: unknown; problems: LocatedMessage[] } {
  const bytes = Buffer.byteLength(split.yamlText, "utf8");
  if (bytes > MAX_FRONTMATTER_BYTES) {
    const message = `the frontmatter is ${Math.ceil(bytes / 1024)} KiB; at most ${MAX_FRONTMATTER_BYTES / 1024} KiB is read (move long text into the steps)`;
    return { problems: [{ line: split.yamlFirstLine - 1, column: 1, message }] };
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(split.yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const frontmatter: Frontmatter = { document, lineCounter, yamlFirstLine: split.yamlFirstLine };
  const at = (offset: number, message: string): LocatedMessage => ({ ...fileOffset(frontmatter, offset), message });
  const problems = [
    ...document.errors.map((err) => at(err.pos[0], `YAML: ${err.message.split("\n")[0]}`)),
    ...checkYamlLimits(document).map((p) => at(p.offset, p.message)),
  ];
  if (problems.length) return { frontmatter, problems };
  try {
    return { frontmatter, data: document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {}, problems };
  } catch (err) {
    // The checks above should leave nothing for toJS to refuse; if it still
    // does, that is this lab's problem, not the catalog's.
    return { frontmatter, problems: [at(0, `YAML: ${(err as Error).message}`)] };
  }
}

function fileOffset(fm: Frontmatter, offset: number): Position {
  const { line, col } = fm.lineCounter.linePos(offset);
  return { line: line + fm.yamlFirstLine - 1, column: col };
}

/**
 * The file position of the YAML node at `path` (or of its nearest existing
 * parent, e.g. the mapping that lacks a required key); with `atKey`, of the
 * last key rather than its value.
 */
export function positionOf(fm: Frontmatter, path: readonly PropertyKey[], atKey = false): Position {
  let node: unknown = fm.document.contents;
  let best: unknown = node;
  for (const [i, key] of path.entries()) {
    if (!isNode(node)) break;
    if (isMap(node)) {
      const pair = node.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === key);
      if (!pair) break;
      // The last step points at the value (what to fix), or at the key itself
      // when the key is the problem (an unknown field).
      best = atKey && i === path.length - 1 ? pair.key : (pair.value ?? pair.key);
      node = pair.value;
      continue;
    }
    const child = (node as { get?: (k: unknown, keepScalar: boolean) => unknown }).get?.(key, true);
    if (child === undefined) break;
    best = child;
    node = child;
  }
  return fileOffset(fm, isNode(best) && best.range ? best.range[0] : 0);
}
