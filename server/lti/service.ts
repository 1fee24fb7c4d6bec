import type { Auth } from "../auth/auth";
import type { SessionUser } from "../auth/principal";
import { HTTP_STATUS, isDomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { GradingService } from "../grading/service";
import { SLUG_PATTERN } from "../labs/schema";
import type { LabCatalogService } from "../labs/service";
import { LtiAccounts } from "./accounts";
import { MESSAGE_TYPE } from "./claims";
import { DeepLinking } from "./deep-linking";
import { autoPostPage } from "./html";
import { ToolKeys } from "./keys";
import { verifyLaunch, type VerifiedLaunch } from "./launch";
import { initiateLogin, stateCookie, stateCookieName } from "./login";
import { ScorePassback, type PassbackConfig } from "./passback";
import { PlatformKeysets, type PlatformKeysetOptions } from "./platform-jwks";
import { PlatformRegistry } from "./platforms";
import { LtiRefusal } from "./refusal";
import { Rosters } from "./nrps";
import { PlatformTokens } from "./token";

export interface LtiServiceDeps {
  prisma: PrismaClient;
  auth: Auth;
  labs: LabCatalogService;
  /** PUBLIC_URL: where launches must land, and the origin of every URL we give the LMS. */
  publicUrl: string;
  /** The auth secret (our private keys are encrypted under a key derived from it). */
  secret: string;
  log?: (msg: string) => void;
  passbackConfig?: Partial<PassbackConfig>;
  keysets?: PlatformKeysetOptions;
}

const CLIENT_ADVICE = "Open the activity again from your course in the LMS.";

/**
 * Runtime Labs as an LTI 1.3 tool: login initiation and launch (signing
 * people in), our keys and JWKS, deep linking, grade passback and course
 * rosters. The route handlers under app/api/lti call the HTTP methods here
 * with the Request and return the Response; everything else is the parts'.
 */
export class LtiService {
  readonly keys: ToolKeys;
  readonly platforms: PlatformRegistry;
  readonly accounts: LtiAccounts;
  readonly deepLinking: DeepLinking;
  readonly rosters: Rosters;
  readonly passback: ScorePassback;
  readonly tokens: PlatformTokens;
  private readonly keysets: PlatformKeysets;

  constructor(private readonly deps: LtiServiceDeps) {
    this.keys = new ToolKeys({ prisma: deps.prisma, secret: deps.secret, log: deps.log });
    this.platforms = new PlatformRegistry(deps.prisma);
    this.accounts = new LtiAccounts({ prisma: deps.prisma, auth: deps.auth, log: deps.log });
    this.tokens = new PlatformTokens({ keys: this.keys });
    this.deepLinking = new DeepLinking({ prisma: deps.prisma, labs: deps.labs, keys: this.keys, publicUrl: deps.publicUrl });
    this.rosters = new Rosters({ prisma: deps.prisma, accounts: this.accounts, tokens: this.tokens });
    this.passback = new ScorePassback({ prisma: deps.prisma, labs: deps.labs, tokens: this.tokens, config: deps.passbackConfig, log: deps.log });
    this.keysets = new PlatformKeysets(deps.keysets);
  }

  /** Subscribes grade passback to grading and starts its worker; returns what undoes both. */
  start(grading: Pick<GradingService, "onEvent">): () => Promise<void> {
    const detach = this.passback.attach(grading);
    this.passback.start();
    return async () => {
      detach();
      await this.passback.stop();
    };
  }

  /** GET /api/lti/jwks: our public keys. */
  async jwks(): Promise<Response> {
    return Response.json(await this.keys.jwks(), { headers: { "cache-control": "public, max-age=300" } });
  }

  /** GET or POST /api/lti/login: OIDC third-party login initiation. */
  async login(req: Request): Promise<Response> {
    try {
      const params = req.method === "POST" ? new URLSearchParams(await formText(req)) : new URL(req.url).searchParams;
      const { location, cookie } = await initiateLogin(params, { prisma: this.deps.prisma, platforms: this.platforms, publicUrl: this.deps.publicUrl });
      return new Response(null, { status: 302, headers: { location, "set-cookie": cookie, "cache-control": "no-store" } });
    } catch (err) {
      return this.refusal(err, "login");
    }
  }

  /**
   * POST /api/lti/launch: checks the launch (verifyLaunch), then, and only
   * then, signs the person in (their account linked by LMS user id, made on
   * first launch) and sends them on: a resource link to its lab, a
   * deep-linking request (instructors only) to the lab picker.
   */
  async launch(req: Request): Promise<Response> {
    let state: string | null = null;
    try {
      if (req.method !== "POST") throw new LtiRefusal(405, "A launch arrives as a form POST from the LMS; this address cannot be opened directly.", CLIENT_ADVICE);
      const form = new URLSearchParams(await formText(req));
      state = form.get("state");
      const launch = await verifyLaunch(form, req.headers.get("cookie"), { prisma: this.deps.prisma, keysets: this.keysets, publicUrl: this.deps.publicUrl, log: this.deps.log });
      // Everything that can refuse is decided before anything is made.
      const slug = launch.messageType === MESSAGE_TYPE.resourceLink ? await this.labOf(launch) : null;
      if (launch.messageType === MESSAGE_TYPE.deepLinkingRequest && launch.role !== "instructor") {
        throw new LtiRefusal(403, "Only the course's instructors can add labs to it; this launch came from a learner.", CLIENT_ADVICE);
      }
      const { userId } = await this.accounts.linkOrCreate(launch.platform.issuer, launch.subject, launch.profile, launch.role);
      await this.rosters.record(launch, userId);
      let location: string;
      if (launch.messageType === MESSAGE_TYPE.deepLinkingRequest) {
        location = `/lti/deep-link/${await this.deepLinking.begin(launch, userId)}`;
      } else {
        if (slug && launch.lineItemUrl && launch.role === "learner") await this.linkGrades(launch, userId, slug);
        location = slug ? `/labs/${slug}` : "/";
      }
      const headers = new Headers({ location: `${this.deps.publicUrl}${location}`, "cache-control": "no-store" });
      headers.append("set-cookie", await this.accounts.sessionCookie(userId, clientOf(req)));
      headers.append("set-cookie", clearStateCookie(state ?? "", this.deps.publicUrl));
      this.deps.log?.(`lti: ${launch.messageType} from ${launch.platform.name} signed in ${userId} as ${launch.role}, to ${location}`);
      return new Response(null, { status: 303, headers });
    } catch (err) {
      return this.refusal(err, "launch", state ? { "set-cookie": clearStateCookie(state, this.deps.publicUrl) } : {});
    }
  }

  /**
   * POST /api/lti/deep-link (our picker's form): signs the picked labs as a
   * deep-linking response and hands it to the LMS through the browser. Only
   * from our own pages (Origin), for the signed-in instructor whose request it is.
   */
  async deepLinkReturn(req: Request, user: SessionUser | null): Promise<Response> {
    try {
      const origin = req.headers.get("origin");
      if (origin !== new URL(this.deps.publicUrl).origin) throw new LtiRefusal(403, "Labs can be added only from the picker page of this Runtime Labs.", CLIENT_ADVICE);
      if (!user) throw new LtiRefusal(401, "You are no longer signed in; open the LMS's “add activity” dialog again.", CLIENT_ADVICE);
      const form = new URLSearchParams(await formText(req));
      const { returnUrl, jwt } = await this.deepLinking.respond(user, form.get("request") ?? "", form.getAll("lab"));
      return autoPostPage(returnUrl, { JWT: jwt }, "Sending the labs to your LMS");
    } catch (err) {
      return this.refusal(err, "deep link");
    }
  }

  /**
   * The lab a resource link opens: its custom parameter `lab` (set by our
   * deep links), else the /labs/<slug> of its target link URI; null for the
   * catalog. A lab that is not in the catalog refuses the launch.
   */
  private async labOf(launch: VerifiedLaunch): Promise<string | null> {
    const fromPath = /^\/labs\/([^/?#]+)\/?$/.exec(new URL(launch.targetLinkUri).pathname)?.[1];
    const slug = launch.custom.lab ?? fromPath ?? null;
    if (slug === null) return null;
    const known =
      SLUG_PATTERN.test(slug) &&
      (await this.deps.labs.get(slug).then(
        () => true,
        () => false,
      ));
    if (!known)
      throw new LtiRefusal(
        404,
        `This activity opens the lab “${slug.slice(0, 80)}”, which is not in this Runtime Labs catalog (it may have been removed).`,
        "Tell your instructor: the activity in the LMS needs to point at a lab that exists.",
      );
    return slug;
  }

  /** Remembers where the learner's score on `slug` goes, and posts it now if they already earned points. */
  private async linkGrades(launch: VerifiedLaunch, userId: string, slug: string): Promise<void> {
    const key = { platformId: launch.platform.id, userId, labSlug: slug, lineItemUrl: launch.lineItemUrl! };
    await this.deps.prisma.ltiGradeLink.upsert({
      where: { platformId_userId_labSlug_lineItemUrl: key },
      create: { ...key, subject: launch.subject },
      update: { subject: launch.subject },
    });
    await this.passback.enqueue(userId, slug, true);
  }

  private refusal(err: unknown, what: string, headers: Record<string, string> = {}): Response {
    if (err instanceof LtiRefusal) {
      this.deps.log?.(`lti: ${what} refused (${err.status}): ${err.message}`);
      return err.toResponse(headers);
    }
    if (isDomainError(err)) return new LtiRefusal(HTTP_STATUS[err.code], err.message, CLIENT_ADVICE).toResponse(headers);
    this.deps.log?.(`lti: ${what} failed: ${(err as Error)?.stack ?? String(err)}`);
    return new LtiRefusal(500, "Something went wrong on our side while handling this LMS request; the error was logged.", CLIENT_ADVICE).toResponse(headers);
  }
}

/** The longest form body we read (an id_token with many claims is a few KiB; a deep-link form lists slugs). */
const MAX_FORM_BYTES = 64 * 1024;

/** A urlencoded form body, refused when it is not one or is too large. */
async function formText(req: Request): Promise<string> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) throw new LtiRefusal(415, "This address takes an HTML form post (application/x-www-form-urlencoded).", CLIENT_ADVICE);
  const text = await req.text();
  if (text.length > MAX_FORM_BYTES) throw new LtiRefusal(413, `The form is ${text.length} bytes; at most ${MAX_FORM_BYTES} are accepted.`, CLIENT_ADVICE);
  return text;
}

/** What the new session records about the browser. */
function clientOf(req: Request): { ipAddress: string; userAgent: string } {
  return { ipAddress: req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? "", userAgent: req.headers.get("user-agent") ?? "" };
}

/** The login's state cookie, expired (the launch is over whatever its outcome). */
function clearStateCookie(state: string, publicUrl: string): string {
  return stateCookie(stateCookieName(state), "", publicUrl.startsWith("https:"), 0);
}
