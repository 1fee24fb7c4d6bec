import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import type { PlatformRegistry } from "./platforms";
import { ADMIN_ADVICE, LtiRefusal } from "./refusal";

/** How long a login may take between our redirect to the LMS and its launch coming back. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

/** Longest value we accept in a login parameter (hints are opaque but short in every LMS). */
const MAX_PARAM = 4096;

export const launchPath = "/api/lti/launch";

/** The cookie that binds a login's state to the browser that started it (one per login: an LMS page may start several). */
export function stateCookieName(state: string): string {
  return `lti_state_${createHash("sha256").update(state).digest("hex").slice(0, 16)}`;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const random = () => randomBytes(32).toString("base64url");

/**
 * The state cookie's attributes. The launch arrives as a cross-site POST
 * from the LMS, and browsers send a cookie on a cross-site POST only when it
 * is SameSite=None, which they accept only with Secure, that is, on https.
 * So on an https PUBLIC_URL the cookie is SameSite=None; Secure and the
 * launch requires it. On plain http (development, tests on loopback) it is
 * SameSite=Lax: sent back when the LMS is on the same site (another port
 * of the same host), missing otherwise, and then the launch relies on the
 * server-side state alone (see launch.ts).
 */
export function stateCookie(name: string, value: string, secure: boolean, maxAgeSeconds: number): string {
  const same = secure ? "SameSite=None; Secure" : "SameSite=Lax";
  return `${name}=${value}; Path=/api/lti; Max-Age=${maxAgeSeconds}; HttpOnly; ${same}`;
}

export interface LoginDeps {
  prisma: PrismaClient;
  platforms: PlatformRegistry;
  publicUrl: string;
  clock?: () => Date;
}

function param(params: URLSearchParams, name: string, required: true): string;
function param(params: URLSearchParams, name: string, required: false): string | null;
function param(params: URLSearchParams, name: string, required: boolean): string | null {
  const value = params.get(name);
  if (value === null || value === "") {
    if (required) throw new LtiRefusal(400, `The LMS started a login without the ${name} parameter, which LTI 1.3 requires.`, ADMIN_ADVICE);
    return null;
  }
  if (value.length > MAX_PARAM) throw new LtiRefusal(400, `The login parameter ${name} is ${value.length} characters long; at most ${MAX_PARAM} are accepted.`, ADMIN_ADVICE);
  return value;
}

/** Whether `uri` is an address of this install (launches may only land here: no open redirects). */
export function isOurUrl(uri: string, publicUrl: string): boolean {
  try {
    return new URL(uri).origin === new URL(publicUrl).origin;
  } catch {
    return false;
  }
}

/**
 * OIDC third-party login initiation (LTI 1.3 §5.1.1): the LMS sends iss,
 * login_hint and target_link_uri (and maybe lti_message_hint, client_id,
 * lti_deployment_id); we answer with a redirect to the LMS's authorization
 * endpoint carrying a fresh state and nonce, stored server-side for one
 * use within LOGIN_STATE_TTL_MS, and a cookie binding the state to this
 * browser.
 */
export async function initiateLogin(params: URLSearchParams, deps: LoginDeps): Promise<{ location: string; cookie: string }> {
  const issuer = param(params, "iss", true);
  const loginHint = param(params, "login_hint", true);
  const targetLinkUri = param(params, "target_link_uri", true);
  const messageHint = param(params, "lti_message_hint", false);
  const clientId = param(params, "client_id", false);
  const deploymentId = param(params, "lti_deployment_id", false);
  if (!isOurUrl(targetLinkUri, deps.publicUrl)) {
    throw new LtiRefusal(400, `The launch asks to go to ${targetLinkUri.slice(0, 200)}, which is not an address of this Runtime Labs (${deps.publicUrl}).`, ADMIN_ADVICE);
  }
  const matches = await deps.platforms.forLogin(issuer, clientId);
  if (!matches.length) {
    const which = clientId ? `issuer ${issuer} with client id ${clientId}` : `issuer ${issuer}`;
    throw new LtiRefusal(400, `No LMS with ${which} is registered here.`, ADMIN_ADVICE);
  }
  if (matches.length > 1) {
    throw new LtiRefusal(400, `Several registrations share the issuer ${issuer}, and the LMS did not say which client id it launches (client_id).`, ADMIN_ADVICE);
  }
  const platform = matches[0]!;
  if (deploymentId && !platform.deploymentIds.includes(deploymentId)) {
    throw new LtiRefusal(400, `The deployment ${deploymentId} of ${platform.name} is not registered here.`, ADMIN_ADVICE);
  }
  const now = deps.clock?.() ?? new Date();
  const state = random();
  const nonce = random();
  const browser = random();
  await deps.prisma.ltiLoginState.create({
    data: { state, nonce, platformId: platform.id, browserHash: sha256(browser), targetLinkUri, expiresAt: new Date(now.getTime() + LOGIN_STATE_TTL_MS), createdAt: now },
  });
  const auth = new URL(platform.authUrl);
  const query: Record<string, string> = {
    scope: "openid",
    response_type: "id_token",
    response_mode: "form_post",
    prompt: "none",
    client_id: platform.clientId,
    redirect_uri: `${deps.publicUrl}${launchPath}`,
    login_hint: loginHint,
    state,
    nonce,
    ...(messageHint ? { lti_message_hint: messageHint } : {}),
  };
  for (const [k, v] of Object.entries(query)) auth.searchParams.set(k, v);
  const secure = deps.publicUrl.startsWith("https:");
  return { location: auth.toString(), cookie: stateCookie(stateCookieName(state), browser, secure, LOGIN_STATE_TTL_MS / 1000) };
}
