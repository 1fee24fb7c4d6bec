/**
 * LtiTestPlatform: a FAKE LMS, standing in at the LMS boundary for the
 * Moodles and Canvases these machines do not have. It is a real HTTP server
 * on 127.0.0.1 implementing the platform's side of LTI 1.3 and LTI
 * Advantage from the specs (not from our tool's code: claim names are
 * written out here on purpose, so a typo on either side fails a test):
 *
 *   GET|POST /auth          OIDC authorization endpoint: checks our login
 *                           redirect, answers with a self-posting form
 *                           carrying a signed id_token to our launch URL
 *   GET  /jwks              its public keys (rotate() adds a new one)
 *   POST /token             OAuth 2 client credentials with a JWT client
 *                           assertion checked against OUR JWKS (RFC 7523)
 *   POST /lineitems/:id/scores   AGS scores, recorded per line item
 *   POST /deep-link-return  Deep Linking response: verified, and each
 *                           ltiResourceLink becomes a resource link with
 *                           its line item
 *   GET  /memberships       NRPS roster of the one course
 */
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet, type JWK, type JWTPayload, type JWTVerifyGetKey } from "jose";

const LTI = "https://purl.imsglobal.org/spec/lti/claim/";
const MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#";
export const ROLE = { instructor: `${MEMBERSHIP}Instructor`, learner: `${MEMBERSHIP}Learner` } as const;
const SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

export interface LmsUser {
  id: string;
  name: string;
  roles: string[];
  /** Sent as the email claim when set (the tool must not link accounts by it). */
  email?: string;
}

export interface LineItem {
  id: string;
  label: string;
  scoreMaximum: number;
  resourceId: string | null;
  scores: Record<string, unknown>[];
}

export interface ResourceLink {
  id: string;
  title: string;
  url: string;
  custom: Record<string, string>;
  lineItemId: string | null;
}

/** What the id_token of the next /auth answer says, keyed by lti_message_hint. */
type Message = { kind: "resource"; linkId: string } | { kind: "deep" };

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface LtiTestPlatformOptions {
  /** The tool's PUBLIC_URL. */
  toolUrl: string;
  /** The tool's public keys: its JWKS URL (e2e), or a function returning them (integration tests without an HTTP server). */
  toolJwks: string | (() => Promise<JSONWebKeySet>);
  clientId?: string;
  deploymentId?: string;
}

export class LtiTestPlatform {
  readonly clientId: string;
  readonly deploymentId: string;
  readonly context = { id: "course-1", title: "Container Runtimes 101", label: "CR101" };
  readonly users = new Map<string, LmsUser>();
  readonly links = new Map<string, ResourceLink>();
  readonly lineItems = new Map<string, LineItem>();
  /** Every request, by path, in order (for asserting what the tool called). */
  readonly calls: { method: string; path: string; status: number; note?: string }[] = [];
  /** Access tokens issued, with their scopes. */
  readonly tokens = new Map<string, string[]>();
  /** Deep-linking responses received (verified payloads). */
  readonly deepLinkResponses: JWTPayload[] = [];
  /** Scores to refuse with this status before accepting again (retry tests). */
  failScores: number[] = [];
  /** Makes the next /auth answer misbehave: its claims changed, or signed with a key nobody registered. */
  misbehaveOnce: { change?: (claims: Record<string, unknown>) => void; stranger?: boolean } | null = null;
  private keys: SigningKey[] = [];
  private deepLinkData = new Map<string, string>();
  private readonly server: http.Server;
  private readonly toolKeys: JWTVerifyGetKey;

