import { isMap, isNode, LineCounter, parseDocument, type Document } from "yaml";

/** A lab file split into its YAML frontmatter and markdown body. */
export interface SplitSource {
  /** Parsed frontmatter; `undefined` when the file has none. */
  document?: Document.Parsed;
  lineCounter: LineCounter;
  /** 1-based line in the file where the YAML text starts. */
  yamlFirstLine: number;
  body: string;
  /** 1-based line in the file where the body starts. */
  bodyFirstLine: number;
}

/** Where a problem is in a file (1-based, like editors show). */
export interface Position {
  line: number;
  column: number;
}

/**
 * Splits `---\n<yaml>\n---\n<markdown>`. YAML positions are tracked so every
 * validation error can point at file:line:column.
 */
export function splitFrontmatter(text: string): SplitSource {
  const lineCounter = new LineCounter();
  const normalized = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  const match = /^---\n([\s\S]*?)\n?^---[ \t]*$\n?/m.exec(normalized);
  if (!match || match.index !== 0) {
    return { lineCounter, yamlFirstLine: 1, body: normalized, bodyFirstLine: 1 };
  }
  const yamlText = match[1] ?? "";
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const consumed = match[0];
  const bodyFirstLine = consumed.split("\n").length - (consumed.endsWith("\n") ? 1 : 0) + 1;
  return { document, lineCounter, yamlFirstLine: 2, body: normalized.slice(consumed.length), bodyFirstLine };
}

/**
 * The file position of the YAML node at `path` (or of its nearest existing
 * parent, e.g. the mapping that lacks a required key); with `atKey`, of the
 * last key rather than its value.
 */
export function positionOf(split: SplitSource, path: readonly PropertyKey[], atKey = false): Position {
  const doc = split.document;
  if (!doc) return { line: 1, column: 1 };
  let node: unknown = doc.contents;
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
  const offset = isNode(best) && best.range ? best.range[0] : 0;
  const { line, col } = split.lineCounter.linePos(offset);
  return { line: line + split.yamlFirstLine - 1, column: col };
}
