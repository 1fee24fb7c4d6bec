import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_ROUTES, serveApiRoutes, type ApiServer } from "../../test/support/api-routes";
import { fakeLabTests } from "../../test/support/fake-lab-tests";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { until } from "../../test/support/wait";
import { createApiToken } from "../api-tokens/service";
import { labTemplate } from "../labs/template";
import { validateSource } from "../labs/versions";
import { installServices } from "../services";

// Pushing and pulling labs over the REST API (/api/v1/labs, what `labs push`
// and `labs pull` call) through real HTTP, the real route modules, real
// services and a real database (PGlite). No Docker: the server's lab test
// runs are replaced by fakeLabTests, which write the progress a real run
// writes (a real run needs a node; server/labs and server/grading test that).

const SLUG = "pushed-lab";
const GOOD = labTemplate(SLUG);
const CHANGED = GOOD.replace("Say what the learner will be able to do, and why it matters.", "Say what the learner will do, and why it matters here.");
// Three problems: a bad difficulty (4:13), a bad duration (5:11), an unknown field (8:1).
const BROKEN = GOOD.replace("difficulty: beginner", "difficulty: easy").replace("duration: 20m", "duration: soon").replace("tags: []", "tags: []\ncolour: blue");

type ApiError = { code: string; message: string; problems?: { file: string; line: number; column: number; message: string }[] };

