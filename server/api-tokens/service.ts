import { DomainError } from "../errors";
import { parseField, tokenName } from "../fields";
import type { PrismaClient } from "../generated/prisma/client";
import type { SessionUser } from "../auth/principal";
import { generateToken, hashToken, looksLikeToken, tokenPrefix } from "./token";
import { DEFAULT_TOKEN_SCOPES, knownScopes, tokenScopes, type TokenScope } from "./scopes";

/**
 * API tokens for scripts and graders. A token acts as its user, with the
 * user's role as it is now (a demoted instructor's tokens lose instructor
 * reach at once). Everyone signed in may have tokens; they reach only what
 * their role reaches, and only what their scopes allow (./scopes.ts).
 */

/** A token as lists show it: never the token itself. */
export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  /** What the token may do: "read", "labs" or both (./scopes.ts). */
  scopes: TokenScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Live (not revoked) tokens one user may hold, so a leaking script cannot mint without bound. */
export const MAX_ACTIVE_TOKENS = 20;
/** lastUsedAt is written at most this often per token: a grader polling every second must not write every second. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const VIEW = { id: true, name: true, prefix: true, scopes: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true } as const;

/** A row as lists show it, its scopes read through knownScopes. */
function viewOf<T extends { scopes: string[] }>(row: T): Omit<T, "scopes"> & { scopes: TokenScope[] } {
  return { ...row, scopes: knownScopes(row.scopes) };
}

/**
 * Creates a token; the returned `token` is the only time anyone sees it.
 * `scopes` defaults to ["read"] (what every token could do before scopes).
 */
export async function createApiToken(
  prisma: PrismaClient,
  user: Pick<SessionUser, "id">,
  input: { name: string; expiresInDays?: number | null; scopes?: readonly string[] },
  now = new Date(),
): Promise<{ token: string; view: ApiTokenView }> {
  const name = parseField(tokenName, input.name);
  const scopes = parseField(tokenScopes, input.scopes ?? DEFAULT_TOKEN_SCOPES);
  const token = generateToken();
  const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
  const view = await prisma.$transaction(async (tx) => {
    // Count and insert under a lock on the user's row: a script creating
    // tokens in parallel waits its turn instead of slipping past the cap.
    await tx.$queryRaw`SELECT id FROM users WHERE id = ${user.id} FOR UPDATE`;
    const active = await tx.apiToken.count({ where: { userId: user.id, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } });
    if (active >= MAX_ACTIVE_TOKENS) {
      throw new DomainError("CONFLICT", `You already have ${MAX_ACTIVE_TOKENS} active tokens; revoke one you no longer use first.`);
    }
    return tx.apiToken.create({
      data: { userId: user.id, name, prefix: tokenPrefix(token), tokenHash: hashToken(token), scopes, expiresAt, createdAt: now },
      select: VIEW,
    });
  });
  return { token, view: viewOf(view) };
}

/** Tokens a list shows: every live one, then the newest revoked or expired ones up to this many in all. */
export const TOKEN_LIST_LIMIT = 100;

/**
 * The user's tokens, newest first: every live one, and revoked or expired
 * ones (so the list explains why a script stopped) up to TOKEN_LIST_LIMIT in
 * all. Dead tokens pile up over the years; the oldest explain nothing.
 */
export async function listApiTokens(prisma: PrismaClient, user: Pick<SessionUser, "id">, now = new Date()): Promise<ApiTokenView[]> {
  const liveWhere = { userId: user.id, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  // The cap keeps live tokens at MAX_ACTIVE_TOKENS; the take only bounds the query.
  const live = await prisma.apiToken.findMany({ where: liveWhere, orderBy: { createdAt: "desc" }, take: TOKEN_LIST_LIMIT, select: VIEW });
  const dead = await prisma.apiToken.findMany({
    where: { userId: user.id, NOT: { id: { in: live.map((t) => t.id) } } },
    orderBy: { createdAt: "desc" },
    take: Math.max(TOKEN_LIST_LIMIT - live.length, 0),
    select: VIEW,
  });
  return [...live, ...dead].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map(viewOf);
}

/** Revokes one of the user's own tokens; NOT_FOUND for anyone else's. Revoking twice is harmless. */
export async function revokeApiToken(prisma: PrismaClient, user: Pick<SessionUser, "id">, tokenId: string, now = new Date()): Promise<ApiTokenView> {
  const row = await prisma.apiToken.findFirst({ where: { id: tokenId, userId: user.id }, select: VIEW });
  if (!row) throw new DomainError("NOT_FOUND", "That API token does not exist, or it is not yours.");
  if (row.revokedAt) return viewOf(row);
  return viewOf(await prisma.apiToken.update({ where: { id: tokenId }, data: { revokedAt: now }, select: VIEW }));
}

/**
 * The user a bearer token acts as and what it may do, or an UNAUTHORIZED
 * error saying why not (unknown, revoked, expired). Records use, at most
 * once a minute. Scopes are enforced by the caller (server/rest/request.ts).
 */
export async function authenticateApiToken(prisma: PrismaClient, token: string, now = new Date()): Promise<{ user: SessionUser; scopes: TokenScope[] }> {
  const unknown = new DomainError("UNAUTHORIZED", "That API token is not valid: check it was copied whole, or create a new one on your Account page.");
  if (!looksLikeToken(token)) throw unknown;
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: { select: { id: true, email: true, name: true, role: true } } },
  });
  if (!row) throw unknown;
  if (row.revokedAt) throw new DomainError("UNAUTHORIZED", `The API token “${row.name}” was revoked; create a new one on your Account page.`);
  if (row.expiresAt && row.expiresAt <= now) throw new DomainError("UNAUTHORIZED", `The API token “${row.name}” expired; create a new one on your Account page.`);
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // The condition in the where clause keeps concurrent requests from all writing.
    await prisma.apiToken.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
      data: { lastUsedAt: now },
    });
  }
  return { user: { id: row.user.id, email: row.user.email, name: row.user.name, role: row.user.role }, scopes: knownScopes(row.scopes) };
}
