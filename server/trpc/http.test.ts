import { describe, expect, it } from "vitest";
import type { Context } from "./context";
import { databaseUnavailable } from "../db/connection-errors";
import { handleTrpcRequest, MAX_BATCH_SIZE } from "./http";

// No procedure runs in these cases, so the context is never used.
const noContext = async () => ({ services: undefined, user: null }) as unknown as Context;
const batch = (n: number) => {
  const paths = Array.from({ length: n }, () => "labs.list").join(",");
  const input = JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { json: null }])));
  return new Request(`http://localhost/api/trpc/${paths}?batch=1&input=${encodeURIComponent(input)}`);
};

describe("the /api/trpc handler", () => {
  it(`refuses a batch of more than ${MAX_BATCH_SIZE} calls with 400, before running any`, async () => {
    const res = await handleTrpcRequest(batch(MAX_BATCH_SIZE + 1), noContext);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/batch/i);
  });

  it("accepts a batch at the limit as far as the procedures (here: unknown ones, 404)", async () => {
    const paths = Array.from({ length: MAX_BATCH_SIZE }, () => "no.such").join(",");
    const input = JSON.stringify(Object.fromEntries(Array.from({ length: MAX_BATCH_SIZE }, (_, i) => [i, { json: null }])));
    const res = await handleTrpcRequest(new Request(`http://localhost/api/trpc/${paths}?batch=1&input=${encodeURIComponent(input)}`), noContext);
    expect(res.status).toBe(404);
  });

  it("refuses a state-changing request from another site's page with 403 before anything runs; its own origin and Origin-less callers pass", async () => {
    const allowedOrigins = new Set(["http://127.0.0.1:3000"]);
    const post = (origin?: string) =>
      new Request("http://127.0.0.1:3000/api/trpc/no.such", { method: "POST", body: JSON.stringify({ json: null }), headers: { "content-type": "application/json", ...(origin ? { origin } : {}) } });
    const foreign = await handleTrpcRequest(post("https://evil.example"), noContext, { allowedOrigins });
    expect(foreign.status).toBe(403);
    expect(JSON.stringify(await foreign.json())).toContain("Requests from https://evil.example are not accepted here");
    // The same requests from the platform's own page, or from a script, reach the router (an unknown procedure: 404).
    expect((await handleTrpcRequest(post("http://127.0.0.1:3000"), noContext, { allowedOrigins })).status).toBe(404);
    expect((await handleTrpcRequest(post(), noContext, { allowedOrigins })).status).toBe(404);
  });

  it("answers 503 with Retry-After, saying why, when the caller's session cannot be read because the database is out of reach (was 500)", async () => {
    const unreachable = async (): Promise<Context> => {
      throw databaseUnavailable(new Error("terminating connection due to administrator command"));
    };
    const res = await handleTrpcRequest(new Request("http://localhost/api/trpc/sessions.get?input=%7B%7D"), unreachable);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(JSON.stringify(await res.json())).toMatch(/lost its database connection for a moment/);
  });
});
