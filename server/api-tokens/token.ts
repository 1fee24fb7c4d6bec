import crypto from "node:crypto";

/**
 * The API token format, with no database: `rl_` then 43 base64url characters
 * (32 random bytes). Only its SHA-256 is stored; the first characters are
 * kept as a prefix so a list can show which token is which.
 */

export const TOKEN_MARKER = "rl_";
const SECRET_BYTES = 32;
/** 32 bytes in unpadded base64url. */
const SECRET_CHARS = 43;
const TOKEN_PATTERN = new RegExp(`^${TOKEN_MARKER}[A-Za-z0-9_-]{${SECRET_CHARS}}$`);
/** Characters kept for lists: the marker plus eight of the secret (48 bits; says nothing useful about the rest). */
export const PREFIX_LENGTH = TOKEN_MARKER.length + 8;

/** A new random token. */
export function generateToken(random: (n: number) => Buffer = crypto.randomBytes): string {
  return TOKEN_MARKER + random(SECRET_BYTES).toString("base64url");
}

/** What a token is stored as: hex SHA-256. A fast hash is enough for 256 random bits (no dictionary to guess from). */
export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}

/** The part of a token shown in lists, e.g. `rl_AbCd1234`. */
export function tokenPrefix(token: string): string {
  return token.slice(0, PREFIX_LENGTH);
}

/** True for a string shaped like one of our tokens. */
export function looksLikeToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

/**
 * The credential of an `Authorization` header: none (no header), a token, or
 * malformed (a header that is not `Bearer rl_...`), so the caller can answer
 * a broken header with a sentence instead of silently ignoring it.
 */
export type BearerCredential = { kind: "none" } | { kind: "token"; token: string } | { kind: "malformed"; reason: string };

export function parseAuthorization(header: string | null | undefined): BearerCredential {
  if (header === null || header === undefined || header.trim() === "") return { kind: "none" };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  if (!match) return { kind: "malformed", reason: "The Authorization header must be `Bearer <token>`." };
  const token = match[1]!;
  if (!looksLikeToken(token)) return { kind: "malformed", reason: "That is not a Runtime Labs API token: tokens start with rl_ and are 46 characters long." };
  return { kind: "token", token };
}
