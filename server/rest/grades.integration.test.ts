import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cohortResultsRoute from "../../app/api/v1/cohorts/[id]/results/route";
import * as unknownRoute from "../../app/api/v1/[...path]/route";
import * as meRoute from "../../app/api/v1/me/route";
import * as gradeRoute from "../../app/api/v1/sessions/[id]/grade/route";
import * as sessionRoute from "../../app/api/v1/sessions/[id]/route";
import { serveApiRoutes, type ApiRoute, type ApiServer } from "../../test/support/api-routes";
import { LoopbackReceiver } from "../../test/support/loopback-receiver";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { until } from "../../test/support/wait";
import { createApiToken, revokeApiToken } from "../api-tokens/service";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { installServices } from "../services";
import type { SessionUser } from "../auth/principal";
import { createWebhook } from "../webhooks/manage";
import { SIGNATURE_HEADER, verifySignature } from "../webhooks/signing";
import { WebhookWorker } from "../webhooks/worker";
import { CSV_FIXED_COLUMNS } from "../grades/export";
import { HISTORY_LIMIT } from "../grades/session-report";

// The REST API over real HTTP (test/support/api-routes.ts: the very route
// modules Next serves from app/api/v1, without Next's compiler), against real
// services, a real database and a real node sandbox; the e2e suite covers the
// same endpoints through Next.
const ROUTES: ApiRoute[] = [
  [/^\/api\/v1\/me$/, [], meRoute],
  [/^\/api\/v1\/cohorts\/([^/]+)\/results$/, ["id"], cohortResultsRoute],
  [/^\/api\/v1\/sessions\/([^/]+)\/grade$/, ["id"], gradeRoute],
  [/^\/api\/v1\/sessions\/([^/]+)$/, ["id"], sessionRoute],
  [/^\/api\/v1\/(.*)$/, ["path"], unknownRoute],
];

const INSTANCE = `t-rest-${process.pid}`;

