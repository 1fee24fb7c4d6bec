import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cohortResultsRoute from "../app/api/v1/cohorts/[id]/results/route";
import * as gradeRoute from "../app/api/v1/sessions/[id]/grade/route";
import * as sessionRoute from "../app/api/v1/sessions/[id]/route";
import { DATABASE_KINDS } from "../test/support/databases";
import { startTestPlatform, type TestPlatform } from "../test/support/services";
import { createApiToken } from "./api-tokens/service";
import type { SessionUser } from "./auth/principal";
import { MAX_COHORT_NAME, MAX_ID, MAX_LAB_SLUG, MAX_TOKEN_NAME, MAX_WEBHOOK_URL } from "./limits";
import { installServices } from "./services";
import { createWebhook } from "./webhooks/manage";

type Caller = Awaited<ReturnType<TestPlatform["signUp"]>>["caller"];
type Route = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

// Issue 16, "Unbounded input": every field people type has a maximum length,
// enforced at the API and again in the service (which other transports
// call), refused with a sentence naming the field and the limit, and nothing
// of the refused call is stored. No Docker: nothing here starts a node.
describe.each(DATABASE_KINDS)("oversized input is refused, naming the field, and nothing is stored (%s)", (kind) => {
  let platform: TestPlatform;
  let teacher: Caller;
  let teacherUser: SessionUser;
  let teacherToken = "";
  const labSlugs = ["first-container"];
  const prisma = () => platform.services.db.prisma;

  beforeAll(async () => {
    platform = await startTestPlatform(kind);
    installServices(platform.services); // the REST route modules read the process's services
    const admin = (await platform.signUp("admin@example.com")).caller; // first account: admin
    await platform.signUp("teacher@example.com");
    const me = (await platform.signIn("teacher@example.com")).caller;
    await admin.users.setRole({ userId: (await me.system.me())!.id, role: "instructor" });
    // Roles are read per request from the database: sign in again to act as an instructor.
    teacher = (await platform.signIn("teacher@example.com")).caller;
    teacherUser = (await teacher.system.me())!;
    teacherToken = (await createApiToken(prisma(), teacherUser, { name: "grader" })).token;
  });
  afterAll(async () => {
    installServices(undefined);
    await platform?.close(true);
  });

  it("cohort names: refused over the limit through the API and in the service; no cohort is created, a rename keeps the old name", async () => {
    const long = "c".repeat(10_000);
    const sentence = `The cohort name can be at most ${MAX_COHORT_NAME} characters (this one has 10000).`;
    await expect(teacher.cohorts.create({ name: long, labSlugs })).rejects.toMatchObject({ code: "BAD_REQUEST", message: sentence });
    await expect(platform.services.cohorts.create(teacherUser, { name: long, labSlugs })).rejects.toMatchObject({ code: "BAD_REQUEST", message: sentence });
    expect(await prisma().cohort.count()).toBe(0);

    const cohort = await teacher.cohorts.create({ name: "c".repeat(MAX_COHORT_NAME), labSlugs }); // at the limit: fine
    await expect(teacher.cohorts.update({ cohortId: cohort.id, name: long })).rejects.toMatchObject({ code: "BAD_REQUEST", message: sentence });
    await expect(platform.services.cohorts.update(teacherUser, cohort.id, { name: long })).rejects.toMatchObject({ code: "BAD_REQUEST", message: sentence });
    expect((await prisma().cohort.findUniqueOrThrow({ where: { id: cohort.id } })).name).toBe("c".repeat(MAX_COHORT_NAME));
    await prisma().cohort.delete({ where: { id: cohort.id } });
  });

  it("webhook URLs: refused over the limit through the API and in the service; no webhook is created", async () => {
    const cohort = await teacher.cohorts.create({ name: "Webhooks", labSlugs });
    const url = `https://lms.example.edu/hooks/${"h".repeat(MAX_WEBHOOK_URL)}`;
    const sentence = `The webhook URL can be at most ${MAX_WEBHOOK_URL} characters (this one has ${url.length}).`;
    await expect(teacher.webhooks.create({ cohortId: cohort.id, url })).rejects.toMatchObject({ code: "BAD_REQUEST", message: sentence });
    await expect(createWebhook(prisma(), teacherUser, { cohortId: cohort.id, url })).rejects.toMatchObject({ code: "BAD_REQUEST", message: sentence });
    expect(await prisma().webhook.count()).toBe(0);
    await prisma().cohort.delete({ where: { id: cohort.id } });
  });

  it("API token names: refused over the limit through the API and in the service; no token is created", async () => {
    const before = await prisma().apiToken.count();
    const sentence = `The token name can be at most ${MAX_TOKEN_NAME} characters (this one has 5000).`;
    await expect(teacher.tokens.create({ name: "t".repeat(5000) })).rejects.toMatchObject({ code: "BAD_REQUEST", message: sentence });
    await expect(createApiToken(prisma(), teacherUser, { name: "t".repeat(5000) })).rejects.toMatchObject({ code: "BAD_REQUEST", message: sentence });
    expect(await prisma().apiToken.count()).toBe(before);
  });

  it("lab slugs: a megabyte slug is refused by its length wherever a slug comes in; no session or cohort is created", async () => {
    const slug = "a".repeat(1 << 20);
    const refusal = { code: "BAD_REQUEST", message: `A lab slug can be at most ${MAX_LAB_SLUG} characters (this one has 1048576).` };
    await expect(platform.anonymous().labs.bySlug({ slug })).rejects.toMatchObject(refusal);
    await expect(teacher.sessions.start({ slug })).rejects.toMatchObject(refusal);
    await expect(teacher.sessions.current({ slug })).rejects.toMatchObject(refusal);
    await expect(teacher.cohorts.create({ name: "Slugs", labSlugs: [slug] })).rejects.toMatchObject(refusal);
    await expect(teacher.sessions.start({ slug: "Not_A_Slug" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: `A lab slug is 2 to ${MAX_LAB_SLUG} lowercase letters, digits and dashes, like first-container.`,
    });
    expect(await prisma().labSession.count()).toBe(0);
    expect(await prisma().cohort.count()).toBe(0);
  });

  it("ids in REST paths: over the limit is a 400 naming the id, for every endpoint that takes one", async () => {
    const id = "x".repeat(10_000);
    const call = (route: Route, path: string, method: string) =>
      route(new Request(`http://labs.test${path}`, { method, headers: { authorization: `Bearer ${teacherToken}` } }), { params: Promise.resolve({ id }) });
    for (const [route, path, method, field] of [
      [cohortResultsRoute.GET, `/api/v1/cohorts/${id}/results`, "GET", "The cohort id"],
      [gradeRoute.POST, `/api/v1/sessions/${id}/grade`, "POST", "The session id"],
      [sessionRoute.GET, `/api/v1/sessions/${id}`, "GET", "The session id"],
    ] as const) {
      const res = await call(route, path, method);
      expect([path.slice(0, 30), res.status]).toEqual([path.slice(0, 30), 400]);
      expect(await res.json()).toEqual({ error: { code: "BAD_REQUEST", message: `${field} can be at most ${MAX_ID} characters (this one has 10000).` } });
    }
  });
});
