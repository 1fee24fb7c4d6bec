import { afterEach, describe, expect, it, vi } from "vitest";
import { parseSamples, sampleValue } from "../../test/support/prometheus";
import {
  bindMetricSources,
  checkOutcome,
  metricsRegistry,
  recordHttpRequest,
  recordPoolClaim,
  recordWebhookDelivery,
  renderMetrics,
  requestArea,
  timeCheckEvaluation,
  timeProvisioning,
} from "./metrics";

// The registry is process-wide, so each test reads values before and after
// (or uses label values of its own) instead of assuming it starts empty.
const scrape = async () => (await renderMetrics()).body;
const value = async (name: string, labels: Record<string, string>) => sampleValue(await scrape(), name, labels) ?? 0;

const unbinds: (() => void)[] = [];
afterEach(() => {
  for (const u of unbinds.splice(0)) u();
});

describe("metrics registry", () => {
  it("is one registry per process, shared by every copy of this module", async () => {
    const first = metricsRegistry();
    vi.resetModules();
    const copy = await import("./metrics");
    expect(copy.metricsRegistry()).toBe(first);
    // What one copy records, the other exposes.
    copy.recordPoolClaim("copy-test");
    expect(await value("labs_pool_claims_total", { environment: "copy-test" })).toBe(1);
  });

  it("names every platform metric with the labs_ prefix and serves the text format", async () => {
    const { contentType, body } = await renderMetrics();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const ours = metricsRegistry()
      .getMetricsAsArray()
      .map((m) => m.name)
      .filter((n) => !n.startsWith("process_") && !n.startsWith("nodejs_"));
    expect(ours.length).toBeGreaterThanOrEqual(15);
    for (const name of ours) expect(name).toMatch(/^labs_/);
    for (const name of ["labs_sessions", "labs_sandbox_provision_duration_seconds", "labs_check_evaluation_duration_seconds", "labs_webhook_deliveries_total", "labs_terminals_active"]) {
      expect(body).toContain(`# TYPE ${name} `);
    }
    // Runtime metrics keep their standard names for ready-made dashboards.
    expect(body).toContain("# TYPE process_cpu_seconds_total counter");
    expect(() => parseSamples(body)).not.toThrow();
  });
});

describe("event hooks", () => {
  it("times provisioning with its outcome and passes results and errors through", async () => {
    const labels = { provider: "test-prov", purpose: "session" } as const;
    await expect(timeProvisioning(labels, async () => "sandbox-1")).resolves.toBe("sandbox-1");
    const boom = new Error("image missing");
    await expect(timeProvisioning(labels, () => Promise.reject(boom))).rejects.toBe(boom);
    await expect(timeProvisioning({ provider: "test-prov", purpose: "pool" }, async () => "warm")).resolves.toBe("warm");
    const text = await scrape();
    expect(sampleValue(text, "labs_sandbox_provision_duration_seconds_count", { provider: "test-prov", purpose: "session", outcome: "success" })).toBe(1);
    expect(sampleValue(text, "labs_sandbox_provision_duration_seconds_count", { provider: "test-prov", purpose: "session", outcome: "failure" })).toBe(1);
    expect(sampleValue(text, "labs_sandbox_provision_duration_seconds_count", { provider: "test-prov", purpose: "pool", outcome: "success" })).toBe(1);
    expect(sampleValue(text, "labs_sandbox_provision_duration_seconds_bucket", { provider: "test-prov", purpose: "pool", outcome: "success", le: "+Inf" })).toBe(1);
  });

  it("classifies check outcomes from the result evaluateCheck returns", () => {
    expect(checkOutcome({ passed: true, evidence: {} })).toBe("passed");
    expect(checkOutcome({ passed: false, evidence: { exitCode: 1, timedOut: false } })).toBe("failed");
    expect(checkOutcome({ passed: false, evidence: { timedOut: true, timeoutMs: 15000 } })).toBe("timeout");
    expect(checkOutcome({ passed: false, evidence: { error: "connect ENOENT /var/run/docker.sock", code: "DOCKER_UNREACHABLE" } })).toBe("error");
  });

  it("times check evaluations in seconds per type and outcome, returning the result", async () => {
    const result = { passed: false, message: "Not yet.", evidence: { timedOut: true }, durationMs: 60, tamperResistant: false };
    const slow = () => new Promise<typeof result>((r) => setTimeout(() => r(result), 60));
    expect(await timeCheckEvaluation("unit-script", slow)).toBe(result);
    const text = await scrape();
    expect(sampleValue(text, "labs_check_evaluation_duration_seconds_count", { type: "unit-script", outcome: "timeout" })).toBe(1);
    const seconds = sampleValue(text, "labs_check_evaluation_duration_seconds_sum", { type: "unit-script", outcome: "timeout" })!;
    expect(seconds).toBeGreaterThanOrEqual(0.055);
    expect(seconds).toBeLessThan(1);
    expect(sampleValue(text, "labs_check_evaluation_duration_seconds_bucket", { type: "unit-script", outcome: "timeout", le: "0.05" })).toBe(0);
    expect(sampleValue(text, "labs_check_evaluation_duration_seconds_bucket", { type: "unit-script", outcome: "timeout", le: "1" })).toBe(1);
  });

  it("counts webhook deliveries and their duration per event and outcome", async () => {
    recordWebhookDelivery({ event: "unit.passed", outcome: "delivered", durationMs: 120 });
    recordWebhookDelivery({ event: "unit.passed", outcome: "retry", durationMs: 5000 });
    recordWebhookDelivery({ event: "unit.passed", outcome: "delivered", durationMs: 80 });
    const text = await scrape();
    expect(sampleValue(text, "labs_webhook_deliveries_total", { event: "unit.passed", outcome: "delivered" })).toBe(2);
    expect(sampleValue(text, "labs_webhook_deliveries_total", { event: "unit.passed", outcome: "retry" })).toBe(1);
    expect(sampleValue(text, "labs_webhook_delivery_duration_seconds_sum", { event: "unit.passed", outcome: "delivered" })).toBeCloseTo(0.2);
  });

  it("counts pool claims per environment", async () => {
    const before = await value("labs_pool_claims_total", { environment: "unit-env" });
    recordPoolClaim("unit-env");
    recordPoolClaim("unit-env");
    expect(await value("labs_pool_claims_total", { environment: "unit-env" })).toBe(before + 2);
  });

  it("keeps HTTP labels to a fixed set whatever the client sends", async () => {
    expect(requestArea("/api/trpc/labs.list,sessions.current")).toBe("trpc");
    expect(requestArea("/api/auth/sign-in/email")).toBe("auth");
    expect(requestArea("/api/ready")).toBe("ops");
    expect(requestArea("/api/v1/anything")).toBe("api");
    expect(requestArea("/_next/static/chunks/x.js")).toBe("next");
    expect(requestArea("/labs/some-random-slug-" + Math.random())).toBe("page");
    const before = await value("labs_http_request_duration_seconds_count", { method: "OTHER", area: "page", status: "4xx" });
    recordHttpRequest({ method: "BREW", pathname: "/coffee", status: 418, durationMs: 3 });
    expect(await value("labs_http_request_duration_seconds_count", { method: "OTHER", area: "page", status: "4xx" })).toBe(before + 1);
    expect(await scrape()).not.toContain("BREW");
  });
});

