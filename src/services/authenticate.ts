import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { memberships, refreshTokens } from '../db/schema/index.ts';
import type { Role } from '../db/schema/enums.ts';
import { API_KEY_MARK, parseApiKey, safeEqualHex, sha256, type TokenSigner } from '../auth/tokens.ts';
import { LAST_USED_RESOLUTION_MS, type AuthCache } from './auth-cache.ts';
import { AuthenticationError } from './errors.ts';
import { roleRank, type Viewer } from './viewer.ts';

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
 * The result depends only on the credential and those rows, so with a `cache` a credential seen
 * before costs no statement: the triggers in drizzle/functions/09_auth_changes.sql announce every
 * change to them, and the cache drops what they concern (see auth-cache.ts).
 */
export async function authenticate(db: DbOrTx, signer: TokenSigner, authorization: string | null | undefined, cache?: AuthCache): Promise<Viewer | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new AuthenticationError('The Authorization header must be `Bearer <access token or API key>`');
  const credential = match[1]!;
  const cached = cache?.get(credential);
  if (cached) return cached;
  const generation = cache?.generation ?? 0;
  const viewer = await lookUp(db, signer, credential);
  cache?.set(credential, viewer, generation);
  return viewer;
}

async function lookUp(db: DbOrTx, signer: TokenSigner, credential: string): Promise<Viewer> {
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

type ApiKeyRow = {
  id: string;
  organization_id: string;
  created_by_user_id: string | null;
  secret_hash: string;
  role: Role;
  /** ISO 8601 (to_json), or null. */
  expires_at: string | null;
  is_revoked: boolean;
  creator_role: Role | null;
};

/**
 * One statement reads the key with its creator's membership and, if the key checks out and its
 * last_used_at is over a minute old, stamps it (last_used_at is advisory; a cached key is looked up
 * again at least once a minute, see auth-cache.ts).
 */
async function authenticateApiKey(db: DbOrTx, key: string, prefix: string): Promise<Viewer> {
  const secretHash = sha256(key);
  const rows = await db.execute<ApiKeyRow>(sql`
    with k as (
      select k.id, k.organization_id, k.created_by_user_id, k.secret_hash, k.role, k.expires_at, k.revoked_at, k.last_used_at, m.role as creator_role
      from api_keys k
      left join memberships m on m.user_id = k.created_by_user_id and m.organization_id = k.organization_id
      where k.prefix = ${prefix}
    ), stamped as (
      update api_keys set last_used_at = now() from k
      where api_keys.id = k.id and k.secret_hash = ${secretHash} and k.revoked_at is null
        and (k.expires_at is null or k.expires_at > now()) and k.creator_role is not null
        and (k.last_used_at is null or k.last_used_at < now() - make_interval(secs => ${LAST_USED_RESOLUTION_MS / 1000}))
    )
    select id, organization_id, created_by_user_id, secret_hash, role, to_json(expires_at) as expires_at, revoked_at is not null as is_revoked, creator_role
    from k`);
  const row = rows[0];
  if (!row || !safeEqualHex(row.secret_hash, secretHash)) throw new AuthenticationError('The API key is not valid');
  if (row.is_revoked) throw new AuthenticationError('The API key has been revoked');
  const expiresAt = row.expires_at ? new Date(row.expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AuthenticationError('The API key has expired');
  if (!row.creator_role) throw new AuthenticationError('The API key stopped working: whoever created it is no longer a member of this organization');
  return {
    organizationId: row.organization_id,
    role: lowerRole(row.role, row.creator_role),
    userId: null,
    apiKeyId: row.id,
    keyCreatorUserId: row.created_by_user_id,
    expiresAt,
  };
}

function lowerRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}
