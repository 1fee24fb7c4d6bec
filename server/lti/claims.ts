/**
 * The names LTI 1.3 and LTI Advantage give to claims, message types, scopes
 * and media types (IMS LTI Core 1.3, Deep Linking 2.0, Assignment and Grade
 * Services 2.0, Names and Role Provisioning Services 2.0), and the rule that
 * maps an LMS role to ours. No I/O here.
 */

const LTI = "https://purl.imsglobal.org/spec/lti/claim/";

/** Claim names of an LTI message (id_token or deep-linking response). */
export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  deepLinkingSettings: "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
  contentItems: "https://purl.imsglobal.org/spec/lti-dl/claim/content_items",
  deepLinkingData: "https://purl.imsglobal.org/spec/lti-dl/claim/data",
  deepLinkingMessage: "https://purl.imsglobal.org/spec/lti-dl/claim/msg",
  agsEndpoint: "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
  nrpsService: "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice",
} as const;

export const LTI_VERSION = "1.3.0";

export const MESSAGE_TYPE = {
  resourceLink: "LtiResourceLinkRequest",
  deepLinkingRequest: "LtiDeepLinkingRequest",
  deepLinkingResponse: "LtiDeepLinkingResponse",
} as const;

/** OAuth 2 scopes of the services we call. */
export const SCOPE = {
  score: "https://purl.imsglobal.org/spec/lti-ags/scope/score",
  memberships: "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
} as const;

export const MEDIA_TYPE = {
  score: "application/vnd.ims.lis.v1.score+json",
  memberships: "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
} as const;

/** RFC 7523: a client authenticating with a JWT it signed. */
export const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#";

/**
 * Our role for someone with these LMS roles: instructor when they teach or
 * administer the course (context roles Instructor or Administrator, full
 * URIs or the short names LTI 1.3 still allows), otherwise learner. A
 * sub-role such as membership/Instructor#TeachingAssistant teaches too.
 * Institution and system roles alone (an LMS-wide administrator launching
 * as a student) do not make anyone an instructor here.
 */
export function roleFromLti(roles: readonly string[]): "instructor" | "learner" {
  const teaches = roles.some((r) => {
    if (r === "Instructor" || r === "Administrator") return true;
    if (r.startsWith(MEMBERSHIP)) return /^(Instructor|Administrator)$/.test(r.slice(MEMBERSHIP.length));
    return r.startsWith("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#") || r.startsWith("http://purl.imsglobal.org/vocab/lis/v2/membership/Administrator#");
  });
  return teaches ? "instructor" : "learner";
}

/** Whether an NRPS member with these roles is a learner of the course. */
export function isLearnerRole(roles: readonly string[]): boolean {
  return roles.some((r) => r === "Learner" || r === `${MEMBERSHIP}Learner` || r.startsWith("http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#"));
}
