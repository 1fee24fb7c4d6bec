import { errors, jwtVerify, type JWTPayload } from "jose";
import type { LtiPlatform, PrismaClient } from "../generated/prisma/client";
import type { LmsProfile } from "./accounts";
import { CLAIM, LTI_VERSION, MESSAGE_TYPE, roleFromLti, SCOPE } from "./claims";
import { endpointProblem } from "./fields";
import { isOurUrl, sha256, stateCookieName } from "./login";
import type { PlatformKeysets } from "./platform-jwks";
import { ADMIN_ADVICE, LtiRefusal } from "./refusal";

/** A launch that passed every check, with what the rest of the tool needs from it. */
export interface VerifiedLaunch {
  platform: LtiPlatform;
  messageType: typeof MESSAGE_TYPE.resourceLink | typeof MESSAGE_TYPE.deepLinkingRequest;
  subject: string;
  deploymentId: string;
  roles: string[];
  role: "instructor" | "learner";
  profile: LmsProfile;
  targetLinkUri: string;
  custom: Record<string, string>;
  context: { id: string; title: string } | null;
  /** The AGS line item of the resource link, when the LMS lets us post scores to it. */
  lineItemUrl: string | null;
  /** The NRPS roster URL of the course, when the LMS offers it. */
  membershipsUrl: string | null;
  deepLinking: { returnUrl: string; data: string | null; acceptMultiple: boolean } | null;
}

export interface LaunchDeps {
  prisma: PrismaClient;
  keysets: PlatformKeysets;
  publicUrl: string;
  clock?: () => Date;
  log?: (msg: string) => void;
}

/** How far the LMS's clock may be from ours when exp and iat are checked. */
const CLOCK_TOLERANCE_S = 60;
/** An id_token older than this is refused even if its exp is later (we sent the nonce at most LOGIN_STATE_TTL_MS ago anyway). */
const MAX_TOKEN_AGE_S = 10 * 60;

const asObject = (v: unknown): Record<string, unknown> | null => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const asString = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

function missing(claim: string, what: string): LtiRefusal {
  return new LtiRefusal(400, `The LMS's id_token lacks ${what} (claim ${claim}), which LTI 1.3 requires.`, ADMIN_ADVICE);
}

/** Cookies of a request's Cookie header. */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** A jose failure as the sentence the refused launch shows. */
function verificationRefusal(err: unknown, platform: LtiPlatform, payload: JWTPayload | undefined): LtiRefusal {
  const e = err as errors.JOSEError & { claim?: string; reason?: string };
  switch (e?.code) {
    case errors.JWSSignatureVerificationFailed.code:
      return new LtiRefusal(401, `The id_token's signature does not match any key of ${platform.name} (keyset ${platform.jwksUrl}): it was not signed by the registered LMS.`, ADMIN_ADVICE);
    case errors.JWKSNoMatchingKey.code:
      return new LtiRefusal(401, `The id_token is signed with a key that ${platform.name}'s keyset (${platform.jwksUrl}) does not list, even after fetching it again.`, ADMIN_ADVICE);
    case errors.JOSEAlgNotAllowed.code:
      return new LtiRefusal(401, "The id_token is not signed with RS256, the algorithm LTI 1.3 requires.", ADMIN_ADVICE);
    case errors.JWTExpired.code:
      return e.claim === "iat"
        ? new LtiRefusal(401, "The id_token was issued more than 10 minutes ago; launches must be fresh.")
        : new LtiRefusal(401, `The id_token has expired (exp ${new Date(Number(payload?.exp ?? 0) * 1000).toISOString()}); launches must be used at once.`);
    case errors.JWTClaimValidationFailed.code:
      if (e.reason === "missing") return missing(e.claim ?? "?", `the ${e.claim} claim`);
      if (e.claim === "iss") return new LtiRefusal(401, `The id_token was issued by ${String(payload?.iss)}, not by the registered issuer ${platform.issuer}.`, ADMIN_ADVICE);
      if (e.claim === "aud") {
        return new LtiRefusal(401, `The id_token is meant for ${JSON.stringify(payload?.aud)}, not for our client id ${platform.clientId} at ${platform.name} (wrong audience).`, ADMIN_ADVICE);
      }
      if (e.claim === "iat") return new LtiRefusal(401, "The id_token says it was issued in the future; check the LMS server's clock.", ADMIN_ADVICE);
      return new LtiRefusal(401, `The id_token's ${e.claim} claim is not acceptable: ${e.message}.`, ADMIN_ADVICE);
    case errors.JWKSTimeout.code:
      return new LtiRefusal(
        502,
        `${platform.name}'s keyset (${platform.jwksUrl}) did not answer in time, so the launch could not be checked.`,
        "Try again in a minute; if it persists, the LMS's keyset URL is unreachable from Runtime Labs.",
      );
    case errors.JWSInvalid.code:
    case errors.JWTInvalid.code:
      return new LtiRefusal(400, "The id_token is not a well-formed signed JWT.", ADMIN_ADVICE);
    default:
      return new LtiRefusal(502, `${platform.name}'s keyset (${platform.jwksUrl}) could not be fetched or read, so the launch could not be checked: ${e?.message ?? String(err)}`, ADMIN_ADVICE);
  }
}

