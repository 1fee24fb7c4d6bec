import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as meRoute from "../app/api/v1/me/route";
import * as gradeRoute from "../app/api/v1/sessions/[id]/grade/route";
import { startTestPlatform, type TestPlatform } from "../test/support/services";
import { createApiToken } from "./api-tokens/service";
import type { SessionUser } from "./auth/principal";
import { DockerProvider } from "./sandbox/providers/docker/provider";
import { installServices } from "./services";
import { createContextInner } from "./trpc/context";
import { handleTrpcRequest } from "./trpc/http";

type Caller = Awaited<ReturnType<TestPlatform["signUp"]>>["caller"];
type Route = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

const INSTANCE = `t-ratelimit-${process.pid}`;
// Small limits so a flood is a handful of calls; one call a second refills
// too slowly to blur a flood sent all at once.
const LIMITS = {
  RATE_LIMIT_CHECK_NOW_PER_SEC: "1",
  RATE_LIMIT_CHECK_NOW_BURST: "3",
  RATE_LIMIT_CGROUP_TREE_PER_SEC: "1",
  RATE_LIMIT_CGROUP_TREE_BURST: "2",
  RATE_LIMIT_API_PER_SEC: "1",
  RATE_LIMIT_API_BURST: "4",
};
const FLOOD = 12;

/** Sends `n` calls at once; counts the answers and keeps the refusals. */
async function flood<T>(n: number, call: () => Promise<T>): Promise<{ ok: T[]; refused: unknown[] }> {
  const settled = await Promise.allSettled(Array.from({ length: n }, call));
  return {
    ok: settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : [])),
    refused: settled.flatMap((s) => (s.status === "rejected" ? [s.reason] : [])),
  };
}

/** Waits until a budget of `calls` at one a second has refilled. */
const refilled = (calls: number) => new Promise((resolve) => setTimeout(resolve, calls * 1000 + 100));

// Issue 16: a flood of expensive calls by one user (checks, the cgroup tree
// over `docker exec`, the REST grade API) is refused with RATE_LIMITED once
// past its budget, while another user calling the same thing on the same
// session goes on unaffected. One real node: the calls do real work.
describe("per-user rate limits on expensive calls (real Docker, PostgreSQL)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let admin: Caller;
  let ada: Caller;
  let adaUser: SessionUser;
  let sessionId = "";
  const tokens = { admin: "", ada: "" };

  beforeAll(async () => {
    platform = await startTestPlatform("postgres", { LABS_INSTANCE: INSTANCE, ...LIMITS }, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    installServices(platform.services); // the REST route modules read the process's services
    provider = new DockerProvider({ instance: INSTANCE });
    admin = (await platform.signUp("admin@example.com")).caller; // first account: admin, who may check anyone's session
    ada = (await platform.signUp("ada@example.com")).caller;
    adaUser = (await ada.system.me())!;
    const prisma = platform.services.db.prisma;
    tokens.admin = (await createApiToken(prisma, (await admin.system.me())!, { name: "admin grader" })).token;
    tokens.ada = (await createApiToken(prisma, adaUser, { name: "ada's script" })).token;
    await platform.services.sessions.boot();
    const session = await ada.sessions.start({ slug: "meet-your-node" });
    for await (const v of platform.services.sessions.watch(adaUser, session.id)) if (v.state === "ready") break;
    sessionId = session.id;
  });

  afterAll(async () => {
    installServices(undefined);
    await platform?.services.grading.shutdown();
    await platform?.services.sessions.shutdown();
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  it("checkNow: past the burst one user gets TOO_MANY_REQUESTS with a sentence; another user's checks of the same session go through", async () => {
    const { ok, refused } = await flood(FLOOD, () => ada.grading.checkNow({ sessionId }));
    expect(ok).toHaveLength(3);
    expect(ok[0]!.length).toBeGreaterThan(0); // real checks ran
    expect(refused).toHaveLength(FLOOD - 3);
    for (const err of refused) expect(err).toMatchObject({ code: "TOO_MANY_REQUESTS", message: "You are checking too often; wait a second and try again." });
    const other = await flood(3, () => admin.grading.checkNow({ sessionId }));
    expect(other.refused).toEqual([]);
    // The budget refills: a second later the learner may check again.
    await refilled(1);
    expect((await ada.grading.checkNow({ sessionId })).length).toBeGreaterThan(0);
  });

  it("cgroupTree: the same, for the live tree read over docker exec", async () => {
    const { ok, refused } = await flood(FLOOD, () => ada.sessions.cgroupTree({ id: sessionId }));
    expect(ok).toHaveLength(2);
    expect(ok[0]!.some((n) => n.path === "/")).toBe(true);
    expect(refused).toHaveLength(FLOOD - 2);
    for (const err of refused) expect(err).toMatchObject({ code: "TOO_MANY_REQUESTS", message: "The cgroup tree is being refreshed too often; wait a second and try again." });
    expect((await flood(2, () => admin.sessions.cgroupTree({ id: sessionId }))).refused).toEqual([]);
  });

  it("over HTTP a refusal is a 429", async () => {
    await refilled(3);
    const createContext = async () => createContextInner({ services: platform.services, user: adaUser });
    const post = () =>
      handleTrpcRequest(
        new Request("http://labs.test/api/trpc/grading.checkNow", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: { sessionId } }) }),
        createContext,
      );
    const statuses = (await Promise.all(Array.from({ length: 6 }, post))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });

  it("REST: one token's flood gets 429 RATE_LIMITED with Retry-After; another user's token is served", async () => {
    const call = (route: Route, method: string, path: string, token: string) =>
      route(new Request(`http://labs.test${path}`, { method, headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id: sessionId }) });
    const grade = (token: string) => call(gradeRoute.POST, "POST", `/api/v1/sessions/${sessionId}/grade`, token);
    const answers = await Promise.all(Array.from({ length: FLOOD }, () => grade(tokens.ada)));
    const refused = answers.filter((r) => r.status === 429);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(4);
    expect(refused).toHaveLength(FLOOD - 4);
    expect(refused[0]!.headers.get("retry-after")).toBe("1");
    expect(await refused[0]!.json()).toEqual({
      error: { code: "RATE_LIMITED", message: "Too many API requests from your account: at most 1 a second (4 at once); wait a second and try again." },
    });
    // Every endpoint shares the account's API budget: the cheapest is refused too.
    expect((await call(meRoute.GET, "GET", "/api/v1/me", tokens.ada)).status).toBe(429);
    const other = await Promise.all(Array.from({ length: 4 }, () => grade(tokens.admin)));
    expect(other.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });
});
