import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { apiKeys, memberships, refreshTokens } from '../db/schema/index.ts';
import type { Role } from '../db/schema/enums.ts';
import { API_KEY_MARK, parseApiKey, safeEqualHex, sha256, type TokenSigner } from '../auth/tokens.ts';
import { AuthenticationError } from './errors.ts';
import { roleRank, type Viewer } from './viewer.ts';

/** last_used_at is advisory: writing it at most once a minute keeps reads from turning into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves an `Authorization` header value to a viewer. No header means anonymous (null); a header
 * that does not check out is an `AuthenticationError`, so a client with a broken key hears about it
 * at once. Everything authorization depends on is read here, in one statement per request:
 *
 * - an access token: the member's current role, and whether its session (the refresh-token family
 *   it was issued with) has been revoked — by `logOut`, or because a used refresh token came back;
 * - an API key: the key, and its creator's current membership. A key acts with the lower of its own
 *   role and its creator's role now, and stops working when its creator leaves the organization.
 *
 * The result depends only on the credential and those rows, so a cache keyed by the credential and
 * invalidated when memberships, api_keys or refresh_tokens change would return the same answer.
 */
export async function authenticate(db: DbOrTx, signer: TokenSigner, authorization: string | null | undefined): Promise<Viewer | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new AuthenticationError('The Authorization header must be `Bearer <access token or API key>`');
  const credential = match[1]!;
  const apiKey = parseApiKey(credential);
  if (apiKey) return authenticateApiKey(db, credential, apiKey.prefix);
  // Shaped like a key but not one (cut short when pasted, say): say so, not "access token".
  if (credential.startsWith(API_KEY_MARK)) throw new AuthenticationError('The API key is not valid');
  const claims = await signer.verify(credential);
  if (!claims) throw new AuthenticationError('The access token is invalid or has expired');
  // Tokens signed before sessions were named carry no session id; they expire within minutes.
  const isSessionRevoked = claims.sessionId
    ? sql<boolean>`exists (select 1 from ${refreshTokens} where ${refreshTokens.familyId} = ${claims.sessionId} and ${refreshTokens.revokedAt} is not null)`
    : sql<boolean>`false`;
  const [membership] = await db
    .select({ role: memberships.role, isSessionRevoked })
    .from(memberships)
    .where(and(eq(memberships.userId, claims.userId), eq(memberships.organizationId, claims.organizationId)));
  if (!membership) throw new AuthenticationError('You are no longer a member of this organization');
  if (membership.isSessionRevoked) throw new AuthenticationError('This session has ended; sign in again');
  return { organizationId: claims.organizationId, role: membership.role, userId: claims.userId, apiKeyId: null, expiresAt: claims.expiresAt };
}

async function authenticateApiKey(db: DbOrTx, key: string, prefix: string): Promise<Viewer> {
  const [row] = await db
    .select({ key: apiKeys, creatorRole: memberships.role })
    .from(apiKeys)
    .leftJoin(memberships, and(eq(memberships.userId, apiKeys.createdByUserId), eq(memberships.organizationId, apiKeys.organizationId)))
    .where(eq(apiKeys.prefix, prefix));
  if (!row || !safeEqualHex(row.key.secretHash, sha256(key))) throw new AuthenticationError('The API key is not valid');
  const { key: apiKey, creatorRole } = row;
  if (apiKey.revokedAt) throw new AuthenticationError('The API key has been revoked');
  if (apiKey.expiresAt && apiKey.expiresAt.getTime() <= Date.now()) throw new AuthenticationError('The API key has expired');
  if (!creatorRole) throw new AuthenticationError('The API key stopped working: whoever created it is no longer a member of this organization');
  if (!apiKey.lastUsedAt || Date.now() - apiKey.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, apiKey.id));
  }
  return {
    organizationId: apiKey.organizationId,
    role: lowerRole(apiKey.role, creatorRole),
    userId: null,
    apiKeyId: apiKey.id,
    keyCreatorUserId: apiKey.createdByUserId,
    expiresAt: apiKey.expiresAt,
  };
}

function lowerRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}
