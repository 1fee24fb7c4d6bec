/**
 * The operations endpoints, answered by our HTTP server before Next sees the
 * request (so a probe never waits for Next to compile a route in development,
 * and works whatever state Next is in):
 *
 *   GET /api/live     200 while the process serves HTTP; no dependencies.
 *   GET /api/ready    200 when the database, catalog and Docker are fine;
 *                     503 with the reasons when not (readiness.ts).
 *   GET /api/metrics  Prometheus text exposition (metrics.ts). With
 *                     METRICS_TOKEN set, only for `Authorization: Bearer
 *                     <token>`; without it, only for clients on this
 *                     machine that did not come through a proxy.
 */
import { OPS_PATHS } from "./paths";
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { renderMetrics } from "./metrics";
import { checkReadiness, type ReadinessDeps } from "./readiness";
import { pathnameOf } from "./requests";

export { OPS_PATHS } from "./paths";

export interface OpsEndpointOptions {
  /** Bearer token required for /api/metrics; unset: loopback clients only. */
  metricsToken?: string;
}

export interface OpsEndpoints {
  /** Answers the request if it is for one of OPS_PATHS; resolves false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** From now on /api/ready says 503, so load balancers stop sending traffic. */
  markShuttingDown(): void;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store", ...headers });
  res.end(res.req?.method === "HEAD" ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value), headers);
}

/** True for 127.0.0.0/8 and ::1, also in IPv4-mapped IPv6 form. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/** Headers a reverse proxy adds: behind one, every client looks like loopback. */
const PROXY_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"];

function sameDigest(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** Why a metrics request may not be answered (status and sentence), or null when it may. */
export function metricsRefusal(
  req: Pick<IncomingMessage, "headers"> & { socket: { remoteAddress?: string } },
  token: string | undefined,
): { status: number; message: string; headers?: Record<string, string> } | null {
  if (token) {
    const auth = req.headers.authorization;
    const given = typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice(7).trim() : "";
    if (given && sameDigest(given, token)) return null;
    return {
      status: 401,
      message: "Metrics need the bearer token set in METRICS_TOKEN: send `Authorization: Bearer <token>`.",
      headers: { "www-authenticate": 'Bearer realm="metrics"' },
    };
  }
  const proxied = PROXY_HEADERS.some((h) => req.headers[h] !== undefined);
  if (isLoopbackAddress(req.socket.remoteAddress) && !proxied) return null;
  return {
    status: 403,
    message: "Metrics are served only to this machine. To scrape them from elsewhere, set METRICS_TOKEN on the server and send it as a bearer token.",
  };
}

/** Creates the handlers of /api/live, /api/ready and /api/metrics. */
export function createOpsEndpoints(services: ReadinessDeps, options: OpsEndpointOptions = {}): OpsEndpoints {
  let shuttingDown = false;
  return {
    markShuttingDown() {
      shuttingDown = true;
    },
    async handle(req, res) {
      const path = pathnameOf(req.url);
      if (!(OPS_PATHS as readonly string[]).includes(path)) return false;
      if (req.method !== "GET" && req.method !== "HEAD") {
        send(res, 405, "text/plain; charset=utf-8", `${path} answers GET and HEAD only.`, { allow: "GET, HEAD" });
        return true;
      }
      if (path === "/api/live") {
        sendJson(res, 200, { status: "live", uptimeSeconds: Math.round(process.uptime()) });
      } else if (path === "/api/ready") {
        const report = await checkReadiness(services, { shuttingDown });
        sendJson(res, report.ready ? 200 : 503, { status: report.ready ? "ready" : "not ready", ...report });
      } else {
        const refusal = metricsRefusal(req, options.metricsToken);
        if (refusal) {
          send(res, refusal.status, "text/plain; charset=utf-8", refusal.message, refusal.headers);
        } else {
          const { contentType, body } = await renderMetrics();
          send(res, 200, contentType, body);
        }
      }
      return true;
    },
  };
}
