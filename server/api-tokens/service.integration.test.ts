import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/support/databases";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { authenticateApiToken, createApiToken, listApiTokens, MAX_ACTIVE_TOKENS, TOKEN_LIST_LIMIT } from "./service";
import { hashToken } from "./token";

type Caller = Awaited<ReturnType<TestPlatform["signUp"]>>["caller"];

// Tokens through the tRPC router a user's Account page calls, and
// authentication against the real database.
describe("API tokens (PGlite)", () => {
  let platform: TestPlatform;
  let ada: Caller;
  let bob: Caller;
  let adaId = "";

  beforeAll(async () => {
    platform = await startTestPlatform("pglite");
    await platform.signUp("admin@example.com");
    ada = (await platform.signUp("ada@example.com")).caller;
    bob = (await platform.signUp("bob@example.com")).caller;
    adaId = (await ada.system.me())!.id;
  });
  afterAll(async () => {
    await platform?.close(true);
  });

  const prisma = () => platform.services.db.prisma;

  it("creates a token shown once, stores only its hash, and lists it by prefix", async () => {
    const created = await ada.tokens.create({ name: "  LMS sync  ", expiresInDays: 30 });
    expect(created.token).toMatch(/^rl_[A-Za-z0-9_-]{43}$/);
    expect(created.view).toMatchObject({ name: "LMS sync", prefix: created.token.slice(0, 11), revokedAt: null, lastUsedAt: null });
    expect(created.view.expiresAt!.getTime() - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
    const row = await prisma().apiToken.findFirstOrThrow({ where: { id: created.view.id } });
    expect(row.tokenHash).toBe(hashToken(created.token));
    const list = await ada.tokens.list();
    expect(list.map((t) => t.id)).toEqual([created.view.id]);
    expect(JSON.stringify(list)).not.toContain(created.token);
    expect(await bob.tokens.list()).toEqual([]);
  });

  it("acts as the user with their current role", async () => {
    const { token } = await ada.tokens.create({ name: "role check" });
    expect(await authenticateApiToken(prisma(), token)).toMatchObject({ user: { id: adaId, role: "learner" } });
    await prisma().user.update({ where: { id: adaId }, data: { role: "instructor" } });
    expect(await authenticateApiToken(prisma(), token)).toMatchObject({ user: { role: "instructor" } });
    await prisma().user.update({ where: { id: adaId }, data: { role: "learner" } });
  });

  it("writes lastUsedAt at most once a minute", async () => {
    const { token, view } = await ada.tokens.create({ name: "busy grader" });
    const t0 = new Date();
    await authenticateApiToken(prisma(), token, t0);
    await authenticateApiToken(prisma(), token, new Date(t0.getTime() + 30_000));
    expect((await prisma().apiToken.findUniqueOrThrow({ where: { id: view.id } })).lastUsedAt).toEqual(t0);
    const t1 = new Date(t0.getTime() + 61_000);
    await authenticateApiToken(prisma(), token, t1);
    expect((await prisma().apiToken.findUniqueOrThrow({ where: { id: view.id } })).lastUsedAt).toEqual(t1);
  });

  it("lets only the owner revoke, and a revoked token stops at once", async () => {
    const { token, view } = await ada.tokens.create({ name: "to revoke" });
    await expect(bob.tokens.revoke({ tokenId: view.id })).rejects.toMatchObject({ code: "NOT_FOUND", message: "That API token does not exist, or it is not yours." });
    const revoked = await ada.tokens.revoke({ tokenId: view.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect((await ada.tokens.revoke({ tokenId: view.id })).revokedAt).toEqual(revoked.revokedAt); // twice is harmless
    await expect(authenticateApiToken(prisma(), token)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "The API token “to revoke” was revoked; create a new one on your Account page." });
  });

  it('gives a token the scopes asked for, "read" when none are, and says so in lists and on authentication', async () => {
    const plain = await ada.tokens.create({ name: "grades only" });
    expect(plain.view.scopes).toEqual(["read"]);
    const both = await ada.tokens.create({ name: "push and grades", scopes: ["labs", "read", "labs"] });
    expect(both.view.scopes).toEqual(["read", "labs"]); // once each, in one order
    const labsOnly = await ada.tokens.create({ name: "push only", scopes: ["labs"] });
    const listed = new Map((await ada.tokens.list()).map((t) => [t.name, t.scopes]));
    expect(listed.get("grades only")).toEqual(["read"]);
    expect(listed.get("push and grades")).toEqual(["read", "labs"]);
    expect(listed.get("push only")).toEqual(["labs"]);
    expect(await authenticateApiToken(prisma(), labsOnly.token)).toMatchObject({ user: { id: adaId }, scopes: ["labs"] });
    expect(await authenticateApiToken(prisma(), both.token)).toMatchObject({ scopes: ["read", "labs"] });
    // A row naming a scope this version does not know grants nothing for it.
    await prisma().apiToken.update({ where: { id: plain.view.id }, data: { scopes: ["read", "admin"] } });
    expect((await authenticateApiToken(prisma(), plain.token)).scopes).toEqual(["read"]);
  });

  it("refuses a token with no scopes or an unknown one, with a sentence, and stores nothing", async () => {
    const before = await prisma().apiToken.count();
    await expect(ada.tokens.create({ name: "nothing", scopes: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Give the token at least one scope: read (results and grades), labs (push and pull labs) or both.",
    });
    await expect(createApiToken(prisma(), { id: adaId }, { name: "root", scopes: ["read", "admin"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: '"admin" is not a token scope: choose read, labs or both.',
    });
    expect(await prisma().apiToken.count()).toBe(before);
  });

  it("refuses anonymous callers and a blank name", async () => {
    await expect(platform.anonymous().tokens.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(ada.tokens.create({ name: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it(`caps live tokens at ${MAX_ACTIVE_TOKENS} per user; revoked and expired ones do not count`, async () => {
    const bobId = (await bob.system.me())!.id;
    await createApiToken(prisma(), { id: bobId }, { name: "expired", expiresInDays: 1 }, new Date(Date.now() - 3 * 86_400_000));
    for (let i = 0; i < MAX_ACTIVE_TOKENS; i++) await bob.tokens.create({ name: `t${i}` });
    await expect(bob.tokens.create({ name: "one too many" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `You already have ${MAX_ACTIVE_TOKENS} active tokens; revoke one you no longer use first.`,
    });
    const first = (await bob.tokens.list()).find((t) => t.name === "t0")!;
    await bob.tokens.revoke({ tokenId: first.id });
    await expect(bob.tokens.create({ name: "replacement" })).resolves.toMatchObject({ view: { name: "replacement" } });
  });
});

// Limits that only hold if the database serialises the check and the insert:
// run on both databases, with real concurrency on PostgreSQL's pool.
describe.each(DATABASE_KINDS)("API token limits on %s", (kind) => {
  let platform: TestPlatform;
  let userId = "";

  beforeAll(async () => {
    platform = await startTestPlatform(kind);
    await platform.signUp(`admin-${kind}@example.com`);
    const { caller } = await platform.signUp(`scripted-${kind}@example.com`);
    userId = (await caller.system.me())!.id;
  });
  afterAll(async () => {
    await platform?.close(true);
  });

  const prisma = () => platform.services.db.prisma;

  it(`holds the cap of ${MAX_ACTIVE_TOKENS} live tokens when a script creates them in parallel`, async () => {
    const results = await Promise.allSettled(Array.from({ length: MAX_ACTIVE_TOKENS + 6 }, (_, i) => createApiToken(prisma(), { id: userId }, { name: `parallel ${i}` })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(MAX_ACTIVE_TOKENS);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) expect(r.reason).toMatchObject({ code: "CONFLICT" });
    expect(await prisma().apiToken.count({ where: { userId, revokedAt: null } })).toBe(MAX_ACTIVE_TOKENS);
  });

  it(`lists every live token and the newest dead ones, ${TOKEN_LIST_LIMIT} in all`, async () => {
    // 150 revoked tokens, all newer than the live ones.
    const later = Date.now() + 60_000;
    await prisma().apiToken.createMany({
      data: Array.from({ length: 150 }, (_, i) => ({
        userId,
        name: `old ${i}`,
        prefix: "rl_revoked",
        tokenHash: `revoked-${kind}-${i}`,
        revokedAt: new Date(later + i),
        createdAt: new Date(later + i),
      })),
    });
    const list = await listApiTokens(prisma(), { id: userId });
    expect(list).toHaveLength(TOKEN_LIST_LIMIT);
    expect(list.filter((t) => t.revokedAt === null)).toHaveLength(MAX_ACTIVE_TOKENS);
    const dead = list.filter((t) => t.revokedAt !== null);
    expect(dead[0]!.name).toBe("old 149"); // newest first
    expect(dead.at(-1)!.name).toBe(`old ${150 - (TOKEN_LIST_LIMIT - MAX_ACTIVE_TOKENS)}`);
    const times = list.map((t) => t.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