describe("REST API /api/v1 over HTTP (real Docker)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let server: ApiServer | undefined;
  let receiver: LoopbackReceiver;
  let hookWorker: WebhookWorker;
  let base = "";
  let cohortId = "";
  let sessionId = "";
  let sandboxId = "";
  let hookSecret = "";
  let ada: SessionUser;
  const tokens: Record<"admin" | "teacher" | "otherTeacher" | "ada" | "bob", string> = { admin: "", teacher: "", otherTeacher: "", ada: "", bob: "" };
  let teacherCookie = "";

  const call = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    return fetch(`${base}${path}`, { ...init, headers });
  };
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: INSTANCE }, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    installServices(platform.services);
    provider = new DockerProvider({ instance: INSTANCE });
    const prisma = platform.services.db.prisma;
    server = await serveApiRoutes(ROUTES);
    base = server.base;
    receiver = await LoopbackReceiver.start();

    await platform.signUp("admin@example.com"); // first account: admin
    for (const name of ["teacher", "other-teacher", "ada", "bob"]) await platform.signUp(`${name}@example.com`);
    await prisma.user.updateMany({ where: { email: { in: ["teacher@example.com", "other-teacher@example.com"] } }, data: { role: "instructor" } });
    teacherCookie = (await platform.signIn("teacher@example.com")).cookie;
    const users = Object.fromEntries((await prisma.user.findMany()).map((u) => [u.email, u]));
    const keyOf = { admin: "admin@example.com", teacher: "teacher@example.com", otherTeacher: "other-teacher@example.com", ada: "ada@example.com", bob: "bob@example.com" } as const;
    for (const [key, email] of Object.entries(keyOf)) tokens[key as keyof typeof tokens] = (await createApiToken(prisma, users[email]!, { name: `${key}'s script` })).token;
    const a = users["ada@example.com"]!;
    ada = { id: a.id, email: a.email, name: a.name, role: "learner" };

    const lab = await prisma.lab.findUniqueOrThrow({ where: { slug: "first-container" } });
    const cohort = await prisma.cohort.create({
      data: {
        name: "Runtime week",
        joinCode: "rest-test",
        ownerId: users["teacher@example.com"]!.id,
        labs: { create: [{ labId: lab.id, position: 0 }] },
        members: { create: [{ userId: a.id }, { userId: users["bob@example.com"]!.id }] },
      },
    });
    cohortId = cohort.id;
    const teacher = users["teacher@example.com"]!;
    // The receiver is on loopback, which webhooks reach only when the
    // operator allows private targets: this test's worker is told so (as
    // WEBHOOK_ALLOW_PRIVATE_TARGETS=1 tells the platform's) and replaces the
    // platform's, which would refuse the delivery.
    hookSecret = (await createWebhook(prisma, { id: teacher.id, role: "instructor" }, { cohortId, url: `${receiver.url}/lms`, events: ["task.passed"] }, { allowPrivateTargets: true })).secret;
    await platform.services.webhooks.worker.stop();
    hookWorker = new WebhookWorker({ prisma, allowPrivateTargets: true, config: { pollMs: 200 } });
    hookWorker.start();

    await platform.services.sessions.boot();
    const s = await platform.services.sessions.start(ada, "first-container");
    for await (const v of platform.services.sessions.watch(ada, s.id)) if (v.state === "ready") break;
    sessionId = s.id;
    sandboxId = (await platform.services.sessions.get(ada, s.id)).sandboxId!;
  });
  afterAll(async () => {
    await server?.close();
    await hookWorker?.stop();
    await receiver?.close();
    await platform?.services.sessions.shutdown();
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    installServices(undefined);
    await platform?.close(true);
  });

  it("refuses calls without valid credentials with 401 and a JSON sentence", async () => {
    const none = await call("/api/v1/me");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="runtime-labs"');
    expect(await errorOf(none)).toEqual({ code: "UNAUTHORIZED", message: "Sign in, or send an API token as `Authorization: Bearer rl_...` (create one on your Account page)." });
    const garbled = await call("/api/v1/me", { headers: { authorization: "Token abc" } });
    expect(await errorOf(garbled)).toMatchObject({ message: "The Authorization header must be `Bearer <token>`." });
    const forged = await call("/api/v1/me", { token: `rl_${"A".repeat(43)}` });
    expect(forged.status).toBe(401);
    expect((await errorOf(forged)).message).toMatch(/^That API token is not valid/);
  });

  it("acts as the token's user, records its use, and also accepts the browser's cookie", async () => {
    const me = await call("/api/v1/me", { token: tokens.ada });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ user: { id: ada.id, email: "ada@example.com", name: "ada", role: "learner" }, via: "token", scopes: ["read"] });
    const row = await platform.services.db.prisma.apiToken.findFirstOrThrow({ where: { userId: ada.id } });
    expect(row.lastUsedAt).toBeInstanceOf(Date);
    expect(row.tokenHash).not.toContain(tokens.ada);
    const byCookie = await call("/api/v1/me", { headers: { cookie: teacherCookie } });
    expect(await byCookie.json()).toMatchObject({ user: { email: "teacher@example.com", role: "instructor" }, via: "cookie", scopes: ["read", "labs"] });
  });

  it("stops a revoked token and an expired one, saying which", async () => {
    const prisma = platform.services.db.prisma;
    const revoked = await createApiToken(prisma, ada, { name: "old laptop" });
    await revokeApiToken(prisma, ada, revoked.view.id);
    expect(await errorOf(await call("/api/v1/me", { token: revoked.token }))).toEqual({
      code: "UNAUTHORIZED",
      message: "The API token “old laptop” was revoked; create a new one on your Account page.",
    });
    const expired = await createApiToken(prisma, ada, { name: "one-day", expiresInDays: 1 }, new Date(Date.now() - 2 * 86_400_000));
    expect((await errorOf(await call("/api/v1/me", { token: expired.token }))).message).toBe("The API token “one-day” expired; create a new one on your Account page.");
  });

  it("serves the cohort's results as JSON to its instructor and an admin", async () => {
    for (const token of [tokens.teacher, tokens.admin]) {
      const res = await call(`/api/v1/cohorts/${cohortId}/results`, { token });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("content-disposition")).toBeNull();
      const body = (await res.json()) as {
        cohort: { name: string };
        labs: { slug: string; maxPoints: number }[];
        learners: { email: string; joinedAt: string; labs: Record<string, { sessionId: string | null }> }[];
        generatedAt: string;
      };
      expect(body.cohort.name).toBe("Runtime week");
      expect(body.labs).toMatchObject([{ slug: "first-container", maxPoints: 20 }]);
      expect(body.learners.map((l) => l.email)).toEqual(["ada@example.com", "bob@example.com"]);
      expect(body.learners[0]!.labs["first-container"]!.sessionId).toBe(sessionId);
      expect(body.generatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it("serves CSV as an attachment for ?format=csv, Accept: text/csv, and the dashboard's cookie", async () => {
    const requests = [
      call(`/api/v1/cohorts/${cohortId}/results?format=csv`, { token: tokens.teacher }),
      call(`/api/v1/cohorts/${cohortId}/results`, { token: tokens.teacher, headers: { accept: "text/csv" } }),
      call(`/api/v1/cohorts/${cohortId}/results?format=csv`, { headers: { cookie: teacherCookie } }),
    ];
    for (const res of await Promise.all(requests)) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="runtime-week-results-\d{4}-\d\d-\d\d\.csv"$/);
      const lines = (await res.text()).split("\r\n");
      expect(lines[0]).toBe([...CSV_FIXED_COLUMNS, "first-container/run-first", "first-container/own-pid-namespace"].join(","));
      expect(lines[1]).toMatch(/^ada,ada@example\.com,first-container,/);
      expect(lines).toHaveLength(4); // header, ada, bob, and the empty string after the last CRLF
    }
    const json = await call(`/api/v1/cohorts/${cohortId}/results?format=json`, { token: tokens.teacher });
    expect(json.headers.get("content-disposition")).toMatch(/^attachment; filename="runtime-week-results-.*\.json"$/);
  });

  it("answers 404 for a cohort the caller does not manage, as for one that does not exist", async () => {
    for (const token of [tokens.bob, tokens.ada, tokens.otherTeacher]) {
      const res = await call(`/api/v1/cohorts/${cohortId}/results?format=csv`, { token });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toEqual({ code: "NOT_FOUND", message: "That cohort does not exist, or it is not yours." });
    }
    expect((await call("/api/v1/cohorts/no-such-cohort/results", { token: tokens.teacher })).status).toBe(404);
  });

  it("grades the learner's own session now: checks run, the score comes back, and a signed webhook goes out", async () => {
    const before = await call(`/api/v1/sessions/${sessionId}/grade`, { method: "POST", token: tokens.ada });
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({ checkedNow: true, points: 0, maxPoints: 20, score: 0, tasks: [{ id: "run-first", status: "failed" }, { id: "own-pid-namespace" }] });

    const r = await provider.exec(sandboxId, ["ctr", "-n", "k8s.io", "run", "-d", "localhost/labs/shell:1", "first", "sleep", "3600"]);
    expect(r.exitCode).toBe(0);
    const res = await call(`/api/v1/sessions/${sessionId}/grade`, { method: "POST", token: tokens.ada });
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      checkedNow: boolean;
      note: string | null;
      points: number;
      maxPoints: number;
      score: number;
      session: { learner: { email: string } };
      tasks: { id: string; status: string; earned: number; points: number; passedAt: string | null; history?: unknown }[];
    };
    expect(report).toMatchObject({ checkedNow: true, note: null, points: 10, maxPoints: 20, score: 0.5, session: { learner: { email: "ada@example.com" } } });
    expect(report.tasks[0]).toMatchObject({ id: "run-first", status: "passed", points: 10, earned: 10 });
    expect(report.tasks[0]!.passedAt).toMatch(/Z$/);
    // The learner gets results, not the checks' evidence.
    expect(report.tasks[0]!.history).toBeUndefined();

    await until("the task.passed webhook to arrive", async () => receiver.requests.length > 0, 15_000);
    const hook = receiver.requests[0]!;
    expect(verifySignature(hookSecret, hook.headers[SIGNATURE_HEADER.toLowerCase()] as string, hook.body)).toBeNull();
    expect(JSON.parse(hook.body)).toMatchObject({ event: "task.passed", task: { id: "run-first" }, learner: { email: "ada@example.com" }, labScore: { points: 10, maxPoints: 20 } });
    const delivery = await platform.services.db.prisma.webhookDelivery.findFirstOrThrow();
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 200 });
  });

  it("shows staff the check history with evidence; the cohort's instructor may grade too", async () => {
    const res = await call(`/api/v1/sessions/${sessionId}`, { token: tokens.teacher });
    expect(res.status).toBe(200);
    const detail = (await res.json()) as { checkedNow: boolean; tasks: { id: string; history: { status: string; trigger: string; evidence: unknown }[] }[] };
    expect(detail.checkedNow).toBe(false);
    const history = detail.tasks.find((t) => t.id === "run-first")!.history;
    expect(history.map((h) => [h.status, h.trigger])).toEqual([
      ["failed", "grade"],
      ["passed", "grade"],
    ]);
    expect(JSON.stringify(history[1]!.evidence)).toContain("tamperResistant");
    const graded = await call(`/api/v1/sessions/${sessionId}/grade`, { method: "POST", token: tokens.teacher });
    expect(await graded.json()).toMatchObject({ checkedNow: true, points: 10 });
  });

  it("answers 404 to a second learner and to another instructor, for grading and for reading", async () => {
    for (const token of [tokens.bob, tokens.otherTeacher]) {
      const grade = await call(`/api/v1/sessions/${sessionId}/grade`, { method: "POST", token });
      expect(grade.status).toBe(404);
      expect(await errorOf(grade)).toEqual({ code: "NOT_FOUND", message: "That lab session does not exist, or it is not yours to see." });
      expect((await call(`/api/v1/sessions/${sessionId}`, { token })).status).toBe(404);
    }
    expect((await call("/api/v1/sessions/no-such-session/grade", { method: "POST", token: tokens.admin })).status).toBe(404);
  });

  it("refuses a cookie-authenticated write from another site, but not from our own pages", async () => {
    const foreign = await call(`/api/v1/sessions/${sessionId}/grade`, { method: "POST", headers: { cookie: teacherCookie, origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect((await errorOf(foreign)).message).toBe("Requests from https://evil.example may not use your browser session; send an API token instead.");
    const own = await call(`/api/v1/sessions/${sessionId}/grade`, { method: "POST", headers: { cookie: teacherCookie, origin: base } });
    expect(own.status).toBe(200);
  });

  it("answers unknown endpoints with a JSON 404", async () => {
    const res = await call("/api/v1/nothing/here", { token: tokens.ada });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual({ code: "NOT_FOUND", message: "There is no API endpoint GET /api/v1/nothing/here; docs/api.md lists them." });
  });

  it("answers a method an endpoint does not take with a JSON 405 naming the ones it does", async () => {
    const cases: [string, string, string][] = [
      ["DELETE", "/api/v1/me", "GET, HEAD"],
      ["POST", `/api/v1/cohorts/${cohortId}/results`, "GET, HEAD"],
      ["PUT", `/api/v1/sessions/${sessionId}`, "GET, HEAD"],
      ["GET", `/api/v1/sessions/${sessionId}/grade`, "POST"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await call(path, { method, token: tokens.ada });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(await errorOf(res)).toEqual({ code: "METHOD_NOT_ALLOWED", message: `${path} does not answer ${method}; use ${allow.split(", ")[0]} (docs/api.md).` });
    }
  });

  it(`gives staff the newest ${HISTORY_LIMIT} changes of the check history, oldest first`, async () => {
    const prisma = platform.services.db.prisma;
    const start = Date.now() + 60_000;
    await prisma.taskEvent.createMany({
      data: Array.from({ length: HISTORY_LIMIT + 50 }, (_, i) => ({
        sessionId,
        taskId: "own-pid-namespace",
        status: "failed" as const,
        message: `poll ${i}`,
        trigger: "poll",
        createdAt: new Date(start + i * 1_000),
      })),
    });
    const res = await call(`/api/v1/sessions/${sessionId}`, { token: tokens.teacher });
    const body = (await res.json()) as { tasks: { id: string; history: { message: string }[] }[] };
    const history = body.tasks.find((t) => t.id === "own-pid-namespace")!.history;
    expect(body.tasks.reduce((n, t) => n + t.history.length, 0)).toBe(HISTORY_LIMIT);
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history[0]!.message).toBe("poll 50");
    expect(history.at(-1)!.message).toBe(`poll ${HISTORY_LIMIT + 49}`);
    await prisma.taskEvent.deleteMany({ where: { sessionId, message: { startsWith: "poll " } } });
  });

  it("reports an ended session's stored score without running checks", async () => {
    await platform.services.sessions.end(ada, sessionId);
    const res = await call(`/api/v1/sessions/${sessionId}/grade`, { method: "POST", token: tokens.ada });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { checkedNow: boolean; note: string; points: number };
    expect(report.checkedNow).toBe(false);
    expect(report.points).toBe(10);
    expect(report.note).toMatch(/^The session is (ending|ended), so its sandbox cannot be checked/);
  });
});
