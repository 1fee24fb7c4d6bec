import { randomUUID } from "node:crypto";
import type { LtiPlatform } from "../generated/prisma/client";
import { JWT_BEARER_ASSERTION } from "./claims";
import type { ToolKeys } from "./keys";

/** The registration fields a token request needs. */
export type TokenPlatform = Pick<LtiPlatform, "id" | "name" | "clientId" | "tokenUrl" | "tokenAudience">;

/** A failed HTTP exchange with the LMS, as a sentence for the deliveries table and the log. */
export class PlatformCallError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
    /** True when trying again cannot help (the LMS refused what we sent, not its own trouble). */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "PlatformCallError";
  }
}

/** Refresh a cached token this long before the LMS says it expires. */
const EXPIRY_MARGIN_MS = 30_000;

/** The start of a response body on one line, for error sentences. */
export async function excerpt(res: Response, max = 200): Promise<string> {
  const text = await res.text().catch(() => "");
  const line = text.replace(/[\p{Cc}\s]+/gu, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Why a request did not get an answer, as a sentence. */
export function unreachable(err: unknown, url: string, timeoutMs: number): PlatformCallError {
  const e = err as Error & { cause?: { code?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return new PlatformCallError(`${new URL(url).host} did not answer within ${timeoutMs / 1000} s.`, null, false);
  return new PlatformCallError(`The request to ${new URL(url).host} failed: ${e?.cause?.code ?? e?.message ?? String(err)}.`, null, false);
}

/**
 * OAuth 2 access tokens for the LMS's services (AGS, NRPS): the client
 * credentials grant, authenticated by a JWT we sign with our key (RFC 7523,
 * as LTI Advantage's security framework asks). Tokens are cached per
 * platform and scope set until shortly before they expire; concurrent asks
 * for the same one share a request.
 */
export class PlatformTokens {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly deps: { keys: ToolKeys; timeoutMs?: number; clock?: () => number }) {}

  private key(platform: TokenPlatform, scopes: string[]): string {
    return `${platform.id} ${platform.tokenUrl} ${[...scopes].sort().join(" ")}`;
  }

  private now(): number {
    return this.deps.clock?.() ?? Date.now();
  }

  /** A bearer token for `scopes` at `platform` (cached). Throws PlatformCallError. */
  async get(platform: TokenPlatform, scopes: string[]): Promise<string> {
    const key = this.key(platform, scopes);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > this.now()) return cached.token;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.request(platform, scopes).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Drops a cached token the LMS no longer accepts (it answered 401). */
  forget(platform: TokenPlatform, scopes: string[]): void {
    this.cache.delete(this.key(platform, scopes));
  }

  private async request(platform: TokenPlatform, scopes: string[]): Promise<string> {
    const timeoutMs = this.deps.timeoutMs ?? 10_000;
    const assertion = await this.deps.keys.sign({ iss: platform.clientId, sub: platform.clientId, aud: platform.tokenAudience ?? platform.tokenUrl, jti: randomUUID() }, 300);
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: JWT_BEARER_ASSERTION,
      client_assertion: assertion,
      scope: scopes.join(" "),
    });
    let res: Response;
    try {
      res = await fetch(platform.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", "user-agent": "RuntimeLabs-LTI/1" },
        body,
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw unreachable(err, platform.tokenUrl, timeoutMs);
    }
    if (!res.ok) {
      const said = await excerpt(res);
      // 400/401: the LMS refused our client or scopes; retries help only after its admin fixes the tool's settings.
      throw new PlatformCallError(`${platform.name} refused an access token (HTTP ${res.status}) for ${scopes.join(", ")}.${said ? ` It said: ${said}` : ""}`, res.status, false);
    }
    const json = (await res.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
    if (!json || typeof json.access_token !== "string" || !json.access_token) {
      throw new PlatformCallError(`${platform.name}'s token endpoint answered without an access_token.`, res.status, false);
    }
    const lifetimeS = typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in : 3600;
    this.cache.set(this.key(platform, scopes), { token: json.access_token, expiresAt: this.now() + lifetimeS * 1000 });
    return json.access_token;
  }
}
