import { decodeProtectedHeader, jwtVerify, createLocalJWKSet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LtiDriver } from "../../test/support/lti-driver";
import { LtiTestPlatform, ROLE } from "../../test/support/lti-platform";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { ToolKeys } from "./keys";
import { PlatformKeysets } from "./platform-jwks";

// LTI 1.3 launches end to end against the fake LMS (test/support/lti-platform.ts,
// a real HTTP server on 127.0.0.1), through the tool's own handlers: keys,
// registration, login initiation, and every check of a launch. Embedded
// PGlite only: the LTI code has no database-specific SQL, and the webhook and
// cohort suites already run both databases.
describe("LTI 1.3 launches", () => {
  let platform: TestPlatform;
  let lms: LtiTestPlatform;
  let drive: LtiDriver;
  let admin: Awaited<ReturnType<TestPlatform["signUp"]>>["caller"];
  const prisma = () => platform.services.db.prisma;

  /** Rows a refused launch must not add. */
  const counts = async () => ({
    users: await prisma().user.count(),
    sessions: await prisma().authSession.count(),
    identities: await prisma().ltiIdentity.count(),
    gradeLinks: await prisma().ltiGradeLink.count(),
    deepLinks: await prisma().ltiDeepLinkRequest.count(),
  });

  beforeAll(async () => {
    platform = await startTestPlatform("pglite");
    admin = (await platform.signUp("lti-admin@example.com")).caller;
    lms = await LtiTestPlatform.start({ toolUrl: platform.services.env.publicUrl, toolJwks: () => platform.services.lti.keys.jwks() });
    lms.addUser({ id: "lms-ada", name: "Ada Lovelace", roles: [ROLE.learner], email: "ada@school.example" });
    lms.addUser({ id: "lms-grace", name: "Grace Hopper", roles: [ROLE.instructor] });
    lms.addLink("Meet your node", { lab: "meet-your-node" }, 20);
    drive = new LtiDriver(platform.services, lms);
  });
  afterAll(async () => {
    await lms?.close();
    await platform?.close(true);
  });

  describe("our keys", () => {
    it("serves public keys only, keeps the private key encrypted, and rotates with the old key still listed", async () => {
      const res = await platform.services.lti.jwks();
      expect(res.headers.get("cache-control")).toBe("public, max-age=300");
      const first = (await res.json()) as { keys: Record<string, unknown>[] };
      expect(first.keys).toHaveLength(1);
      expect(first.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
      for (const secret of ["d", "p", "q", "dp", "dq", "qi"]) expect(first.keys[0]).not.toHaveProperty(secret);
      const row = await prisma().ltiKey.findFirstOrThrow();
      expect(row.privateJwe.split(".")).toHaveLength(5); // compact JWE
      expect(row.privateJwe).not.toContain(String(first.keys[0]!.n).slice(0, 20));

      const { kid } = await admin.lti.rotateKey();
      const listed = await admin.lti.keys();
      expect(listed.map((k) => [k.kid, k.current])).toEqual([
        [kid, true],
        [first.keys[0]!.kid, false],
      ]);
      expect(listed[1]!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
      // New messages are signed with the new key, and verify against the served set.
      const jwt = await platform.services.lti.keys.sign({ iss: "x" }, 60);
      expect(decodeProtectedHeader(jwt).kid).toBe(kid);
      const served = (await (await platform.services.lti.jwks()).json()) as { keys: [] };
      await expect(jwtVerify(jwt, createLocalJWKSet(served))).resolves.toBeDefined();

      // Past the grace period the retired key leaves the JWKS.
      const later = new ToolKeys({ prisma: prisma(), secret: "unused", clock: () => new Date(Date.now() + 8 * 86_400_000) });
      expect((await later.jwks()).keys.map((k) => k.kid)).toEqual([kid]);
      // A key made under another AUTH_SECRET cannot be used, and says why.
      await expect(later.sign({}, 60)).rejects.toThrow(/AUTH_SECRET probably changed/);
    });

    it("is managed by admins only", async () => {
      const learner = (await platform.signUp("lti-learner-keys@example.com")).caller;
      await expect(learner.lti.rotateKey()).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(learner.lti.platforms()).rejects.toMatchObject({ code: "FORBIDDEN" });
    });
  });

  describe("registration", () => {
    it("checks every field and refuses a second registration of the same issuer and client id", async () => {
      await expect(admin.lti.createPlatform({ ...lms.registration, tokenUrl: "http://lms.example.edu/token" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: "The access token URL must use https:// (plain http is accepted only on this machine, for testing) (e.g. https://lms.example.edu/mod/lti/token.php).",
      });
      await expect(admin.lti.createPlatform({ ...lms.registration, deploymentIds: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      const created = await admin.lti.createPlatform({ ...lms.registration, deploymentIds: [lms.deploymentId, lms.deploymentId] });
      expect(created.deploymentIds).toEqual([lms.deploymentId]);
      await expect(admin.lti.createPlatform(lms.registration)).rejects.toMatchObject({ code: "CONFLICT" });
      expect((await admin.lti.platforms()).map((p) => p.issuer)).toEqual([lms.issuer]);
    });
  });

  describe("login initiation", () => {
    it("redirects to the LMS's auth endpoint with a fresh state and nonce, bound to the browser by a cookie", async () => {
      const step = await drive.login(lms.loginUrl("lms-ada", { kind: "resource", linkId: "link-1" }));
      expect(step.status).toBe(302);
      const q = new URL(step.location).searchParams;
      expect(step.location.startsWith(`${lms.url}/auth?`)).toBe(true);
      expect(Object.fromEntries(q)).toMatchObject({
        scope: "openid",
        response_type: "id_token",
        response_mode: "form_post",
        prompt: "none",
        client_id: lms.clientId,
        redirect_uri: `${platform.services.env.publicUrl}/api/lti/launch`,
        login_hint: "lms-ada",
        lti_message_hint: "resource:link-1",
      });
      expect(step.state).toMatch(/^[\w-]{43}$/);
      expect(step.nonce).toMatch(/^[\w-]{43}$/);
      const res = await platform.services.lti.login(new Request(lms.loginUrl("lms-ada", { kind: "resource", linkId: "link-1" })));
      // http PUBLIC_URL: SameSite=None would need Secure, which http cannot have (docs/lms.md).
      expect(res.headers.get("set-cookie")).toMatch(/^lti_state_[0-9a-f]{16}=[\w-]+; Path=\/api\/lti; Max-Age=600; HttpOnly; SameSite=Lax$/);
    });

    it("refuses an unknown issuer, a target off this site and a missing login_hint, with a page saying so", async () => {
      const cases: [string, string][] = [
        [lms.loginUrl("lms-ada", { kind: "deep" }).replace(encodeURIComponent(lms.issuer), "https%3A%2F%2Fother.example"), "No LMS with issuer https://other.example"],
        [lms.loginUrl("lms-ada", { kind: "deep" }).replace(/target_link_uri=[^&]+/, "target_link_uri=https%3A%2F%2Fevil.example%2F"), "which is not an address of this Runtime Labs"],
        [lms.loginUrl("lms-ada", { kind: "deep" }).replace(/login_hint=[^&]+&/, ""), "without the login_hint parameter"],
      ];
      for (const [url, sentence] of cases) {
        const res = await platform.services.lti.login(new Request(url));
        expect(res.status, url).toBe(400);
        expect(res.headers.get("set-cookie")).toBeNull();
        expect(await res.text()).toContain(sentence);
      }
    });
  });

  describe("a valid launch", () => {
    it("makes an account linked by LMS user id (never by email), signs it in as a learner and lands on the lab", async () => {
      // Someone already has the LMS's email address as a password account here: it must not be taken over.
      await platform.signUp("ada@school.example");
      const before = await counts();
      const res = await drive.fullLaunch("lms-ada", { kind: "resource", linkId: "link-1" });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`${platform.services.env.publicUrl}/labs/meet-your-node`);
      const signedIn = await drive.callerFrom(res);
      expect(signedIn?.user).toMatchObject({ role: "learner", name: "Ada Lovelace", email: expect.stringMatching(/^lti-[0-9a-f]{24}@lti\.invalid$/) });
      expect(await counts()).toMatchObject({ users: before.users + 1, sessions: before.sessions + 1, identities: before.identities + 1, gradeLinks: before.gradeLinks + 1 });
      // The state cookie is cleared; the session cookie is better-auth's.
      expect(res.headers.getSetCookie().find((c) => c.startsWith("lti_state_"))).toMatch(/Max-Age=0/);

      // The same LMS user launching again gets the same account.
      const again = await drive.fullLaunch("lms-ada", { kind: "resource", linkId: "link-1" });
      expect((await drive.callerFrom(again))?.user.id).toBe(signedIn!.user.id);
      expect(await prisma().user.count()).toBe(before.users + 1);
    });

    it("maps an LMS instructor to an instructor", async () => {
      const res = await drive.fullLaunch("lms-grace", { kind: "resource", linkId: "link-1" });
      expect(res.status).toBe(303);
      expect((await drive.callerFrom(res))?.user.role).toBe("instructor");
    });
  });

  describe("refused launches: a page saying what was wrong, a 4xx, nothing made", () => {
    /** A login's state and cookie, and an id_token built from the LMS's claims with `change` applied. */
    const crafted = async (change: (claims: Record<string, unknown>) => void, opts: { stranger?: boolean; user?: string } = {}) => {
      const user = opts.user ?? "lms-ada";
      const step = await drive.login(lms.loginUrl(user, { kind: "resource", linkId: "link-1" }));
      const claims = lms.claims(user, { kind: "resource", linkId: "link-1" }, step.nonce) as Record<string, unknown>;
      change(claims);
      return { step, idToken: await lms.sign(claims, { stranger: opts.stranger }) };
    };
    const refused = async (res: Response, status: number, sentence: string | RegExp) => {
      const html = await res.text();
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(html).toContain("This LMS launch was refused");
      expect(html).toMatch(sentence);
      expect(res.headers.getSetCookie().some((c) => c.startsWith("better-auth"))).toBe(false);
    };
    const LTI = "https://purl.imsglobal.org/spec/lti/claim/";

    const cases: { name: string; status: number; sentence: string | RegExp; change?: (c: Record<string, unknown>) => void; stranger?: boolean }[] = [
      { name: "wrong signature", status: 401, sentence: /signature does not match any key of Test LMS/, stranger: true },
      { name: "wrong audience", status: 401, sentence: /is meant for &#34;someone-else&#34;, not for our client id .* \(wrong audience\)/, change: (c) => (c.aud = "someone-else") },
      {
        name: "several audiences with another authorized party",
        status: 401,
        sentence: /authorized party \(azp\) is someone-else/,
        change: (c) => {
          c.aud = [c.aud as string, "someone-else"];
          c.azp = "someone-else";
        },
      },
      {
        name: "expired token",
        status: 401,
        sentence: /The id_token has expired/,
        change: (c) => {
          c.iat = Math.floor(Date.now() / 1000) - 900;
          c.exp = Math.floor(Date.now() / 1000) - 600;
        },
      },
      { name: "issued too long ago", status: 401, sentence: "The id_token was issued more than 10 minutes ago", change: (c) => (c.iat = Math.floor(Date.now() / 1000) - 3600) },
      { name: "another issuer", status: 401, sentence: /issued by https:\/\/other\.example, not by the registered issuer/, change: (c) => (c.iss = "https://other.example") },
      {
        name: "unknown deployment",
        status: 403,
        sentence: "The deployment deployment-9 of Test LMS is not registered here (unknown deployment).",
        change: (c) => (c[`${LTI}deployment_id`] = "deployment-9"),
      },
      { name: "missing version", status: 400, sentence: `lacks the LTI version (claim ${LTI}version)`, change: (c) => delete c[`${LTI}version`] },
      { name: "wrong version", status: 400, sentence: "The launch is LTI version 1.1; only 1.3.0 is supported.", change: (c) => (c[`${LTI}version`] = "1.1") },
      { name: "missing message type", status: 400, sentence: "lacks the message type", change: (c) => delete c[`${LTI}message_type`] },
      { name: "unhandled message type", status: 400, sentence: "The launch is a LtiSubmissionReviewRequest message", change: (c) => (c[`${LTI}message_type`] = "LtiSubmissionReviewRequest") },
      { name: "missing roles", status: 400, sentence: "lacks the user&#39;s roles", change: (c) => delete c[`${LTI}roles`] },
      { name: "missing resource link", status: 400, sentence: "lacks the resource link&#39;s id", change: (c) => delete c[`${LTI}resource_link`] },
      { name: "missing deployment id", status: 400, sentence: "lacks the deployment id", change: (c) => delete c[`${LTI}deployment_id`] },
      { name: "missing sub", status: 400, sentence: "lacks the sub claim", change: (c) => delete c.sub },
      { name: "missing nonce", status: 400, sentence: "lacks the nonce claim", change: (c) => delete c.nonce },
      {
        name: "a target off this site",
        status: 400,
        sentence: "The launch targets https://evil.example/, which is not an address",
        change: (c) => (c[`${LTI}target_link_uri`] = "https://evil.example/"),
      },
      {
        name: "a lab that does not exist",
        status: 404,
        sentence: "opens the lab “no-such-lab”, which is not in this Runtime Labs catalog",
        change: (c) => (c[`${LTI}custom`] = { lab: "no-such-lab" }),
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.name}`, async () => {
        const before = await counts();
        const { step, idToken } = await crafted(c.change ?? (() => {}), { stranger: c.stranger });
        await refused(await drive.launch({ id_token: idToken, state: step.state }, step.cookie), c.status, c.sentence);
        expect(await counts()).toEqual(before);
      });
    }

    it("refuses a replay: the same launch posted twice, and an old id_token with a new login's state", async () => {
      const step = await drive.login(lms.loginUrl("lms-ada", { kind: "resource", linkId: "link-1" }));
      const { idToken, state } = await drive.authorize(step);
      expect((await drive.launch({ id_token: idToken, state }, step.cookie)).status).toBe(303);
      const before = await counts();
      await refused(await drive.launch({ id_token: idToken, state }, step.cookie), 400, "This launch was already used. Each launch (its state and nonce) is accepted once; a replay is refused.");
      const fresh = await drive.login(lms.loginUrl("lms-ada", { kind: "resource", linkId: "link-1" }));
      await refused(await drive.launch({ id_token: idToken, state: fresh.state }, fresh.cookie), 401, "The id_token&#39;s nonce is not the one sent for this launch");
      expect(await counts()).toEqual(before);
    });

    it("refuses a state from another browser, an unknown state, a missing token and a GET", async () => {
      const before = await counts();
      const step = await drive.login(lms.loginUrl("lms-ada", { kind: "resource", linkId: "link-1" }));
      const { idToken, state } = await drive.authorize(step);
      const otherBrowser = `${step.cookie.split("=")[0]}=someone-elses-value`;
      await refused(await drive.launch({ id_token: idToken, state }, otherBrowser), 400, "This launch was started in another browser");
      await refused(await drive.launch({ id_token: idToken, state: "made-up" }), 400, "This launch&#39;s state is unknown here");
      await refused(await drive.launch({ state }), 400, "The launch carried no id_token");
      await refused(await platform.services.lti.launch(new Request(`${platform.services.env.publicUrl}/api/lti/launch`)), 405, "A launch arrives as a form POST");
      expect(await counts()).toEqual(before);
    });

    it("refuses a deep-linking request from a learner", async () => {
      const before = await counts();
      await refused(await drive.fullLaunch("lms-ada", { kind: "deep" }), 403, "Only the course&#39;s instructors can add labs to it");
      expect((await counts()).deepLinks).toBe(before.deepLinks);
    });
  });

  it("fetches an LMS's keyset once, and again when a token names a key it has not seen (key rotation)", async () => {
    const keysets = new PlatformKeysets({ cooldownMs: 0 });
    const fetches = () => lms.calls.filter((c) => c.path === "/jwks").length;
    const start = fetches();
    const verify = async () => jwtVerify(await lms.sign({ iss: lms.issuer }), keysets.for(`${lms.url}/jwks`));
    await verify();
    await verify();
    expect(fetches() - start).toBe(1);
    await lms.rotate();
    await verify();
    expect(fetches() - start).toBe(2);
  });
});
