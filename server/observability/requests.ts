/**
 * Request ids and access logs for our HTTP server (server/main.ts). Every
 * request gets an id (the client's X-Request-Id when it is sane, else a new
 * one), sent back in the response's X-Request-Id and carried by every line
 * logged while the request is served (log-context.ts), Next's route
 * handlers and tRPC procedures included. When the response is done, one
 * access-log line and one labs_http_request_duration_seconds observation.
 */
import { PROBE_PATHS } from "./paths";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { withLogContext } from "./log-context";
import { rootLogger, type Logger } from "./logger";
import { recordHttpRequest } from "./metrics";

/** Ids we accept from clients: short, and nothing that could forge a log line or header. */
const SANE_ID = /^[\w.:@/+=-]{1,128}$/;

/** The client's request id when it is sane, else a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && SANE_ID.test(header) ? header : randomUUID();
}

/**
 * Gives `req` its request id (reusing a sane X-Request-Id) and writes it back
 * into the request's headers, so Next's route handlers read the same id.
 */
export function assignRequestId(req: IncomingMessage): string {
  const id = requestIdFrom(req.headers["x-request-id"]);
  req.headers["x-request-id"] = id;
  return id;
}

/** The path without its query: queries can carry tokens and whole tRPC inputs. */
export function pathnameOf(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  return q >= 0 ? raw.slice(0, q) : raw;
}

/** Paths whose successful requests are not access-logged: assets, hot reload, probes, scrapes. */
const QUIET_PREFIXES = ["/_next/static/", "/_next/image", "/_next/webpack-hmr", "/__nextjs", "/favicon.ico"];
const QUIET_PATHS = new Set(PROBE_PATHS);

/** True when a successful request to `pathname` would only be noise in the access log. */
export function isQuietPath(pathname: string): boolean {
  return QUIET_PATHS.has(pathname) || QUIET_PREFIXES.some((p) => pathname.startsWith(p));
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Wraps the server's request handler with request ids, the access log and
 * HTTP metrics. A handler that throws gets a 500 with a sentence; the error
 * is logged with the request's id.
 */
export function observeRequests(handler: RequestHandler, logger: () => Logger = rootLogger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const reqId = assignRequestId(req);
    res.setHeader("X-Request-Id", reqId);
    const method = req.method ?? "GET";
    const path = pathnameOf(req.url);
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const status = res.statusCode;
      recordHttpRequest({ method, pathname: path, status, durationMs });
      if (status < 400 && isQuietPath(path)) return;
      // 'close' before 'finish': the client went away before the response was complete.
      const aborted = !res.writableFinished;
      const fields = { component: "http", reqId, method, path, status, durationMs, ...(aborted && { aborted }) };
      const line = `${method} ${path} ${status} ${durationMs} ms${aborted ? " (client went away)" : ""}`;
      if (status >= 500) logger().warn(fields, line);
      else logger().info(fields, line);
    };
    res.once("finish", finished);
    res.once("close", finished);
    withLogContext({ reqId }, () =>
      handler(req, res).catch((err: unknown) => {
        logger().error({ component: "http", reqId, err }, `${method} ${path} failed`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`Internal error; it was logged with request id ${reqId}.`);
      }),
    );
  };
}
