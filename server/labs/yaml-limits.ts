/**
 * Limits on lab frontmatter. Any author (or pull request) writes it, and the
 * server parses it at start: YAML that would exhaust memory, stack or time
 * (a "billion laughs" alias bomb, thousands of nested brackets) must become
 * a located problem of that one lab, never a crash. The limits sit far
 * above what real labs use (about 6 levels of nesting, no aliases).
 */
import { isAlias, isCollection, isNode, isPair, isScalar, type Document, type Node } from "yaml";

/** Frontmatter longer than this is refused before the YAML parser sees it. */
export const MAX_FRONTMATTER_BYTES = 64 * 1024;
/** Deepest nesting of mappings and lists, counting the top-level mapping as 1. */
export const MAX_YAML_DEPTH = 32;
/**
 * Aliases the frontmatter may expand to in all, counting aliases inside
 * aliased values each time they are copied (so nine aliases of a value
 * holding nine aliases count 90). Also handed to the yaml package as
 * `maxAliasCount`, which enforces a similar bound while converting.
 */
export const MAX_YAML_ALIASES = 50;

/** A limit crossed, at an offset in the YAML text. */
export interface LimitProblem {
  offset: number;
  message: string;
}

/** What a node becomes once its aliases are expanded. */
interface Expanded {
  /** Levels of collections it holds (0 for a scalar). */
  depth: number;
  /** Alias copies it holds. */
  aliases: number;
}

const SCALAR: Expanded = { depth: 0, aliases: 0 };

/**
 * Walks the parsed document in order (as the yaml package resolves it: an
 * alias names the last anchor before it) and reports, at the node where it
 * happens: aliases naming no anchor, an alias inside the value it names,
 * expansion past MAX_YAML_ALIASES, nesting past MAX_YAML_DEPTH. The walk
 * never descends past MAX_YAML_DEPTH, so it cannot overflow the stack.
 */
export function checkYamlLimits(doc: Document.Parsed): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const anchors = new Map<string, Node>();
  const done = new WeakMap<Node, Expanded>();
  let aliasCopies = 0;
  let reportedDepth = false;
  let reportedAliases = false;
  const report = (node: Node, message: string) => problems.push({ offset: node.range?.[0] ?? 0, message });
  const tooDeep = (node: Node) => {
    if (!reportedDepth) report(node, `YAML nests deeper than ${MAX_YAML_DEPTH} levels; labs need far fewer`);
    reportedDepth = true;
  };

  // `level` is the level this node has if it is a collection.
  const walk = (node: unknown, level: number): Expanded => {
    if (!isNode(node)) return SCALAR;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        report(node, `YAML alias *${node.source} names no anchor defined before it`);
        return SCALAR;
      }
      const size = done.get(target);
      if (!size) {
        report(node, `YAML alias *${node.source} is inside the value it names, which would never end`);
        return SCALAR;
      }
      aliasCopies += 1 + size.aliases;
      if (aliasCopies > MAX_YAML_ALIASES && !reportedAliases) {
        report(node, `too many YAML aliases: expanding them here would make more than ${MAX_YAML_ALIASES}; write the values out instead`);
        reportedAliases = true;
      }
      if (level - 1 + size.depth > MAX_YAML_DEPTH) tooDeep(node);
      return { depth: size.depth, aliases: 1 + size.aliases };
    }
    if (node.anchor) anchors.set(node.anchor, node);
    let size = SCALAR;
    if (isCollection(node)) {
      if (level > MAX_YAML_DEPTH) {
        tooDeep(node);
        size = { depth: 1, aliases: 0 };
      } else {
        let depth = 0;
        let aliases = 0;
        for (const item of node.items) {
          for (const child of isPair(item) ? [item.key, item.value] : [item]) {
            const c = walk(child, level + 1);
            depth = Math.max(depth, c.depth);
            aliases += c.aliases;
          }
        }
        size = { depth: depth + 1, aliases };
      }
    } else if (!isScalar(node)) {
      return SCALAR;
    }
    done.set(node, size);
    return size;
  };
  walk(doc.contents, 1);
  return problems;
}
