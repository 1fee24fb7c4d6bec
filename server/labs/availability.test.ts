import { describe, expect, it } from "vitest";
import type { IsolationReport, SandboxEnvironment, SandboxProvider } from "../sandbox/provider";
import { checkAvailability, forLearners, LabAvailability, type AvailabilityDeps } from "./availability";

const report = (ok: boolean, message = ok ? "contained" : "not contained", fix = "do this"): IsolationReport =>
  ({ level: ok ? "userns" : "shared-kernel-root", required: "userns", diskQuotaMb: null, ok, message, fix }) as IsolationReport;

/** A provider that answers info() and isolation() as told (no Docker). */
function fakeProvider(environment: SandboxEnvironment, opts: { info?: "ok" | "fails" | "hangs"; isolation?: IsolationReport; hosts?: SandboxProvider["hosts"] } = {}): SandboxProvider {
  return {
    name: environment === "node" ? "docker" : "kind",
    environment,
    info: () =>
      opts.info === "fails"
        ? Promise.reject(new Error("connect ENOENT /run/docker.sock"))
        : opts.info === "hangs"
          ? new Promise(() => {})
          : Promise.resolve({ provider: "docker", instance: "t", running: 0, max: 4, host: { memoryBytes: 1, cpus: 1 } }),
    isolation: async () => opts.isolation ?? report(true),
    hosts: opts.hosts,
  } as unknown as SandboxProvider;
}

function deps(providers: Partial<Record<SandboxEnvironment, SandboxProvider>>, kind: string | null = "/usr/local/bin/kind"): AvailabilityDeps {
  return { providerFor: (e) => providers[e], findKind: () => kind, timeoutMs: 50 };
}

describe("lab availability", () => {
  it("is available when each provider's engine answers and contains root as required", async () => {
    const a = await checkAvailability(deps({ node: fakeProvider("node"), cluster: fakeProvider("cluster") }));
    expect(a.node).toEqual({ environment: "node", available: true, learnerMessage: null, operatorReason: null });
    expect(a.cluster.available).toBe(true);
  });

  it("says kind is missing to operators and 'not set up' to learners, without engine words", async () => {
    const a = await checkAvailability(deps({ node: fakeProvider("node"), cluster: fakeProvider("cluster") }, null));
    expect(a.node.available).toBe(true);
    expect(a.cluster.available).toBe(false);
    expect(a.cluster.operatorReason).toMatch(/kind is not installed.*KIND_BIN/);
    expect(a.cluster.learnerMessage).toBe("This lab needs a Kubernetes cluster of your own, and this server is not set up to create one.");
    expect(a.cluster.learnerMessage).not.toMatch(/kind|KIND_BIN|Docker/);
  });

  it("names the KIND_BIN that is not executable", async () => {
    const a = await checkAvailability({ ...deps({ node: fakeProvider("node"), cluster: fakeProvider("cluster") }, null), kindBin: "/opt/kind" });
    expect(a.cluster.operatorReason).toContain("KIND_BIN points at /opt/kind");
  });

  it("refuses cluster labs the isolation policy forbids, with the policy's fix", async () => {
    const a = await checkAvailability(deps({ node: fakeProvider("node"), cluster: fakeProvider("cluster", { isolation: report(false, "kind nodes are privileged.", "set SANDBOX_ISOLATION=shared-kernel-root") }) }));
    expect(a.cluster.available).toBe(false);
    expect(a.cluster.operatorReason).toBe("kind nodes are privileged. Fix: set SANDBOX_ISOLATION=shared-kernel-root.");
  });

  it("makes every environment without a provider unavailable", async () => {
    const a = await checkAvailability(deps({}));
    expect(a.node).toMatchObject({ available: false, operatorReason: "No sandbox provider is configured for node labs (Docker)." });
    expect(a.cluster).toMatchObject({ available: false, operatorReason: "No kind provider is configured for cluster labs." });
  });

  it("counts an engine that refuses to answer as down, and a slow one as up", async () => {
    const a = await checkAvailability(deps({ node: fakeProvider("node", { info: "fails" }), cluster: fakeProvider("cluster", { info: "fails" }) }));
    expect(a.node.available).toBe(false);
    expect(a.node.operatorReason).toContain("connect ENOENT");
    expect(a.node.learnerMessage).toMatch(/^Labs cannot start on this server at the moment/);
    expect(a.cluster.learnerMessage).toMatch(/cannot create one at the moment/);
    // A busy host must not hide Start: provisioning will say what happens.
    const slow = await checkAvailability(deps({ node: fakeProvider("node", { info: "hangs" }), cluster: fakeProvider("cluster", { info: "hangs" }) }));
    expect(slow.node.available).toBe(true);
    expect(slow.cluster.available).toBe(true);
  });

  it("refuses node labs on an engine that cannot contain root", async () => {
    const a = await checkAvailability(deps({ node: fakeProvider("node", { isolation: report(false, "The engine has no user namespaces.", "start the sandbox engine") }) }));
    expect(a.node).toMatchObject({ available: false, operatorReason: "The engine has no user namespaces. Fix: start the sandbox engine." });
  });

  it("is down when none of several hosts is up, and lists them", async () => {
    const hosts = () => [{ name: "a", endpoint: "tcp://a", state: "down" as const, failures: 3, lastError: "timeout" }];
    const a = await checkAvailability(deps({ node: fakeProvider("node", { hosts }) }));
    expect(a.node.operatorReason).toBe("None of the Docker hosts answers (a: down, timeout); see docs/hosts.md.");
  });

  it("tells learners nothing of the operator's reason", async () => {
    const a = forLearners(await checkAvailability(deps({ node: fakeProvider("node") }, null)));
    expect(JSON.stringify(a)).not.toContain("operatorReason");
    expect(a.cluster.available).toBe(false);
  });

  it("remembers a check for its TTL and shares it between concurrent callers", async () => {
    let t = 0;
    let infos = 0;
    const node = fakeProvider("node");
    const counted = { ...node, info: () => (infos++, node.info()) } as SandboxProvider;
    const cache = new LabAvailability(deps({ node: counted, cluster: fakeProvider("cluster") }), 5_000, () => t);
    await Promise.all([cache.check(), cache.check()]);
    t = 4_999;
    await cache.check();
    expect(infos).toBe(1);
    t = 5_000;
    await cache.check();
    expect(infos).toBe(2);
  });
});

describe("assertAvailable", () => {
  it("refuses an unavailable environment with the learner's sentence, and lets an available one through", async () => {
    const cache = new LabAvailability(deps({ node: fakeProvider("node"), cluster: fakeProvider("cluster") }, null));
    await expect(cache.assertAvailable("node")).resolves.toBeUndefined();
    const err = await cache.assertAvailable("cluster").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "UNAVAILABLE", message: "This lab needs a Kubernetes cluster of your own, and this server is not set up to create one." });
    expect((err as { detail: string }).detail).not.toMatch(/KIND_BIN/);
  });
});
