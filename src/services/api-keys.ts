import { and, count, eq, inArray, isNull, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { apiKeys } from '../db/schema/index.ts';
import { roles } from '../db/schema/enums.ts';
import { generateApiKey } from '../auth/tokens.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';
import { paginate, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { parseInput } from './validation.ts';
import { hasRole, roleRank, type Viewer } from './viewer.ts';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

const createApiKeySchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  role: z.enum(roles),
  expiresAt: z
    .date()
    .refine((date) => date.getTime() > Date.now(), 'must be in the future')
    .nullish(),
});

export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;

/** Returns the stored key and its secret; the secret exists only in this return value. */
export async function createApiKey(db: DbOrTx, viewer: Viewer, input: CreateApiKeyInput): Promise<{ apiKey: ApiKeyRow; secret: string }> {
  const data = parseInput(createApiKeySchema, input);
  if (roleRank(data.role) > roleRank(viewer.role)) {
    throw new ForbiddenError(`A ${viewer.role} cannot create a key with the ${data.role} role`);
  }
  const generated = generateApiKey();
  const [apiKey] = await db
    .insert(apiKeys)
    .values({
      organizationId: viewer.organizationId,
      // A key made with a key belongs to the same person: their role caps both.
      createdByUserId: viewer.userId ?? viewer.keyCreatorUserId ?? null,
      name: data.name,
      prefix: generated.prefix,
      secretHash: generated.hash,
      role: data.role,
      expiresAt: data.expiresAt ?? null,
    })
    .returning();
  return { apiKey: apiKey!, secret: generated.key };
}

/** Revokes a key of the viewer's organization; only owners revoke OWNER-role keys, as only they create them. */
export async function revokeApiKey(db: DbOrTx, viewer: Viewer, id: string): Promise<ApiKeyRow> {
  const isOwner = viewer.role === 'owner';
  const [apiKey] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(apiKeys.id, id),
        eq(apiKeys.organizationId, viewer.organizationId),
        isNull(apiKeys.revokedAt),
        isOwner ? undefined : ne(apiKeys.role, 'owner'),
      ),
    )
    .returning();
  if (apiKey) return apiKey;
  const [existing] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.organizationId, viewer.organizationId)));
  if (!existing) throw new NotFoundError('ApiKey', id);
  if (existing.role === 'owner' && !isOwner) throw new ForbiddenError('Only an owner can revoke an OWNER-role key');
  return existing;
}

const apiKeyOrdering: Ordering = {
  name: 'apiKeys.newest',
  direction: 'desc',
  keys: [
    { column: apiKeys.createdAt, type: 'timestamptz' },
    { column: apiKeys.id, type: 'uuid' },
  ],
};

/** The organization's API keys, newest first, revoked ones included. */
export function listApiKeys(db: DbOrTx, viewer: Viewer, args: PageArgs): Promise<Page<ApiKeyRow>> {
  return paginate(args, apiKeyOrdering, ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ apiKey: apiKeys, cursor })
      .from(apiKeys)
      .where(and(eq(apiKeys.organizationId, viewer.organizationId), seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.apiKey, cursor: row.cursor }))),
  );
}

export async function countApiKeys(db: DbOrTx, viewer: Viewer): Promise<number> {
  const [row] = await db.select({ value: count() }).from(apiKeys).where(eq(apiKeys.organizationId, viewer.organizationId));
  return row!.value;
}

/** Keys by id for `node(id)`: only the viewer's organization's, and only for owners and admins. */
export function loadApiKeys(db: DbOrTx, viewer: Viewer, ids: readonly string[]): Promise<ApiKeyRow[]> {
  if (ids.length === 0 || !hasRole(viewer, 'admin')) return Promise.resolve([]);
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.organizationId, viewer.organizationId), inArray(apiKeys.id, [...ids])));
}
