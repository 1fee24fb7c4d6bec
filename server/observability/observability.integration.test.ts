import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { sampleValue } from "../../test/support/prometheus";
import type { SessionUser } from "../auth/principal";
import { createOpsEndpoints, type OpsEndpoints } from "./endpoints";
import { createLogger, setRootLogger } from "./logger";
import { bindMetricSources } from "./metrics";
import { observeRequests } from "./requests";

// The real platform (PGlite, real Docker, a real node) behind the request
// pipeline and operations endpoints of server/main.ts, on a loopback port.
const INSTANCE = `t-observability-${process.pid}`;

describe("metrics, readiness and logs of a running platform (real Docker)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let ops: OpsEndpoints;
  let server: http.Server;
  let base: string;
  let learner: SessionUser;
  let sessionId = "";
  const lines: Record<string, unknown>[] = [];
  let unbindTerminals = () => {};

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  const scrape = async () => {
    const res = await get("/api/metrics");
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    setRootLogger(createLogger({ destination: { write: (s: string) => void lines.push(JSON.parse(s)) } }));
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: INSTANCE }, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: INSTANCE });
    learner = (await (await platform.signUp("observed@example.com")).caller.system.me())!;
    await platform.services.sessions.boot();
    // No terminal gateway in this test: a stand-in count shows the binding main.ts makes.
    unbindTerminals = bindMetricSources({ terminals: () => ({ shells: 0, clients: 0 }) });

    ops = createOpsEndpoints(platform.services);
    server = http.createServer(
      observeRequests(async (req, res) => {
        if (await ops.handle(req, res)) return;
        res.writeHead(404).end();
      }),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const s = await platform.services.sessions.start(learner, "first-container");
    for await (const v of platform.services.sessions.watch(learner, s.id)) if (v.state === "ready") break;
    sessionId = s.id;
  });

  afterAll(async () => {
    unbindTerminals();
    setRootLogger(undefined);
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await platform?.services.grading.shutdown();
    await platform?.services.sessions.shutdown();
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    // The last test closed the database itself, so closing it again may complain.
    await platform?.close(true).catch(() => {});
  });

  it("exposes the provisioned sandbox, its session, capacity and the provisioning time", async () => {
    const text = await scrape();
    expect(sampleValue(text, "labs_sandbox_provision_duration_seconds_count", { provider: "docker", purpose: "session", outcome: "success" })).toBe(1);
    const seconds = sampleValue(text, "labs_sandbox_provision_duration_seconds_sum", { provider: "docker", purpose: "session", outcome: "success" })!;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(120);
    expect(sampleValue(text, "labs_sessions", { state: "ready", environment: "node" })).toBe(1);
    expect(sampleValue(text, "labs_sessions", { state: "requested", environment: "node" })).toBe(0);
    expect(sampleValue(text, "labs_sandboxes", { provider: "docker", environment: "node", host: "default", state: "running", role: "session" })).toBe(1);
    expect(sampleValue(text, "labs_sandboxes_in_use", { environment: "node" })).toBe(1);
    expect(sampleValue(text, "labs_sandbox_capacity", { environment: "node" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, "labs_pool_sandboxes", { environment: "node", state: "ready" })).toBe(0); // poolSize 0: nothing warm
    expect(sampleValue(text, "labs_session_queue_length", { environment: "node" })).toBe(0);
    expect(sampleValue(text, "labs_terminals_active")).toBe(0);
    expect(sampleValue(text, "labs_metrics_source_up", { source: "sessions" })).toBe(1);
    expect(sampleValue(text, "labs_metrics_source_up", { source: "sandboxes" })).toBe(1);
  });

  it("counts a check evaluation by type and outcome, with its latency", async () => {
    const tasks = await platform.services.grading.evaluate(learner, sessionId);
    expect(tasks.find((t) => t.taskId === "run-first")!.status).toBe("failed"); // nothing done yet
    const text = await scrape();
    // run-first has one `runtime` check; nothing runs in the node yet, so it fails.
    expect(sampleValue(text, "labs_check_evaluation_duration_seconds_count", { type: "runtime", outcome: "failed" })).toBe(1);
    expect(sampleValue(text, "labs_check_evaluation_duration_seconds_sum", { type: "runtime", outcome: "failed" })).toBeGreaterThan(0);
  });

  it("counts the HTTP requests it served, with the request id echoed", async () => {
    const res = await get("/api/live", { "x-request-id": "probe-42" });
    expect(res.headers.get("x-request-id")).toBe("probe-42");
    expect(await res.json()).toMatchObject({ status: "live" });
    const text = await scrape();
    expect(sampleValue(text, "labs_http_request_duration_seconds_count", { method: "GET", area: "ops", status: "2xx" })).toBeGreaterThanOrEqual(2);
  });

  it("is ready while the database, the catalog and Docker answer", async () => {
    const res = await get("/api/ready");
    const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean; message: string }> };
    expect(res.status).toBe(200);
    expect(body.ready).toBe(true);
    expect(body.checks.database!.message).toMatch(/answers/);
    expect(body.checks.catalog!.message).toMatch(/The lab catalog has \d+ lab\(s\)\./);
    expect(body.checks.docker!.message).toBe("Docker answers.");
    // Nodes are contained as required (the sandbox engine), and it says how.
    expect(body.checks.isolation).toMatchObject({ ok: true });
    expect(body.checks.isolation!.message).toMatch(/^Isolation userns: Nodes run in a user namespace/);
    // /api/health is a Next route (not served by this harness): its report directly.
    const health = await platform.services.health();
    expect(health).toMatchObject({ sandboxes: "available", isolation: { level: "userns", ok: true, diskQuotaMb: 4096 } });
  });

  it("says not ready, and why, once the database is gone; liveness and metrics still answer", async () => {
    await platform.services.db.close();
    const res = await get("/api/ready");
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; reasons: string[]; checks: Record<string, { ok: boolean }> };
    expect(body.ready).toBe(false);
    expect(body.checks.database!.ok).toBe(false);
    expect(body.reasons[0]).toMatch(/^The database does not answer \(.+\); check DATABASE_URL/);
    expect((await get("/api/live")).status).toBe(200);
    // The sessions gauge reads the database: it reports the source down rather than old numbers.
    const text = await scrape();
    expect(sampleValue(text, "labs_metrics_source_up", { source: "sessions" })).toBe(0);
    expect(sampleValue(text, "labs_sessions", { state: "ready", environment: "node" })).toBeUndefined();
    expect(sampleValue(text, "labs_metrics_source_up", { source: "sandboxes" })).toBe(1);
    // The failed probe is in the access log, with its request id.
    const access = lines.find((l) => l.component === "http" && l.path === "/api/ready" && l.status === 503);
    expect(access).toMatchObject({ method: "GET", reqId: expect.any(String), durationMs: expect.any(Number) });
  });
});
