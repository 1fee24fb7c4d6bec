import { describe, expect, it } from "vitest";
import type { SandboxProvider } from "../sandbox/provider";
import { evaluateCheck } from "./evaluate";
import type { HostView } from "./host-view";
import { stubView } from "./test-views";
import { checkSchema, type CheckInput } from "./schema";
import { parseFieldPath } from "./structured";

const viewWith = (files: Record<string, string>): HostView => stubView({ readNodeFile: async (p) => files[p] ?? null });
const run = (c: CheckInput, files: Record<string, string>) => evaluateCheck(checkSchema.parse(c), { provider: {} as SandboxProvider, sandboxId: "sb", view: viewWith(files), retryDelayMs: 1 });

const runtimeClass: CheckInput = {
  type: "structured",
  path: "/root/runtimeclass.yaml",
  kubernetes: true,
  fields: { kind: { equals: "RuntimeClass" }, "metadata.name": { equals: "gvisor" }, handler: { equals: "runsc" } },
};

describe("structured check", () => {
  it("accepts every spelling Kubernetes accepts: block or flow style, quotes, key order, comments", async () => {
    const block = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: gvisor\nhandler: runsc\n";
    const flow = '# mine\nhandler: "runsc"\nmetadata: {name: gvisor}\nkind: "RuntimeClass"\napiVersion: "node.k8s.io/v1"\n';
    const json = JSON.stringify({ apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "gvisor" }, handler: "runsc" });
    for (const text of [block, flow, json]) expect((await run(runtimeClass, { "/root/runtimeclass.yaml": text })).passed, text).toBe(true);
  });

  it("finds the object among several documents", async () => {
    const multi = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: gvisor}\nhandler: runsc\n";
    const r = await run(runtimeClass, { "/root/runtimeclass.yaml": multi });
    expect(r.passed).toBe(true);
    expect(r.evidence).toMatchObject({ documents: 2, document: 1 });
  });

  it("names the field that is wrong, the wrong apiVersion for a kind, and bad YAML", async () => {
    const wrong = await run(runtimeClass, { "/root/runtimeclass.yaml": "apiVersion: v1\nkind: RuntimeClass\nmetadata: {name: gvisor}\nspec: {handler: runsc}\n" });
    expect(wrong.passed).toBe(false);
    expect(wrong.message).toContain('a RuntimeClass has apiVersion node.k8s.io/v1, not "v1"');
    expect(wrong.message).toContain("handler is missing");
    const bad = await run(runtimeClass, { "/root/runtimeclass.yaml": "kind: [unclosed\n" });
    expect(bad.message).toMatch(/is not valid YAML/);
    expect((await run(runtimeClass, {})).message).toMatch(/does not exist yet/);
  });

  it("reads JSON by path, with list indexes, matches and exists", async () => {
    const profile = JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" }] });
    const c: CheckInput = {
      type: "structured",
      path: "/root/p.json",
      fields: { defaultAction: { equals: "SCMP_ACT_ALLOW" }, "syscalls[0].action": { matches: "^SCMP_ACT_(ERRNO|KILL)" }, "syscalls[0].names": { exists: true } },
    };
    expect((await run(c, { "/root/p.json": profile })).passed).toBe(true);
    expect(parseFieldPath("spec.containers[0].securityContext.seccompProfile.type")).toEqual(["spec", "containers", 0, "securityContext", "seccompProfile", "type"]);
  });

  it("reads YAML as Kubernetes does (1.1) and only the document's own fields", async () => {
    const c: CheckInput = { type: "structured", path: "/a.yaml", fields: { hostNetwork: { equals: true }, constructor: { exists: true } } };
    const r = await run(c, { "/a.yaml": "hostNetwork: yes\n" });
    expect(r.passed).toBe(false);
    expect(r.message).toContain("constructor is missing");
    expect(r.message).not.toContain("hostNetwork");
  });

  it("refuses bad field paths and empty conditions when the lab loads", () => {
    expect(checkSchema.safeParse({ type: "structured", path: "/a.yaml", fields: { "a..b": { exists: true } } }).success).toBe(false);
    expect(checkSchema.safeParse({ type: "structured", path: "/a.yaml", fields: { a: {} } }).success).toBe(false);
    expect(checkSchema.safeParse({ type: "structured", path: "/a.yaml", fields: {} }).success).toBe(false);
  });
});