describe("levels read at scrape time", () => {
  it("reads bound sources into gauges, zeros included, when a scrape asks", async () => {
    let ready = 1;
    unbinds.push(
      bindMetricSources({
        version: "9.9.9-test",
        sessions: async () => [
          { state: "ready", environment: "node", count: ready },
          { state: "requested", environment: "node", count: 0 },
        ],
        sandboxes: async () => [{ provider: "docker", environment: "node", host: "default", state: "running", role: "pool", count: 2 }],
        hosts: () => [
          { provider: "docker", host: "dock-a", state: "up" },
          { provider: "docker", host: "dock-b", state: "down" },
        ],
        capacity: () => [{ environment: "node", max: 8, used: 3, queued: 1, poolReady: 2, poolWarming: 1 }],
        terminals: () => ({ shells: 4, clients: 6 }),
      }),
    );
    let text = await scrape();
    expect(sampleValue(text, "labs_sessions", { state: "ready", environment: "node" })).toBe(1);
    expect(sampleValue(text, "labs_sessions", { state: "requested", environment: "node" })).toBe(0);
    expect(sampleValue(text, "labs_sandboxes", { provider: "docker", environment: "node", host: "default", state: "running", role: "pool" })).toBe(2);
    expect(sampleValue(text, "labs_sandbox_hosts", { host: "dock-a", state: "up" })).toBe(1);
    expect(sampleValue(text, "labs_sandbox_hosts", { host: "dock-a", state: "down" })).toBe(0);
    expect(sampleValue(text, "labs_sandbox_hosts", { host: "dock-b", state: "down" })).toBe(1);
    expect(sampleValue(text, "labs_sandbox_hosts", { host: "dock-b", state: "up" })).toBe(0);
    expect(sampleValue(text, "labs_sandbox_capacity", { environment: "node" })).toBe(8);
    expect(sampleValue(text, "labs_sandboxes_in_use", { environment: "node" })).toBe(3);
    expect(sampleValue(text, "labs_session_queue_length", { environment: "node" })).toBe(1);
    expect(sampleValue(text, "labs_pool_sandboxes", { environment: "node", state: "ready" })).toBe(2);
    expect(sampleValue(text, "labs_pool_sandboxes", { environment: "node", state: "warming" })).toBe(1);
    expect(sampleValue(text, "labs_terminals_active")).toBe(4);
    expect(sampleValue(text, "labs_terminal_clients")).toBe(6);
    expect(sampleValue(text, "labs_build_info", { version: "9.9.9-test" })).toBe(1);
    expect(sampleValue(text, "labs_metrics_source_up", { source: "sessions" })).toBe(1);

    ready = 5; // read again at the next scrape, not cached
    text = await scrape();
    expect(sampleValue(text, "labs_sessions", { state: "ready", environment: "node" })).toBe(5);
  });

  it("drops a failing source's numbers and reports it down, without failing the scrape", async () => {
    unbinds.push(
      bindMetricSources({
        sessions: async () => [{ state: "ready", environment: "node", count: 3 }],
        sandboxes: async () => {
          throw new Error("connect ENOENT /var/run/docker.sock");
        },
      }),
    );
    const text = await scrape();
    expect(sampleValue(text, "labs_metrics_source_up", { source: "sandboxes" })).toBe(0);
    expect(sampleValue(text, "labs_metrics_source_up", { source: "sessions" })).toBe(1);
    expect(sampleValue(text, "labs_sandboxes", {})).toBeUndefined();
    expect(sampleValue(text, "labs_sessions", { state: "ready" })).toBe(3);
  });

  it("unbinds only the sources a binding set, leaving later ones in place", async () => {
    const unbindFirst = bindMetricSources({ terminals: () => ({ shells: 1, clients: 1 }), capacity: () => [] });
    unbinds.push(bindMetricSources({ terminals: () => ({ shells: 7, clients: 9 }) }));
    unbindFirst(); // terminals were rebound since: they stay; capacity goes
    const text = await scrape();
    expect(sampleValue(text, "labs_terminals_active")).toBe(7);
    expect(sampleValue(text, "labs_sandbox_capacity", {})).toBeUndefined();
  });
});
