import http from "node:http";
import type { AddressInfo } from "node:net";
import * as unknownRoute from "../../app/api/v1/[...path]/route";
import * as meRoute from "../../app/api/v1/me/route";
import * as labSourceRoute from "../../app/api/v1/labs/[slug]/source/route";
import * as labVersionsRoute from "../../app/api/v1/labs/[slug]/versions/route";
import * as labVersionRoute from "../../app/api/v1/labs/[slug]/versions/[n]/route";
import * as labVersionTestRoute from "../../app/api/v1/labs/[slug]/versions/[n]/test/route";
import * as labVersionPublishRoute from "../../app/api/v1/labs/[slug]/versions/[n]/publish/route";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** A path pattern, the names of its captures (Next's [segments]) and the route module serving it. */
export type ApiRoute = [RegExp, string[], Record<string, unknown>];

/** The authoring endpoints of /api/v1/labs (`labs push`, `labs pull`), /me, and the catch-all 404. */
export const LAB_ROUTES: ApiRoute[] = [
  [/^\/api\/v1\/me$/, [], meRoute],
  [/^\/api\/v1\/labs\/([^/]+)\/versions$/, ["slug"], labVersionsRoute],
  [/^\/api\/v1\/labs\/([^/]+)\/versions\/([^/]+)\/test$/, ["slug", "n"], labVersionTestRoute],
  [/^\/api\/v1\/labs\/([^/]+)\/versions\/([^/]+)\/publish$/, ["slug", "n"], labVersionPublishRoute],
  [/^\/api\/v1\/labs\/([^/]+)\/versions\/([^/]+)$/, ["slug", "n"], labVersionRoute],
  [/^\/api\/v1\/labs\/([^/]+)\/source$/, ["slug"], labSourceRoute],
  [/^\/api\/v1\/(.*)$/, ["path"], unknownRoute],
];

export interface ApiServer {
  /** http://127.0.0.1:<port> */
  base: string;
  /** Requests received so far (method and path), for tests that must prove none was made. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * The REST API over real HTTP without Next: a Node server on 127.0.0.1 that
 * serves the very route modules Next serves from app/api/v1 (same exports,
 * same params shape), so a test or a spawned `labs` command talks to it as
 * to a platform. The route modules find the services through
 * installServices, as under server/main.ts.
 */
export async function serveApiRoutes(routes: ApiRoute[]): Promise<ApiServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const match = routes.map(([re, names, mod]) => ({ m: re.exec(url.pathname), names, mod })).find((r) => r.m);
      const handler = match?.mod[req.method ?? "GET"] as Handler | undefined;
      if (!match || !handler) return void res.writeHead(405).end();
      const params = Object.fromEntries(match.names.map((n, i) => [n, decodeURIComponent(match.m![i + 1]!)]));
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const response = await handler(new Request(url, { method: req.method, headers, body }), { params: Promise.resolve(params) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
