import { userFromHeaders } from "../../server/auth/principal";
import type { Services } from "../../server/services";
import { createContextInner } from "../../server/trpc/context";
import { createCaller } from "../../server/trpc/root";
import type { LtiTestPlatform } from "./lti-platform";

/** What the tool's login initiation answered: where it sends the browser, and the cookie it set. */
export interface LoginStep {
  status: number;
  location: string;
  /** The state cookie as the browser sends it back (name=value). */
  cookie: string;
  state: string;
  nonce: string;
}

/**
 * Walks LTI launches through the tool's own handlers (services.lti) the way
 * a browser would, without Next: login initiation, the fake LMS's
 * authorization endpoint over real HTTP, then the launch POST.
 */
export class LtiDriver {
  constructor(
    private readonly services: Services,
    private readonly lms: LtiTestPlatform,
  ) {}

  private get publicUrl(): string {
    return this.services.env.publicUrl;
  }

  /** GETs a login initiation URL from the tool. */
  async login(url: string): Promise<LoginStep> {
    const res = await this.services.lti.login(new Request(url));
    const location = res.headers.get("location") ?? "";
    const set = res.headers.getSetCookie()[0] ?? "";
    const q = location ? new URL(location).searchParams : new URLSearchParams();
    return { status: res.status, location, cookie: set.split(";")[0] ?? "", state: q.get("state") ?? "", nonce: q.get("nonce") ?? "" };
  }

  /** Follows the login to the LMS's authorization endpoint and reads the id_token and state its self-posting form carries. */
  async authorize(step: LoginStep): Promise<{ idToken: string; state: string }> {
    const res = await fetch(step.location);
    const html = await res.text();
    if (res.status !== 200) throw new Error(`the test LMS refused the authorization request: ${html}`);
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";
    return { idToken: field("id_token"), state: field("state") };
  }

  /** POSTs a launch form to the tool. */
  launch(form: Record<string, string>, cookie = ""): Promise<Response> {
    return this.services.lti.launch(
      new Request(`${this.publicUrl}/api/lti/launch`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
        body: new URLSearchParams(form),
      }),
    );
  }

  /** A whole launch of `userId` opening `message`, as the LMS would make it. */
  async fullLaunch(userId: string, message: Parameters<LtiTestPlatform["loginUrl"]>[1]): Promise<Response> {
    const step = await this.login(this.lms.loginUrl(userId, message));
    const { idToken, state } = await this.authorize(step);
    return this.launch({ id_token: idToken, state }, step.cookie);
  }

  /** The signed-in session a launch answer's cookies carry, as a tRPC caller (null when none). */
  async callerFrom(res: Response) {
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .filter((c) => !c!.startsWith("lti_state_"))
      .join("; ");
    const user = await userFromHeaders(this.services.auth, new Headers({ cookie }));
    return user ? { user, cookie, caller: createCaller(createContextInner({ services: this.services, user })) } : null;
  }
}
