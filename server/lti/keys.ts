import { hkdfSync, randomUUID } from "node:crypto";
import { CompactEncrypt, compactDecrypt, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";

/** Our signing algorithm: RS256 is the one every LTI 1.3 platform must accept. */
export const TOOL_ALG = "RS256";

export interface ToolKeysOptions {
  prisma: PrismaClient;
  /** The install's auth secret; the private keys are encrypted with a key derived from it. */
  secret: string;
  /** How long a retired key's public half stays in the JWKS (platforms cache it, and verify what it signed). Default 7 days. */
  graceMs?: number;
  /** A current key older than this is rotated when next used. Default 90 days. */
  maxAgeMs?: number;
  clock?: () => Date;
  log?: (msg: string) => void;
}

/** One key as an admin sees it: never the private half. */
export interface ToolKeySummary {
  kid: string;
  createdAt: Date;
  retiredAt: Date | null;
  expiresAt: Date | null;
  current: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Our RS256 key pairs, kept in the database so every replica signs with the
 * same key and platforms can verify it at /api/lti/jwks. The private key
 * is stored only as a JWE (dir + A256GCM) under a key derived (HKDF-SHA256)
 * from AUTH_SECRET, and never leaves this class. The newest key that is not
 * retired signs; rotate() makes a new one current and retires the others,
 * whose public keys stay in the JWKS for a grace period.
 */
export class ToolKeys {
  private readonly privateKeys = new Map<string, CryptoKey>();
  private readonly wrapKey: Uint8Array;

  constructor(private readonly opts: ToolKeysOptions) {
    this.wrapKey = new Uint8Array(hkdfSync("sha256", opts.secret, "runtime-labs", "lti tool signing key encryption", 32));
  }

  private now(): Date {
    return this.opts.clock?.() ?? new Date();
  }

  /** The public keys platforms may verify our messages with: current and retired-but-not-expired. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.opts.prisma.ltiKey.findMany({
      where: { OR: [{ expiresAt: null }, { expiresAt: { gt: this.now() } }] },
      orderBy: { createdAt: "desc" },
      select: { publicJwk: true },
    });
    if (!rows.length) {
      await this.current();
      return this.jwks();
    }
    return { keys: rows.map((r) => r.publicJwk as JWK) };
  }

  /** Every key still in the JWKS, newest first. */
  async list(): Promise<ToolKeySummary[]> {
    const rows = await this.opts.prisma.ltiKey.findMany({
      where: { OR: [{ expiresAt: null }, { expiresAt: { gt: this.now() } }] },
      orderBy: { createdAt: "desc" },
      select: { kid: true, createdAt: true, retiredAt: true, expiresAt: true },
    });
    const currentKid = rows.find((r) => !r.retiredAt)?.kid;
    return rows.map((r) => ({ ...r, current: r.kid === currentKid }));
  }

  /** Signs `payload` with the current key (made on first use, rotated when too old). */
  async sign(payload: JWTPayload, expiresInSeconds: number): Promise<string> {
    const key = await this.current();
    const now = Math.floor(this.now().getTime() / 1000);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: TOOL_ALG, kid: key.kid, typ: "JWT" })
      .setIssuedAt(now)
      .setExpirationTime(now + expiresInSeconds)
      .sign(key.privateKey);
  }

  /** Makes a new key current; the previous ones leave the JWKS after the grace period. */
  async rotate(): Promise<{ kid: string }> {
    const prisma = this.opts.prisma;
    const made = await this.generate();
    const now = this.now();
    const graceMs = this.opts.graceMs ?? 7 * DAY_MS;
    // Only keys older than the new one: two rotations racing leave the newest current.
    const { count } = await prisma.ltiKey.updateMany({
      where: { retiredAt: null, createdAt: { lt: made.createdAt } },
      data: { retiredAt: now, expiresAt: new Date(now.getTime() + graceMs) },
    });
    this.opts.log?.(`lti: signing key ${made.kid} is current; ${count} older key(s) retired, in the JWKS until ${new Date(now.getTime() + graceMs).toISOString()}`);
    return { kid: made.kid };
  }

  /** The current key, decrypted; made on first use and rotated when older than maxAgeMs. */
  private async current(): Promise<{ kid: string; privateKey: CryptoKey }> {
    const row = await this.opts.prisma.ltiKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: "desc" } });
    const maxAgeMs = this.opts.maxAgeMs ?? 90 * DAY_MS;
    if (!row) {
      await this.generate();
      return this.current();
    }
    if (this.now().getTime() - row.createdAt.getTime() > maxAgeMs) {
      await this.rotate();
      return this.current();
    }
    const cached = this.privateKeys.get(row.kid);
    if (cached) return { kid: row.kid, privateKey: cached };
    let jwk: JWK;
    try {
      const { plaintext } = await compactDecrypt(row.privateJwe, this.wrapKey);
      jwk = JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
    } catch (err) {
      throw new DomainError(
        "INTERNAL",
        "The LTI signing key cannot be decrypted; AUTH_SECRET probably changed since it was made. An administrator can make a new key under Administration → LTI (Rotate key).",
        (err as Error).message,
      );
    }
    const privateKey = (await importJWK(jwk, TOOL_ALG)) as CryptoKey;
    this.privateKeys.set(row.kid, privateKey);
    return { kid: row.kid, privateKey };
  }

  /** A fresh key pair, stored (private half encrypted). */
  private async generate(): Promise<{ kid: string; createdAt: Date }> {
    const { publicKey, privateKey } = await generateKeyPair(TOOL_ALG, { modulusLength: 2048, extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: TOOL_ALG, use: "sig" };
    const privateJwk = await exportJWK(privateKey);
    const privateJwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(privateJwk))).setProtectedHeader({ alg: "dir", enc: "A256GCM", kid }).encrypt(this.wrapKey);
    const row = await this.opts.prisma.ltiKey.create({ data: { kid, publicJwk, privateJwe, createdAt: this.now() }, select: { kid: true, createdAt: true } });
    this.privateKeys.set(kid, privateKey);
    this.opts.log?.(`lti: made signing key ${kid}`);
    return row;
  }
}
