/**
 * Files learners write as data (YAML manifests, JSON profiles), judged by
 * what they say, not how they are spelt: the file is parsed and fields are
 * compared by path. `metadata: {name: gvisor}` and quoted values are the
 * same object to Kubernetes, so they are the same here.
 */
import { parseAllDocuments } from "yaml";

/** A field path (validated by the schema: keys joined by dots, [n] for list items) as steps. */
export function parseFieldPath(path: string): (string | number)[] {
  return [...path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[2]!));
}

/** The value at `path` in `doc`, or undefined when any step is missing. */
export function fieldAt(doc: unknown, path: (string | number)[]): unknown {
  let cur: unknown = doc;
  for (const key of path) {
    // Own fields only: "constructor" or "toString" are not in any manifest.
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** Parses YAML (every document) or JSON; throws with a short reason. */
export function parseDocuments(text: string, format: "yaml" | "json"): unknown[] {
  if (format === "json") return [JSON.parse(text)];
  // Few aliases: a learner's manifest needs none, a bomb needs thousands.
  // YAML 1.1, as Kubernetes reads manifests (yes/on are booleans, 0644 is octal).
  const docs = parseAllDocuments(text, { prettyErrors: false, version: "1.1" });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const d of list) {
    if (d.errors.length) throw new Error(d.errors[0]!.message.split("\n")[0]);
    const value = d.toJS({ maxAliasCount: 50 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/**
 * apiVersion and kind pairs of the objects our labs write; a manifest with
 * `kubernetes: true` must be one of these (a typo in either is caught with a
 * message naming the right pair).
 */
export const KNOWN_KUBERNETES_KINDS: Record<string, string> = {
  Pod: "v1",
  Namespace: "v1",
  ConfigMap: "v1",
  Service: "v1",
  RuntimeClass: "node.k8s.io/v1",
  Deployment: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
};
