import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOpsEndpoints, isLoopbackAddress, metricsRefusal, type OpsEndpoints } from "./endpoints";
import { createLogger, type Logger } from "./logger";
import type { ReadinessDeps } from "./readiness";
import { isQuietPath, observeRequests, pathnameOf, requestIdFrom, type RequestHandler } from "./requests";

// A real HTTP server on loopback with the request pipeline of server/main.ts,
// over stand-in services (the integration test uses the real ones).

describe("request ids", () => {
  it("keeps a sane client id and replaces anything else with a fresh UUID", () => {
    expect(requestIdFrom("abc-123_x.y:z")).toBe("abc-123_x.y:z");
    expect(requestIdFrom("4bf92f3577b34da6a3ce929d0e0e4736")).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const bad of [undefined, "", "has space", "line\nbreak", '"quoted"', "x".repeat(129), ["a", "b"]]) {
      expect(requestIdFrom(bad)).toMatch(uuid);
    }
  });

  it("logs paths without their query and keeps probes and assets out of the access log", () => {
    expect(pathnameOf("/api/trpc/labs.get?batch=1&input=%7B%7D")).toBe("/api/trpc/labs.get");
    expect(isQuietPath("/_next/static/chunks/main.js")).toBe(true);
    expect(isQuietPath("/api/ready")).toBe(true);
    expect(isQuietPath("/api/trpc/labs.list")).toBe(false);
    expect(isQuietPath("/labs/first-container")).toBe(false);
  });
});

