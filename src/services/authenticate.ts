import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { apiKeys, memberships } from '../db/schema/index.ts';
import { API_KEY_MARK, parseApiKey, safeEqualHex, sha256, type TokenSigner } from '../auth/tokens.ts';
import { AuthenticationError } from './errors.ts';
import type { Viewer } from './viewer.ts';

/** last_used_at is advisory: writing it at most once a minute keeps reads from turning into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves an `Authorization` header value to a viewer. No header means anonymous (null); a header
 * that does not check out is an error, so a client with a broken key hears about it at once.
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
  // Roles are read per request, so a demotion or removal takes effect at once, not at token expiry.
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, claims.userId), eq(memberships.organizationId, claims.organizationId)));
  if (!membership) throw new AuthenticationError('You are no longer a member of this organization');
  return { organizationId: claims.organizationId, role: membership.role, userId: claims.userId, apiKeyId: null, expiresAt: claims.expiresAt };
}

async function authenticateApiKey(db: DbOrTx, key: string, prefix: string): Promise<Viewer> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix));
  if (!row || !safeEqualHex(row.secretHash, sha256(key))) throw new AuthenticationError('The API key is not valid');
  if (row.revokedAt) throw new AuthenticationError('The API key has been revoked');
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw new AuthenticationError('The API key has expired');
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, row.id));
  }
  return { organizationId: row.organizationId, role: row.role, userId: null, apiKeyId: row.id, expiresAt: row.expiresAt };
}