  private constructor(private readonly opts: LtiTestPlatformOptions) {
    this.clientId = opts.clientId ?? `client-${randomBytes(4).toString("hex")}`;
    this.deploymentId = opts.deploymentId ?? "deployment-1";
    const jwks = opts.toolJwks;
    this.toolKeys = typeof jwks === "string" ? createRemoteJWKSet(new URL(jwks), { cooldownDuration: 0, cacheMaxAge: 0 }) : async (header, token) => createLocalJWKSet(await jwks())(header, token);
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => this.send(req, res, 500, `test platform failed: ${(err as Error).message}`));
    });
  }

  static async start(opts: LtiTestPlatformOptions): Promise<LtiTestPlatform> {
    const p = new LtiTestPlatform(opts);
    p.keys.push(await newKey());
    await new Promise<void>((resolve) => p.server.listen(0, "127.0.0.1", resolve));
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The issuer: this platform's URL. */
  get issuer(): string {
    return this.url;
  }

  /** What an admin registers on the tool for this platform. */
  get registration() {
    return {
      name: "Test LMS",
      issuer: this.issuer,
      clientId: this.clientId,
      deploymentIds: [this.deploymentId],
      authUrl: `${this.url}/auth`,
      tokenUrl: `${this.url}/token`,
      jwksUrl: `${this.url}/jwks`,
    };
  }

  addUser(user: LmsUser): LmsUser {
    this.users.set(user.id, user);
    return user;
  }

  /** A resource link in the course (as if an instructor placed the tool by hand), optionally graded. */
  addLink(title: string, custom: Record<string, string>, scoreMaximum?: number, url = `${this.opts.toolUrl}/`): ResourceLink {
    const id = `link-${this.links.size + 1}`;
    const lineItemId = scoreMaximum === undefined ? null : this.addLineItem(title, scoreMaximum, custom.lab ?? null).id;
    const link = { id, title, url, custom, lineItemId };
    this.links.set(id, link);
    return link;
  }

  private addLineItem(label: string, scoreMaximum: number, resourceId: string | null): LineItem {
    const item = { id: `li-${this.lineItems.size + 1}`, label, scoreMaximum, resourceId, scores: [] };
    this.lineItems.set(item.id, item);
    return item;
  }

  /** The tool's login initiation URL an LMS page sends the browser to, for `userId` opening `message`. */
  loginUrl(userId: string, message: Message): string {
    const target = message.kind === "resource" ? this.links.get(message.linkId)!.url : `${this.opts.toolUrl}/`;
    const q = new URLSearchParams({
      iss: this.issuer,
      login_hint: userId,
      target_link_uri: target,
      lti_message_hint: message.kind === "resource" ? `resource:${message.linkId}` : "deep",
      client_id: this.clientId,
      lti_deployment_id: this.deploymentId,
    });
    return `${this.opts.toolUrl}/api/lti/login?${q}`;
  }

  /** Makes a new signing key current (the old one stays in the JWKS). */
  async rotate(): Promise<void> {
    this.keys.unshift(await newKey());
  }

  /** The id_token claims an LMS sends `user` for `message`, with `nonce`. */
  claims(userId: string, message: Message, nonce: string): JWTPayload {
    const user = this.users.get(userId);
    if (!user) throw new Error(`no LMS user ${userId}`);
    const now = Math.floor(Date.now() / 1000);
    const base: JWTPayload = {
      iss: this.issuer,
      aud: this.clientId,
      azp: this.clientId,
      sub: user.id,
      iat: now,
      exp: now + 300,
      nonce,
      name: user.name,
      ...(user.email ? { email: user.email } : {}),
      [`${LTI}version`]: "1.3.0",
      [`${LTI}deployment_id`]: this.deploymentId,
      [`${LTI}roles`]: user.roles,
      [`${LTI}context`]: { ...this.context, type: ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"] },
      "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": { context_memberships_url: `${this.url}/memberships`, service_versions: ["2.0"] },
    };
    if (message.kind === "deep") {
      const data = randomBytes(8).toString("hex");
      this.deepLinkData.set(data, user.id);
      return {
        ...base,
        [`${LTI}message_type`]: "LtiDeepLinkingRequest",
        [`${LTI}target_link_uri`]: `${this.opts.toolUrl}/`,
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
          deep_link_return_url: `${this.url}/deep-link-return`,
          accept_types: ["ltiResourceLink"],
          accept_presentation_document_targets: ["window", "iframe"],
          accept_multiple: true,
          auto_create: true,
          data,
        },
      };
    }
    const link = this.links.get(message.linkId);
    if (!link) throw new Error(`no resource link ${message.linkId}`);
    return {
      ...base,
      [`${LTI}message_type`]: "LtiResourceLinkRequest",
      [`${LTI}target_link_uri`]: link.url,
      [`${LTI}resource_link`]: { id: link.id, title: link.title },
      [`${LTI}custom`]: link.custom,
      ...(link.lineItemId
        ? {
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
              scope: ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem", "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly", SCORE_SCOPE],
              lineitems: `${this.url}/lineitems`,
              lineitem: `${this.url}/lineitems/${link.lineItemId}`,
            },
          }
        : {}),
    };
  }

  /** Signs claims as this platform (or with a key nobody registered: `stranger`). */
  async sign(claims: JWTPayload, opts: { stranger?: boolean } = {}): Promise<string> {
    const key = opts.stranger ? await newKey() : this.keys[0]!;
    // A stranger's token claims the current kid: the signature, not a missing key, must give it away.
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: this.keys[0]!.kid, typ: "JWT" }).sign(key.privateKey);
  }

  /** Scores the tool posted to the line item of resource link `linkId`. */
  scoresOf(linkId: string): Record<string, unknown>[] {
    const li = this.links.get(linkId)?.lineItemId;
    return li ? (this.lineItems.get(li)?.scores ?? []) : [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: string, type = "text/plain", note?: string): void {
    this.calls.push({ method: req.method ?? "", path: new URL(req.url ?? "/", this.url).pathname, status, note: note ?? (status >= 400 ? body : undefined) });
    res.writeHead(status, { "content-type": type });
    res.end(body);
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const body = req.method === "POST" ? await readBody(req) : "";
    const form = new URLSearchParams(body);
    const path = url.pathname;
    if (path === "/jwks") return this.send(req, res, 200, JSON.stringify({ keys: this.keys.map((k) => k.publicJwk) }), "application/json");
    if (path === "/auth") return this.authorize(req, res, req.method === "POST" ? form : url.searchParams);
    if (path === "/token") return this.token(req, res, form);
    if (path === "/deep-link-return") return this.deepLinkReturn(req, res, form);
    const scores = /^\/lineitems\/([^/]+)\/scores$/.exec(path);
    if (scores && req.method === "POST") return this.score(req, res, scores[1]!, body);
    if (path === "/memberships") return this.memberships(req, res);
    return this.send(req, res, 404, "not found");
  }

  /** OIDC authorization request (LTI 1.3 §5.1.1.2): every parameter checked, then the self-posting id_token. */
  private async authorize(req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): Promise<void> {
    const expect: Record<string, string> = {
      scope: "openid",
      response_type: "id_token",
      response_mode: "form_post",
      prompt: "none",
      client_id: this.clientId,
      redirect_uri: `${this.opts.toolUrl}/api/lti/launch`,
    };
    for (const [k, v] of Object.entries(expect)) if (q.get(k) !== v) return this.send(req, res, 400, `auth: ${k} is ${q.get(k)}, expected ${v}`);
    const state = q.get("state");
    const nonce = q.get("nonce");
    const userId = q.get("login_hint") ?? "";
    const hint = q.get("lti_message_hint") ?? "";
    if (!state || !nonce) return this.send(req, res, 400, "auth: state and nonce are required");
    if (!this.users.has(userId)) return this.send(req, res, 400, `auth: unknown login_hint ${userId}`);
    const message: Message | null = hint === "deep" ? { kind: "deep" } : hint.startsWith("resource:") ? { kind: "resource", linkId: hint.slice(9) } : null;
    if (!message) return this.send(req, res, 400, `auth: unknown lti_message_hint ${hint}`);
    const claims = this.claims(userId, message, nonce) as Record<string, unknown>;
    const bad = this.misbehaveOnce;
    this.misbehaveOnce = null;
    bad?.change?.(claims);
    const idToken = await this.sign(claims, { stranger: bad?.stranger });
    const html = `<!doctype html><html><body><form id="f" method="post" action="${esc(expect.redirect_uri!)}">
<input type="hidden" name="id_token" value="${esc(idToken)}"><input type="hidden" name="state" value="${esc(state)}">
</form><script>document.getElementById("f").submit()</script></body></html>`;
    return this.send(req, res, 200, html, "text/html");
  }

  /** Client credentials with a JWT assertion signed by the tool (RFC 7523; LTI Advantage security framework §4.1). */
  private async token(req: http.IncomingMessage, res: http.ServerResponse, form: URLSearchParams): Promise<void> {
    if (form.get("grant_type") !== "client_credentials") return this.send(req, res, 400, JSON.stringify({ error: "unsupported_grant_type" }), "application/json");
    if (form.get("client_assertion_type") !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
      return this.send(req, res, 400, JSON.stringify({ error: "invalid_client" }), "application/json");
    try {
      await jwtVerify(form.get("client_assertion") ?? "", this.toolKeys, { issuer: this.clientId, subject: this.clientId, audience: `${this.url}/token`, requiredClaims: ["jti", "exp", "iat"] });
    } catch (err) {
      return this.send(req, res, 401, JSON.stringify({ error: "invalid_client", error_description: (err as Error).message }), "application/json");
    }
    const scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
    const allowed = [SCORE_SCOPE, NRPS_SCOPE];
    if (!scopes.length || scopes.some((s) => !allowed.includes(s))) return this.send(req, res, 400, JSON.stringify({ error: "invalid_scope" }), "application/json");
    const token = randomBytes(16).toString("hex");
    this.tokens.set(token, scopes);
    return this.send(req, res, 200, JSON.stringify({ access_token: token, token_type: "bearer", expires_in: 3600, scope: scopes.join(" ") }), "application/json");
  }

  private bearerHas(req: http.IncomingMessage, scope: string): boolean {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    return !!token && (this.tokens.get(token) ?? []).includes(scope);
  }

  /** AGS score publish (AGS 2.0 §3.4): checks the token, media type and fields, then records. */
  private score(req: http.IncomingMessage, res: http.ServerResponse, lineItemId: string, body: string): void {
    if (!this.bearerHas(req, SCORE_SCOPE)) return this.send(req, res, 401, "score: no valid token for the score scope");
    if (req.headers["content-type"] !== "application/vnd.ims.lis.v1.score+json") return this.send(req, res, 415, `score: content-type ${req.headers["content-type"]}`);
    const item = this.lineItems.get(lineItemId);
    if (!item) return this.send(req, res, 404, "score: no such line item");
    const failWith = this.failScores.shift();
    if (failWith) return this.send(req, res, failWith, "score: refused by the test's script");
    const s = JSON.parse(body) as Record<string, unknown>;
    const problems = [
      typeof s.userId !== "string" || !this.users.has(s.userId) ? "userId" : null,
      typeof s.scoreGiven !== "number" || typeof s.scoreMaximum !== "number" || s.scoreGiven < 0 || s.scoreGiven > s.scoreMaximum ? "scoreGiven/scoreMaximum" : null,
      !["Initialized", "Started", "InProgress", "Submitted", "Completed"].includes(String(s.activityProgress)) ? "activityProgress" : null,
      !["FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"].includes(String(s.gradingProgress)) ? "gradingProgress" : null,
      typeof s.timestamp !== "string" || Number.isNaN(Date.parse(s.timestamp)) ? "timestamp" : null,
    ].filter(Boolean);
    if (problems.length) return this.send(req, res, 400, `score: bad ${problems.join(", ")}`);
    item.scores.push(s);
    return this.send(req, res, 200, "{}", "application/json");
  }

  /** Deep Linking 2.0 response: verified against the tool's keys; each resource link is added to the course. */
  private async deepLinkReturn(req: http.IncomingMessage, res: http.ServerResponse, form: URLSearchParams): Promise<void> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(form.get("JWT") ?? "", this.toolKeys, { issuer: this.clientId, audience: this.issuer, requiredClaims: ["nonce", "iat", "exp"] }));
    } catch (err) {
      return this.send(req, res, 400, `deep link: ${(err as Error).message}`);
    }
    const p = payload as Record<string, unknown>;
    const data = p["https://purl.imsglobal.org/spec/lti-dl/claim/data"];
    const problems = [
      p[`${LTI}message_type`] !== "LtiDeepLinkingResponse" ? "message_type" : null,
      p[`${LTI}version`] !== "1.3.0" ? "version" : null,
      p[`${LTI}deployment_id`] !== this.deploymentId ? "deployment_id" : null,
      typeof data !== "string" || !this.deepLinkData.delete(data) ? "data (must echo the request's, once)" : null,
    ].filter(Boolean);
    if (problems.length) return this.send(req, res, 400, `deep link: bad ${problems.join(", ")}`);
    this.deepLinkResponses.push(payload);
    const items = (p["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] ?? []) as Record<string, unknown>[];
    const added: ResourceLink[] = [];
    for (const item of items) {
      if (item.type !== "ltiResourceLink") continue;
      const li = item.lineItem as { scoreMaximum: number; label?: string; resourceId?: string } | undefined;
      const link = this.addLink(String(item.title), (item.custom ?? {}) as Record<string, string>, undefined, String(item.url));
      if (li) link.lineItemId = this.addLineItem(li.label ?? String(item.title), li.scoreMaximum, li.resourceId ?? null).id;
      added.push(link);
    }
    const list = added.map((l) => `<li data-testid="lms-link" data-link-id="${esc(l.id)}">${esc(l.title)}</li>`).join("");
    return this.send(
      req,
      res,
      200,
      `<!doctype html><html><body><h1 data-testid="lms-deep-link-done">Added ${added.length} item(s) to ${esc(this.context.title)}</h1><ul>${list}</ul></body></html>`,
      "text/html",
    );
  }

  /** NRPS 2.0 membership container of the course. */
  private memberships(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.bearerHas(req, NRPS_SCOPE)) return this.send(req, res, 401, "memberships: no valid token for the roster scope");
    const members = [...this.users.values()].map((u) => ({ status: "Active", name: u.name, user_id: u.id, roles: u.roles }));
    const body = { id: `${this.url}/memberships`, context: this.context, members };
    return this.send(req, res, 200, JSON.stringify(body), "application/vnd.ims.lti-nrps.v2.membershipcontainer+json");
  }
}