describe("metrics access", () => {
  const req = (remoteAddress: string, headers: Record<string, string> = {}) => ({ headers, socket: { remoteAddress } });

  it("knows loopback addresses in every form", () => {
    for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ["10.0.0.1", "::ffff:192.0.2.1", "2001:db8::1", undefined]) expect(isLoopbackAddress(a)).toBe(false);
  });

  it("without METRICS_TOKEN serves this machine only, and not through a proxy", () => {
    expect(metricsRefusal(req("127.0.0.1"), undefined)).toBeNull();
    expect(metricsRefusal(req("::1"), undefined)).toBeNull();
    expect(metricsRefusal(req("192.0.2.7"), undefined)).toMatchObject({ status: 403, message: expect.stringContaining("METRICS_TOKEN") });
    expect(metricsRefusal(req("127.0.0.1", { "x-forwarded-for": "192.0.2.7" }), undefined)?.status).toBe(403);
    expect(metricsRefusal(req("127.0.0.1", { forwarded: "for=192.0.2.7" }), undefined)?.status).toBe(403);
  });

  it("with METRICS_TOKEN wants the bearer token from everyone, loopback included", () => {
    const token = "s3cret-token-0123456789";
    expect(metricsRefusal(req("192.0.2.7", { authorization: `Bearer ${token}` }), token)).toBeNull();
    expect(metricsRefusal(req("127.0.0.1"), token)).toMatchObject({ status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
    expect(metricsRefusal(req("127.0.0.1", { authorization: "Bearer wrong" }), token)?.status).toBe(401);
    expect(metricsRefusal(req("127.0.0.1", { authorization: token }), token)?.status).toBe(401);
  });
});

describe("request pipeline on a real server", () => {
  let server: http.Server;
  let base: string;
  let ops: OpsEndpoints;
  let lines: Record<string, unknown>[] = [];
  let logger: Logger;
  const deps = { dbUp: true, labs: 2, sandboxes: true, dockerUp: true, hosts: null as null | { name: string; state: "up" | "suspect" | "down" }[] };

  const fakeServices = {
    db: {
      description: "fake db",
      ping: async () => {
        if (!deps.dbUp) throw new Error("connection refused");
      },
    },
    labs: { list: async () => Array.from({ length: deps.labs }, (_, i) => ({ slug: `lab-${i}` })) },
    sessions: {
      capacity: () => (deps.sandboxes ? [{ environment: "node" }] : []),
      providerFor: () => (deps.hosts ? { hosts: () => deps.hosts } : { name: "docker" }),
    },
    docker: { ping: async () => (deps.dockerUp ? "OK" : Promise.reject(new Error("connect ENOENT /var/run/docker.sock"))) },
  } as unknown as ReadinessDeps;

  const app: RequestHandler = async (req, res) => {
    if (await ops.handle(req, res)) return;
    if (req.url === "/boom") throw new Error("handler exploded");
    // A service logging while the request runs: the line must carry the request id.
    logger.info({ component: "sessions" }, "inside the handler");
    res.writeHead(200, { "content-type": "text/plain" }).end(req.headers["x-request-id"]);
  };

  beforeAll(async () => {
    logger = createLogger({ destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
    ops = createOpsEndpoints(fakeServices);
    server = http.createServer(observeRequests(app, () => logger));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(() => {
    lines = [];
    Object.assign(deps, { dbUp: true, labs: 2, sandboxes: true, dockerUp: true });
  });

  /** Waits for the access-log line of a request (written when the response finishes). */
  const accessLine = async (path: string) => {
    for (let i = 0; i < 50 && !lines.some((l) => l.component === "http" && l.path === path); i++) await new Promise((r) => setTimeout(r, 10));
    return lines.find((l) => l.component === "http" && l.path === path);
  };

  it("echoes a sane X-Request-Id, hands it to the app and logs one access line with it", async () => {
    const res = await fetch(`${base}/labs/first?x=1`, { headers: { "x-request-id": "client-id-1" } });
    expect(res.headers.get("x-request-id")).toBe("client-id-1");
    expect(await res.text()).toBe("client-id-1");
    expect(await accessLine("/labs/first")).toMatchObject({ level: "info", reqId: "client-id-1", method: "GET", status: 200 });
    expect(typeof (await accessLine("/labs/first"))!.durationMs).toBe("number");
    expect(lines.find((l) => l.msg === "inside the handler")).toMatchObject({ reqId: "client-id-1", component: "sessions" });
  });

  it("makes up an id when the client sends none or a bad one", async () => {
    const res = await fetch(`${base}/page`, { headers: { "x-request-id": "bad id with spaces" } });
    const id = res.headers.get("x-request-id")!;
    expect(id).not.toBe("bad id with spaces");
    expect(await res.text()).toBe(id);
    expect((await accessLine("/page"))!.reqId).toBe(id);
  });

  it("answers a throwing handler with 500 and the request id, and logs the error", async () => {
    const res = await fetch(`${base}/boom`);
    const id = res.headers.get("x-request-id")!;
    expect(res.status).toBe(500);
    expect(await res.text()).toBe(`Internal error; it was logged with request id ${id}.`);
    expect(lines.find((l) => l.level === "error")).toMatchObject({ reqId: id, err: { message: "handler exploded" } });
    expect(await accessLine("/boom")).toMatchObject({ level: "warn", status: 500 });
  });

  it("serves liveness without asking any dependency", async () => {
    deps.dbUp = false;
    deps.dockerUp = false;
    const res = await fetch(`${base}/api/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "live" });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("is ready when every dependency answers, and keeps successful probes out of the access log", async () => {
    const res = await fetch(`${base}/api/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ready", ready: true, reasons: [], checks: { database: { ok: true }, catalog: { ok: true }, docker: { ok: true } } });
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.filter((l) => l.component === "http")).toEqual([]);
  });

  it("is not ready, with a reason per failing dependency, and logs that probe", async () => {
    deps.dbUp = false;
    deps.labs = 0;
    deps.dockerUp = false;
    const res = await fetch(`${base}/api/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; reasons: string[] };
    expect(body.ready).toBe(false);
    expect(body.reasons).toEqual([
      "The database does not answer (connection refused); check DATABASE_URL and that the database server is running.",
      "The lab catalog is not loaded (it has no labs); check LABS_DIR and run `npx labs validate`.",
      "Docker does not answer (connect ENOENT /var/run/docker.sock); sandboxes cannot start until it does.",
    ]);
    expect(await accessLine("/api/ready")).toMatchObject({ status: 503 });
  });

  it("does not need Docker when no sandbox provider is configured", async () => {
    deps.sandboxes = false;
    deps.dockerUp = false;
    const res = await fetch(`${base}/api/ready`);
    expect(res.status).toBe(200);
  });

  it("with several Docker hosts, is ready while one answers and says which do not", async () => {
    deps.hosts = [
      { name: "a", state: "up" },
      { name: "b", state: "down" },
    ];
    try {
      let res = await fetch(`${base}/api/ready`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).toContain("Docker answers on a; b is down.");
      deps.hosts = [
        { name: "a", state: "suspect" },
        { name: "b", state: "down" },
      ];
      res = await fetch(`${base}/api/ready`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { reasons: string[] }).reasons.join(" ")).toMatch(/none of the Docker hosts answers \(a: suspect, b: down\)/);
    } finally {
      deps.hosts = null;
    }
  });

  it("says not ready once shutting down", async () => {
    const local = createOpsEndpoints(fakeServices);
    local.markShuttingDown();
    const s = http.createServer(
      observeRequests(
        async (req, res) => void (await local.handle(req, res)),
        () => logger,
      ),
    );
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/ready`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { reasons: string[] }).reasons).toEqual(["The server is shutting down."]);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it("serves metrics to loopback clients and refuses methods other than GET and HEAD", async () => {
    const res = await fetch(`${base}/api/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain("# TYPE labs_http_request_duration_seconds histogram");
    const head = await fetch(`${base}/api/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    const post = await fetch(`${base}/api/ready`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("refuses metrics to proxied requests when no token is set", async () => {
    const res = await fetch(`${base}/api/metrics`, { headers: { "x-forwarded-for": "192.0.2.7" } });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/set METRICS_TOKEN/);
  });
});