/**
 * Checks a launch (the id_token and state the LMS's form posted) as LTI 1.3
 * §5.1.3 asks: the state is ours, unused, fresh and bound to this browser;
 * the token is signed by the registered LMS's key (its JWKS, re-fetched for
 * an unknown kid), issued by it, for our client id (azp when there are
 * several audiences), not expired, carries the nonce we sent, a registered
 * deployment, version 1.3.0, a message type we handle and the claims that
 * type requires. Only then is the state spent (once: a replay is refused).
 * Throws LtiRefusal; writes nothing but the state's use.
 */
export async function verifyLaunch(form: URLSearchParams, cookieHeader: string | null, deps: LaunchDeps): Promise<VerifiedLaunch> {
  const idToken = form.get("id_token");
  const state = form.get("state");
  const error = form.get("error");
  if (error) {
    const description = form.get("error_description");
    throw new LtiRefusal(400, `The LMS answered the login with the error “${error.slice(0, 100)}”${description ? `: ${description.slice(0, 300)}` : "."}`);
  }
  if (!idToken) throw new LtiRefusal(400, "The launch carried no id_token; it must come from the LMS's login form.");
  if (!state || state.length > 200) throw new LtiRefusal(400, "The launch carried no state; it must follow a login started here.");

  const now = deps.clock?.() ?? new Date();
  const row = await deps.prisma.ltiLoginState.findUnique({ where: { state }, include: { platform: true } });
  if (!row) throw new LtiRefusal(400, "This launch's state is unknown here: the login did not start at this Runtime Labs, or it was cleaned up long ago.");
  if (row.usedAt) throw new LtiRefusal(400, "This launch was already used. Each launch (its state and nonce) is accepted once; a replay is refused.");
  if (row.expiresAt <= now) throw new LtiRefusal(400, "This launch took longer than 10 minutes between the LMS's login and its arrival here.");
  const bound = parseCookies(cookieHeader).get(stateCookieName(state));
  if (bound !== undefined && sha256(bound) !== row.browserHash) {
    throw new LtiRefusal(400, "This launch was started in another browser: its state does not belong to this one.");
  }
  if (bound === undefined && deps.publicUrl.startsWith("https:")) {
    throw new LtiRefusal(
      400,
      "The browser did not send back the cookie set when this launch started, so the launch cannot be tied to this browser.",
      "Browsers that block third-party cookies do this when the activity opens inside the LMS page: set the tool to open in a new window, or allow cookies for this site.",
    );
  }
  // Plain http (development and loopback tests): a Lax cookie is missing on
  // a cross-site POST. The state is still single use, short lived and
  // unguessable, and the nonce in the signed token must match it.
  if (bound === undefined) deps.log?.("lti: launch without its state cookie accepted (http PUBLIC_URL: SameSite=None cookies need https)");

  const platform = row.platform;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, deps.keysets.for(platform.jwksUrl), {
      issuer: platform.issuer,
      audience: platform.clientId,
      algorithms: ["RS256"],
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: MAX_TOKEN_AGE_S,
      requiredClaims: ["exp", "iat", "sub", "nonce"],
      currentDate: now,
    }));
  } catch (err) {
    const claims = (err as { payload?: JWTPayload }).payload;
    throw verificationRefusal(err, platform, claims);
  }
  const launch = readClaims(payload, platform, row.nonce, deps.publicUrl);

  const spent = await deps.prisma.ltiLoginState.updateMany({ where: { state, usedAt: null }, data: { usedAt: now } });
  if (spent.count !== 1) throw new LtiRefusal(400, "This launch was already used. Each launch (its state and nonce) is accepted once; a replay is refused.");
  return launch;
}