describe("REST API /api/v1/labs: push and pull (PGlite, no Docker)", () => {
  let platform: TestPlatform;
  let api: ApiServer;
  let tests: ReturnType<typeof fakeLabTests>;
  let teacherId = "";
  let teacherCookie = "";
  const tokens = { labs: "", readOnly: "", labsOnly: "", learner: "", otherTeacher: "" };

  const call = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    return fetch(`${api.base}${path}`, { ...init, headers });
  };
  const pushJson = (body: unknown, token = tokens.labs, slug = SLUG) =>
    call(`/api/v1/labs/${slug}/versions`, { method: "POST", token, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const errorOf = async (res: Response) => ((await res.json()) as { error: ApiError }).error;
  const prisma = () => platform.services.db.prisma;

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", {}, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    installServices(platform.services);
    tests = fakeLabTests(platform.services);
    api = await serveApiRoutes(LAB_ROUTES);
    await platform.signUp("admin@example.com"); // first account: admin
    for (const name of ["teacher", "other-teacher", "ada"]) await platform.signUp(`${name}@example.com`);
    await prisma().user.updateMany({ where: { email: { in: ["teacher@example.com", "other-teacher@example.com"] } }, data: { role: "instructor" } });
    teacherCookie = (await platform.signIn("teacher@example.com")).cookie;
    const users = Object.fromEntries((await prisma().user.findMany()).map((u) => [u.email, u]));
    const teacher = users["teacher@example.com"]!;
    teacherId = teacher.id;
    tokens.labs = (await createApiToken(prisma(), teacher, { name: "push", scopes: ["read", "labs"] })).token;
    tokens.readOnly = (await createApiToken(prisma(), teacher, { name: "grades" })).token;
    tokens.labsOnly = (await createApiToken(prisma(), teacher, { name: "push only", scopes: ["labs"] })).token;
    tokens.learner = (await createApiToken(prisma(), users["ada@example.com"]!, { name: "curious", scopes: ["labs"] })).token;
    tokens.otherTeacher = (await createApiToken(prisma(), users["other-teacher@example.com"]!, { name: "theirs", scopes: ["labs"] })).token;
  });
  afterAll(async () => {
    await api?.close();
    await tests?.settled();
    tests?.restore();
    installServices(undefined);
    await platform?.close(true);
  });

  it("refuses a lab with problems with 422 and every problem located in lab.md, and stores nothing", async () => {
    const res = await pushJson({ source: BROKEN });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error).toEqual({ code: "INVALID_LAB", message: "3 problem(s) in lab.md", problems: validateSource(SLUG, BROKEN).problems });
    expect(error.problems!.map((p) => `${p.file}:${p.line}:${p.column}`)).toEqual(["lab.md:4:13", "lab.md:5:11", "lab.md:8:1"]);
    expect(error.problems![2]!.message).toBe("unknown field: colour");
    expect(await prisma().lab.findUnique({ where: { slug: SLUG } })).toBeNull();
  });

  it("creates the lab on the first push (version 1, owned by the pusher), then stores changes as the next version, and the same text as unchanged", async () => {
    const first = await pushJson({ source: GOOD });
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe(`/api/v1/labs/${SLUG}/versions/1`);
    expect(await first.json()).toEqual({ slug: SLUG, version: 1, unchanged: false, created: true });
    const lab = await prisma().lab.findUniqueOrThrow({ where: { slug: SLUG }, include: { versions: true } });
    expect(lab).toMatchObject({ origin: "authored", ownerId: teacherId, currentVersionId: null });
    expect(lab.versions.map((v) => [v.number, v.via, v.source])).toEqual([[1, "push", GOOD]]);

    const second = await pushJson({ source: CHANGED, baseVersion: 1 });
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual({ slug: SLUG, version: 2, unchanged: false, created: false });

    const again = await pushJson({ source: CHANGED });
    expect(again.status).toBe(200);
    expect(again.headers.get("location")).toBeNull();
    expect(await again.json()).toEqual({ slug: SLUG, version: 2, unchanged: true, created: false });
    expect(await prisma().labVersion.count({ where: { labId: lab.id } })).toBe(2);
  });

  it("refuses a push based on an older version than the latest, saying which (409)", async () => {
    const res = await pushJson({ source: `${CHANGED}\nOne more line.\n`, baseVersion: 1 });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/^Version 2 of "pushed-lab" was saved after the version 1 you started from\./);
  });

  it("takes the text itself as text/markdown, baseVersion in the query, and locates invalid UTF-8 in it", async () => {
    const text = `${CHANGED}\nPushed as markdown.\n`;
    const res = await call(`/api/v1/labs/${SLUG}/versions?baseVersion=2`, { method: "POST", token: tokens.labs, headers: { "content-type": "text/markdown; charset=utf-8" }, body: text });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ version: 3, created: false });
    expect((await prisma().labVersion.findFirstOrThrow({ where: { lab: { slug: SLUG }, number: 3 } })).source).toBe(text);

    const [head, tail] = GOOD.split("# Pushed lab\n");
    const latin1 = Buffer.concat([Buffer.from(`${head}# Pushed lab caf`), Buffer.from([0xe9]), Buffer.from(`\n${tail}`)]);
    const bad = await call(`/api/v1/labs/${SLUG}/versions`, { method: "POST", token: tokens.labs, headers: { "content-type": "text/markdown" }, body: latin1 });
    expect(bad.status).toBe(422);
    const error = await errorOf(bad);
    expect(error.problems).toHaveLength(1);
    expect(error.problems![0]!.message).toMatch(/^invalid UTF-8 at byte \d+ \(0xe9\): save the file as UTF-8$/);
    expect(await prisma().labVersion.count({ where: { lab: { slug: SLUG } } })).toBe(3);
  });

  it("refuses a token without the labs scope (403, naming the scope), a learner's token, and a lab that is not theirs", async () => {
    const before = await prisma().labVersion.count();
    const readOnly = await pushJson({ source: `${GOOD}\nread only\n` }, tokens.readOnly);
    expect(readOnly.status).toBe(403);
    expect(await errorOf(readOnly)).toEqual({ code: "FORBIDDEN", message: "This token may not push or pull labs: create a token with the labs scope on your Account page." });
    expect((await call(`/api/v1/labs/${SLUG}/source`, { token: tokens.readOnly })).status).toBe(403);

    const learner = await pushJson({ source: GOOD }, tokens.learner, "learners-lab");
    expect(learner.status).toBe(403);
    expect(await errorOf(learner)).toEqual({ code: "FORBIDDEN", message: "Only instructors and admins write labs." });
    // A learner is refused before anything is said about the text.
    expect((await pushJson({ source: BROKEN }, tokens.learner)).status).toBe(403);
    expect((await call(`/api/v1/labs/${SLUG}/source`, { token: tokens.learner })).status).toBe(403);

    const theirs = await pushJson({ source: `${GOOD}\nnot mine\n` }, tokens.otherTeacher);
    expect(theirs.status).toBe(409);
    expect((await errorOf(theirs)).message).toBe(`A lab called "${SLUG}" already exists; pick another slug.`);
    const builtin = await pushJson({ source: labTemplate("first-container") }, tokens.labs, "first-container");
    expect(builtin.status).toBe(403);
    expect((await errorOf(builtin)).message).toMatch(/^"first-container" is a built-in lab: change labs\/first-container\/lab.md in the repository/);
    expect(await prisma().labVersion.count()).toBe(before);
  });

  it("keeps the read scope for the endpoints the API had before: a labs-only token may not read /me", async () => {
    const res = await call("/api/v1/me", { token: tokens.labsOnly });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toBe("This token may not read results, sessions or grades: create a token with the read scope on your Account page.");
    expect(await (await call("/api/v1/me", { token: tokens.labs })).json()).toMatchObject({ via: "token", scopes: ["read", "labs"] });
    // The labs-only token works on labs.
    expect((await call(`/api/v1/labs/${SLUG}/versions`, { token: tokens.labsOnly })).status).toBe(200);
  });

  it("pulls the text as text/markdown: the latest version, or the one asked for", async () => {
    const latest = await call(`/api/v1/labs/${SLUG}/source`, { token: tokens.labs });
    expect(latest.status).toBe(200);
    expect(latest.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(latest.headers.get("x-lab-version")).toBe("3");
    expect(await latest.text()).toBe(`${CHANGED}\nPushed as markdown.\n`);
    const first = await call(`/api/v1/labs/${SLUG}/source?version=1`, { token: tokens.labs });
    expect([first.headers.get("x-lab-version"), await first.text()]).toEqual(["1", GOOD]);
    const missing = await call(`/api/v1/labs/${SLUG}/source?version=9`, { token: tokens.labs });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).message).toBe(`Lab "${SLUG}" has no version 9.`);
    // Built-in labs are readable by staff (their text is the repository's).
    const builtin = await call("/api/v1/labs/first-container/source", { token: tokens.labs });
    expect(builtin.status).toBe(200);
    expect(await builtin.text()).toMatch(/^---\ntitle: /);
    // Another instructor cannot see this one.
    expect((await call(`/api/v1/labs/${SLUG}/source`, { token: tokens.otherTeacher })).status).toBe(404);
  });

  it("lists versions, and shows one without its text unless asked", async () => {
    const list = (await (await call(`/api/v1/labs/${SLUG}/versions`, { token: tokens.labs })).json()) as { lab: { slug: string; canEdit: boolean }; versions: { number: number; via: string }[] };
    expect(list.lab).toMatchObject({ slug: SLUG, canEdit: true });
    expect(list.versions.map((v) => [v.number, v.via])).toEqual([
      [3, "push"],
      [2, "push"],
      [1, "push"],
    ]);
    const one = (await (await call(`/api/v1/labs/${SLUG}/versions/1`, { token: tokens.labs })).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ slug: SLUG, number: 1, published: false, current: false, testStatus: "untested", testReport: null, problems: [] });
    expect(one).not.toHaveProperty("source");
    expect(await (await call(`/api/v1/labs/${SLUG}/versions/1?source=1`, { token: tokens.labs })).json()).toMatchObject({ number: 1, source: GOOD });
    const bad = await call(`/api/v1/labs/${SLUG}/versions/first`, { token: tokens.labs });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toBe('The version number must be a whole number from 1 to 1000000, like 3 (got "first").');
  });

  it("starts a test (202), shows its lines as they come, and publishes once it passed", async () => {
    const early = await call(`/api/v1/labs/${SLUG}/versions/3/publish`, { method: "POST", token: tokens.labs });
    expect(early.status).toBe(400);
    expect((await errorOf(early)).message).toMatch(/^Version 3 has not been tested\./);

    const started = await call(`/api/v1/labs/${SLUG}/versions/3/test`, { method: "POST", token: tokens.labs });
    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({ number: 3, testStatus: "running", testReport: { lines: [] } });
    expect(tests.started).toEqual([SLUG]);
    const done = await until("the test to finish", async () => {
      const v = (await (await call(`/api/v1/labs/${SLUG}/versions/3`, { token: tokens.labs })).json()) as { testStatus: string; testReport: { lines: unknown[]; passed?: boolean } };
      return v.testStatus !== "running" && v;
    });
    expect(done).toMatchObject({ testStatus: "passed", testReport: { passed: true } });
    expect(done.testReport.lines).toHaveLength(4); // the node, then the template's one task in three phases

    const published = await call(`/api/v1/labs/${SLUG}/versions/3/publish`, { method: "POST", token: tokens.labs });
    expect(published.status).toBe(200);
    expect(await published.json()).toMatchObject({ number: 3, published: true, current: true, publishOverride: null });
    // Untested, with the reason why.
    const why = "cluster lab: this server has no kind";
    const override = await call(`/api/v1/labs/${SLUG}/versions/2/publish`, {
      method: "POST",
      token: tokens.labs,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ override: why }),
    });
    expect(await override.json()).toMatchObject({ number: 2, published: true, current: true, publishOverride: why });
  });

  it("refuses bodies over the limits with 413 and a sentence, and other media types with 400", async () => {
    const huge = "x".repeat(2 * 1024 * 1024 + 1);
    const json = await call(`/api/v1/labs/${SLUG}/versions`, { method: "POST", token: tokens.labs, headers: { "content-type": "application/json" }, body: huge });
    expect(json.status).toBe(413);
    expect(await errorOf(json)).toEqual({ code: "PAYLOAD_TOO_LARGE", message: "The request body is larger than 2048 KiB; a lab may be at most 1024 KiB. Nothing was stored." });
    const text = await call(`/api/v1/labs/${SLUG}/versions`, { method: "POST", token: tokens.labs, headers: { "content-type": "text/markdown" }, body: huge.slice(0, 1024 * 1024 + 1) });
    expect(text.status).toBe(413);
    expect((await errorOf(text)).message).toBe("The lab is larger than 1024 KiB, the most a lab may be; nothing was stored.");
    const inJson = await pushJson({ source: "y".repeat(1024 * 1024 + 1) });
    expect(inJson.status).toBe(413);
    const form = await call(`/api/v1/labs/${SLUG}/versions`, { method: "POST", token: tokens.labs, headers: { "content-type": "application/x-www-form-urlencoded" }, body: GOOD });
    expect(form.status).toBe(400);
    expect((await errorOf(form)).message).toMatch(/^Send the lab as JSON \{"source": "<the text of lab.md>"\} with Content-Type: application\/json, or as its text with Content-Type: text\/markdown/);
    expect(await prisma().labVersion.count({ where: { lab: { slug: SLUG } } })).toBe(3);
  });

  it("answers wrong methods with JSON 405, and the browser session has every scope", async () => {
    const res = await call(`/api/v1/labs/${SLUG}/versions`, { method: "DELETE", token: tokens.labs });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST, HEAD");
    expect((await errorOf(res)).code).toBe("METHOD_NOT_ALLOWED");
    expect((await call(`/api/v1/labs/${SLUG}/versions/1/test`, { token: tokens.labs })).status).toBe(405);
    expect((await call(`/api/v1/labs/${SLUG}/source`, { method: "POST", token: tokens.labs })).status).toBe(405);
    const byCookie = await call(`/api/v1/labs/${SLUG}/source`, { headers: { cookie: teacherCookie } });
    expect(byCookie.status).toBe(200);
    const crossSite = await call(`/api/v1/labs/${SLUG}/versions`, {
      method: "POST",
      headers: { cookie: teacherCookie, origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ source: GOOD }),
    });
    expect(crossSite.status).toBe(403);
  });
});
