import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";

export interface PlatformKeysetOptions {
  /** How long a fetched keyset is trusted before it is fetched again. Default 10 minutes. */
  cacheMaxAgeMs?: number;
  /**
   * The least time between two fetches when a token names a key the cached
   * set lacks (the LMS rotated its key): one re-fetch per this, so a stream
   * of tokens with made-up key ids cannot make us hammer the LMS. Default 10 s.
   */
  cooldownMs?: number;
  /** Longest a keyset fetch may take. Default 5 s. */
  timeoutMs?: number;
}

/**
 * The LMSs' public keys, one cached keyset per JWKS URL (jose's remote
 * keyset: cached, re-fetched when a token's kid is unknown, after the
 * cooldown). A registration whose URL changes simply gets a new entry.
 */
export class PlatformKeysets {
  private readonly sets = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly opts: PlatformKeysetOptions = {}) {}

  /** The key resolver for tokens of the LMS whose keyset is at `jwksUrl`. */
  for(jwksUrl: string): JWTVerifyGetKey {
    let set = this.sets.get(jwksUrl);
    if (!set) {
      set = createRemoteJWKSet(new URL(jwksUrl), {
        cacheMaxAge: this.opts.cacheMaxAgeMs ?? 600_000,
        cooldownDuration: this.opts.cooldownMs ?? 10_000,
        timeoutDuration: this.opts.timeoutMs ?? 5_000,
        headers: { "user-agent": "RuntimeLabs-LTI/1" },
      });
      this.sets.set(jwksUrl, set);
    }
    return set;
  }
}