/** The LTI claims of a verified token, each checked; throws LtiRefusal on the first problem. */
function readClaims(p: JWTPayload, platform: LtiPlatform, nonce: string, publicUrl: string): VerifiedLaunch {
  const claims = p as Record<string, unknown>;
  if (Array.isArray(p.aud) && p.aud.length > 1 && p.azp === undefined) throw missing("azp", "the authorized party (azp), required when the token has several audiences");
  if (p.azp !== undefined && p.azp !== platform.clientId) {
    throw new LtiRefusal(401, `The id_token's authorized party (azp) is ${String(p.azp)}, not our client id ${platform.clientId} (wrong audience).`, ADMIN_ADVICE);
  }
  if (claims.nonce !== nonce) throw new LtiRefusal(401, "The id_token's nonce is not the one sent for this launch; it belongs to another launch (a replay).");
  const subject = asString(p.sub);
  if (!subject || subject.length > 255) throw missing("sub", "the user's id (sub), at most 255 characters");

  const version = claims[CLAIM.version];
  if (version === undefined) throw missing(CLAIM.version, "the LTI version");
  if (version !== LTI_VERSION) throw new LtiRefusal(400, `The launch is LTI version ${String(version)}; only ${LTI_VERSION} is supported.`, ADMIN_ADVICE);

  const deploymentId = asString(claims[CLAIM.deploymentId]);
  if (!deploymentId) throw missing(CLAIM.deploymentId, "the deployment id");
  if (!platform.deploymentIds.includes(deploymentId)) {
    throw new LtiRefusal(403, `The deployment ${deploymentId} of ${platform.name} is not registered here (unknown deployment).`, ADMIN_ADVICE);
  }

  const messageType = claims[CLAIM.messageType];
  if (messageType === undefined) throw missing(CLAIM.messageType, "the message type");
  if (messageType !== MESSAGE_TYPE.resourceLink && messageType !== MESSAGE_TYPE.deepLinkingRequest) {
    throw new LtiRefusal(400, `The launch is a ${String(messageType).slice(0, 80)} message; only ${MESSAGE_TYPE.resourceLink} and ${MESSAGE_TYPE.deepLinkingRequest} are handled.`, ADMIN_ADVICE);
  }

  const rolesClaim = claims[CLAIM.roles];
  if (!Array.isArray(rolesClaim)) throw missing(CLAIM.roles, "the user's roles");
  const roles = rolesClaim.filter((r): r is string => typeof r === "string");

  const targetLinkUri = asString(claims[CLAIM.targetLinkUri]);
  if (!targetLinkUri) throw missing(CLAIM.targetLinkUri, "the target link URI");
  if (!isOurUrl(targetLinkUri, publicUrl)) throw new LtiRefusal(400, `The launch targets ${targetLinkUri.slice(0, 200)}, which is not an address of this Runtime Labs.`, ADMIN_ADVICE);

  let deepLinking: VerifiedLaunch["deepLinking"] = null;
  if (messageType === MESSAGE_TYPE.resourceLink) {
    if (!asString(asObject(claims[CLAIM.resourceLink])?.id)) throw missing(CLAIM.resourceLink, "the resource link's id");
  } else {
    const settings = asObject(claims[CLAIM.deepLinkingSettings]);
    const returnUrl = asString(settings?.deep_link_return_url);
    if (!settings || !returnUrl) throw missing(CLAIM.deepLinkingSettings, "the deep-linking settings with deep_link_return_url");
    const problem = endpointProblem(returnUrl);
    if (problem) throw new LtiRefusal(400, `The deep-linking return URL ${problem}.`, ADMIN_ADVICE);
    const types = Array.isArray(settings.accept_types) ? settings.accept_types : [];
    if (!types.includes("ltiResourceLink")) throw new LtiRefusal(400, "This LMS place accepts no LTI resource links (accept_types), so no lab can be added here.", ADMIN_ADVICE);
    deepLinking = { returnUrl, data: asString(settings.data), acceptMultiple: settings.accept_multiple !== false };
  }

  const context = asObject(claims[CLAIM.context]);
  const contextId = asString(context?.id);
  const ags = asObject(claims[CLAIM.agsEndpoint]);
  const agsScopes = Array.isArray(ags?.scope) ? ags.scope : [];
  const lineItem = asString(ags?.lineitem);
  const nrps = asObject(claims[CLAIM.nrpsService]);
  const memberships = asString(nrps?.context_memberships_url);
  const custom = Object.fromEntries(Object.entries(asObject(claims[CLAIM.custom]) ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"));
  return {
    platform,
    messageType,
    subject,
    deploymentId,
    roles,
    role: roleFromLti(roles),
    profile: { name: asString(claims.name) ?? undefined, givenName: asString(claims.given_name) ?? undefined, familyName: asString(claims.family_name) ?? undefined },
    targetLinkUri,
    custom,
    context: contextId ? { id: contextId.slice(0, 255), title: (asString(context?.title) ?? asString(context?.label) ?? contextId).slice(0, 200) } : null,
    // Service URLs we would call: only where a registration's endpoints could be (https, or loopback for tests).
    lineItemUrl: lineItem && agsScopes.includes(SCOPE.score) && !endpointProblem(lineItem) ? lineItem : null,
    membershipsUrl: memberships && !endpointProblem(memberships) ? memberships : null,
    deepLinking,
  };
}
