import { describe, expect, it } from "vitest";
import type { Context } from "./context";
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
});
