import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { creditLedger, organizations } from '../db/schema/index.ts';
import { encryptSecret } from '../lib/crypto.ts';
import { ValidationError } from './errors.ts';
import { paginate, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { parseInput } from './validation.ts';
import type { Viewer } from './viewer.ts';

export type LedgerRow = typeof creditLedger.$inferSelect;

const ledgerOrdering: Ordering = { name: 'ledger.newest', direction: 'desc', keys: [{ column: creditLedger.id, type: 'bigint' }] };

/** The organization's credit history, newest first. */
export function listLedger(db: DbOrTx, viewer: Viewer, args: PageArgs): Promise<Page<LedgerRow>> {
  return paginate(args, ledgerOrdering, ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ entry: creditLedger, cursor })
      .from(creditLedger)
      .where(and(eq(creditLedger.organizationId, viewer.organizationId), seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.entry, cursor: row.cursor }))),
  );
}

/** Ledger entries by id for `node(id)`, never across organizations. */
export function loadLedgerEntries(db: DbOrTx, organizationId: string, ids: readonly number[]): Promise<LedgerRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.select().from(creditLedger).where(and(eq(creditLedger.organizationId, organizationId), inArray(creditLedger.id, [...ids])));
}

const openAiKeySchema = z.object({
  apiKey: z.string().trim().min(20, 'does not look like an OpenAI API key').max(500, 'must be at most 500 characters').nullable(),
});

/** Stores (or, with null, removes) the organization's own OpenAI key, encrypted; it is never read back out. */
export async function setOrganizationOpenAiKey(db: DbOrTx, viewer: Viewer, encryptionKey: Buffer | undefined, apiKey: string | null): Promise<void> {
  const data = parseInput(openAiKeySchema, { apiKey });
  if (data.apiKey && !encryptionKey) throw ValidationError.single(['input', 'apiKey'], 'this server has no ENCRYPTION_KEY, so it cannot store keys');
  await db
    .update(organizations)
    .set({ openaiKeyEncrypted: data.apiKey ? encryptSecret(encryptionKey!, data.apiKey) : null })
    .where(eq(organizations.id, viewer.organizationId));
}
