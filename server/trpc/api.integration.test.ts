import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../labs/catalog";
import { DATABASE_KINDS } from "../../test/support/databases";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";

// The repository's own labs: the catalog must serve exactly these (plus
// nothing from the broken fixture the test platform adds beside them).
const repoLabs = loadCatalog(path.resolve(__dirname, "../../labs")).labs;
const repoSlugs = repoLabs.map((l) => l.slug);

// The same API behaviour on both databases, with the same migrations.
describe.each(DATABASE_KINDS)("API on %s", (kind) => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform(kind);
  });
  afterAll(async () => {
    await platform?.close(true);
  });

  it("applies every committed migration on a fresh database", () => {
    expect(platform.services.db.migrations.applied.length).toBeGreaterThan(0);
    expect(platform.services.db.target.kind).toBe(kind);
  });

  it("lists valid labs and leaves the broken one out with file:line problems", async () => {
    const labs = await platform.anonymous().labs.list();
    expect(repoSlugs.length).toBeGreaterThanOrEqual(3);
    expect(labs.map((l) => l.slug)).toEqual(repoSlugs);
    expect(labs.map((l) => l.slug)).not.toContain("broken-lab");
    const problems = platform.services.labs.problems();
    expect(problems.some((p) => p.endsWith("labs/broken-lab/lab.md:4:13: difficulty must be one of beginner, intermediate, advanced"))).toBe(true);
    expect(problems.some((p) => p.endsWith("labs/broken-lab/lab.md:7:1: unknown field: colour"))).toBe(true);
  });

  it("returns one lab with its markdown, and a sentence for an unknown slug", async () => {
    const lab = await platform.anonymous().labs.bySlug({ slug: "meet-your-node" });
    expect(lab.title).toBe("Meet your node");
    expect(lab.durationMinutes).toBe(10);
    expect(lab.sections.map((s) => s.markdown).join("\n")).toContain("ctr version");
    // Learners see task titles, never the checks or the reference solutions.
    expect(lab.tasks.map((t) => t.id)).toEqual(["find-containerd", "gvisor-kernel"]);
    expect(JSON.stringify(lab)).not.toMatch(/solution|"checks"/);
    await expect(platform.anonymous().labs.bySlug({ slug: "no-such-lab" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'There is no lab called "no-such-lab".',
    });
  });

  it("mirrors the catalog into the database", async () => {
    const rows = await platform.services.db.prisma.lab.findMany({ orderBy: { slug: "asc" } });
    expect(rows.map((r) => [r.slug, r.environment, r.archivedAt])).toEqual(repoLabs.map((l) => [l.slug, l.environment, null]));
  });

  it("makes the first account admin and later ones learners; sign-up cannot pick a role", async () => {
    const first = await platform.signUp(`admin-${kind}@example.com`);
    expect(await first.caller.system.me()).toMatchObject({ role: "admin" });
    const res = await platform.services.auth.api.signUpEmail({
      body: { email: `sneaky-${kind}@example.com`, password: "correct horse battery", name: "s", role: "admin" } as never,
      asResponse: true,
    });
    const row = await platform.services.db.prisma.user.findUnique({ where: { email: `sneaky-${kind}@example.com` } });
    // better-auth rejects the field outright or ignores it; either way no admin.
    expect(res.status === 400 || row?.role === "learner").toBe(true);
    const second = await platform.signUp(`learner-${kind}@example.com`);
    expect(await second.caller.system.me()).toMatchObject({ role: "learner", email: `learner-${kind}@example.com` });
  });

  it("lets only admins list accounts and change roles, and never demotes the last admin", async () => {
    // The first account of this database (made by the test above) is its admin.
    const admin = await platform.signIn(`admin-${kind}@example.com`);
    const learner = await platform.signUp(`roles-learner-${kind}@example.com`);
    await expect(learner.caller.users.list()).rejects.toMatchObject({ code: "FORBIDDEN", message: "Only administrators can do this." });
    await expect(platform.anonymous().users.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const users = await admin.caller.users.list();
    const target = users.find((u) => u.email === `roles-learner-${kind}@example.com`)!;
    expect(target.role).toBe("learner");
    await expect(learner.caller.users.setRole({ userId: target.id, role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await admin.caller.users.setRole({ userId: target.id, role: "instructor" })).toMatchObject({ role: "instructor" });
    const me = (await admin.caller.system.me())!;
    await expect(admin.caller.users.setRole({ userId: me.id, role: "learner" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "This is the only administrator; make someone else an administrator first.",
    });
  });

  it("refuses a duplicate email with a clear error and keeps the original account", async () => {
    await platform.signUp(`dup-${kind}@example.com`, "first password!");
    await expect(platform.signUp(`dup-${kind}@example.com`, "second password!")).rejects.toThrow(/422|already exists/i);
    const ok = await platform.services.auth.api.signInEmail({
      body: { email: `dup-${kind}@example.com`, password: "first password!" },
      asResponse: true,
    });
    expect(ok.status).toBe(200);
  });

  it("refuses display names over 100 characters at sign-up and on update, saying so, and stores nothing", async () => {
    const auth = platform.services.auth.api;
    const huge = "x".repeat(1_000_000);
    const signUp = await auth.signUpEmail({ body: { email: `long-${kind}@example.com`, password: "long enough pw", name: huge }, asResponse: true });
    expect(signUp.status).toBe(400);
    expect(await signUp.text()).toMatch(/at most 100 characters/);
    expect(await platform.services.db.prisma.user.count({ where: { email: `long-${kind}@example.com` } })).toBe(0);

    const { cookie } = await platform.signUp(`rename-${kind}@example.com`);
    const update = await auth.updateUser({ body: { name: "y".repeat(101) }, headers: new Headers({ cookie }), asResponse: true });
    expect(update.status).toBe(400);
    expect(await update.text()).toMatch(/at most 100 characters/);
    const fine = await auth.updateUser({ body: { name: "  Ada Lovelace  " }, headers: new Headers({ cookie }), asResponse: true });
    expect(fine.status).toBe(200);
    expect((await platform.services.db.prisma.user.findUniqueOrThrow({ where: { email: `rename-${kind}@example.com` } })).name).toBe("Ada Lovelace");
  });

  it("reports database and Docker health without throwing", async () => {
    const health = await platform.anonymous().system.health();
    expect(health.database).toMatchObject({ status: "up", kind });
    expect(["up", "down"]).toContain(health.docker.status);
    expect(health.docker.message).toMatch(/Docker/);
  });

  it("streams health over a subscription until the consumer stops", async () => {
    const stream = await platform.anonymous().system.watchHealth({ intervalMs: 1000 });
    const seen: string[] = [];
    const started = Date.now();
    for await (const report of stream) {
      seen.push(report.database.status);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(["up", "up"]);
    // The second report waited for the interval rather than arriving at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("keeps users and labs across a restart", async () => {
    await platform.close();
    await platform.reopen();
    expect(platform.services.db.migrations.applied).toEqual([]);
    const users = await platform.services.db.prisma.user.count();
    expect(users).toBeGreaterThanOrEqual(2);
    const signIn = await platform.services.auth.api.signInEmail({
      body: { email: `admin-${kind}@example.com`, password: "correct horse battery" },
      asResponse: true,
    });
    expect(signIn.status).toBe(200);
  });
});

describe("Docker absent", () => {
  it("reports Docker down with a sentence, and the catalog still works", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "unix:///nonexistent/docker.sock";
    const platform = await startTestPlatform("pglite");
    try {
      const health = await platform.services.health();
      expect(health.status).toBe("ok");
      expect(health.sandboxes).toBe("unavailable");
      expect(health.docker.status).toBe("down");
      expect(health.docker.message).toMatch(/^Docker is not reachable at unix:\/\/\/nonexistent\/docker.sock/);
      expect((await platform.anonymous().labs.list()).length).toBe(repoSlugs.length);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      await platform.close(true);
    }
  });
});
