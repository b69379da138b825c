import { randomBytes } from 'node:crypto';
import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.ts';
import { organizations, webhookDeliveries, webhooks } from '../db/schema/index.ts';
import { webhookEvents, type WebhookEvent } from '../db/schema/enums.ts';
import { encryptSecret } from '../lib/crypto.ts';
import { encodeGlobalId } from '../lib/global-id.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors.ts';
import { paginate, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { parseInput } from './validation.ts';
import { hasRole, type Viewer } from './viewer.ts';

export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/** Every event fans out to every subscribed webhook, so the fan-out is bounded. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 20;

export const WEBHOOK_DELIVER_TASK = 'webhook__deliver';

/** One job per delivery: a retry replaces the job rather than adding a second one. */
export function webhookJobKey(deliveryId: string): string {
  return `${WEBHOOK_DELIVER_TASK}:${deliveryId}`;
}

/** Adds the delivery's job, due at `run_at` (default now); call it in the transaction that records why. */
export function addDeliveryJob(tx: DbOrTx, deliveryId: string, runAt: Date | null = null) {
  return tx.execute(sql`
    select graphile_worker.add_job(${WEBHOOK_DELIVER_TASK}, json_build_object('deliveryId', ${deliveryId}::uuid),
      run_at := ${runAt ? sql`${runAt.toISOString()}::timestamptz` : sql`now()`},
      job_key := ${webhookJobKey(deliveryId)}, max_attempts := 3)`);
}

/**
 * Queues `event` for every active webhook of the organization subscribed to it, in the caller's
 * transaction, exactly as the database triggers do for alerts and scans. For events raised in
 * code rather than by a row change (the daily digest). Returns how many deliveries were queued.
 */
export async function enqueueWebhookEvent(tx: DbOrTx, organizationId: string, event: WebhookEvent, data: Record<string, unknown>): Promise<number> {
  const [row] = await tx.execute<{ queued: number }>(
    sql`select vigil_enqueue_webhook_deliveries(${organizationId}::uuid, ${event}::text, ${JSON.stringify(data)}::jsonb) as queued`,
  );
  return row?.queued ?? 0;
}

const webhookUrl = z
  .string()
  .trim()
  .max(2_000, 'must be at most 2000 characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
  // Credentials in the URL would show up wherever the URL does; the signature authenticates Vigil.
  .refine((url) => {
    const parsed = URL.parse(url); // null when the check above already failed
    return !parsed || (!parsed.username && !parsed.password);
  }, 'must not contain a user name or password');

const eventList = z
  .array(z.enum(webhookEvents, { error: `must be one of ${webhookEvents.join(', ')}` }))
  .min(1, 'must list at least one event')
  .max(20, 'must list at most 20 events')
  .transform((events) => [...new Set(events)]);

const createWebhookSchema = z.object({ url: webhookUrl, events: eventList });
/** Events arrive as strings: an unknown one is a ValidationError naming its position. */
export interface CreateWebhookInput {
  url: string;
  events: string[];
}

const updateWebhookSchema = z.object({
  url: webhookUrl.optional(),
  events: eventList.optional(),
  isActive: z.boolean().optional(),
});
export interface UpdateWebhookInput {
  url?: string;
  events?: string[];
  isActive?: boolean;
}

/** A Standard Webhooks secret: `whsec_` + the base64 of 32 random bytes, which are the HMAC key. */
function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Returns the webhook and its signing secret; the plain secret exists only in this return value. */
export async function createWebhook(
  db: Db,
  viewer: Viewer,
  encryptionKey: Buffer | undefined,
  input: CreateWebhookInput,
): Promise<{ webhook: WebhookRow; secret: string }> {
  const data = parseInput(createWebhookSchema, input);
  if (!encryptionKey) throw ValidationError.single(['input'], 'this server has no ENCRYPTION_KEY, so it cannot store webhook secrets');
  const secret = generateWebhookSecret();
  return db.transaction(async (tx) => {
    // Serializes creation per organization so the count below holds.
    await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, viewer.organizationId)).for('update');
    const [{ value: existing }] = (await tx
      .select({ value: count() })
      .from(webhooks)
      .where(eq(webhooks.organizationId, viewer.organizationId))) as [{ value: number }];
    if (existing >= MAX_WEBHOOKS_PER_ORGANIZATION) {
      throw new ConflictError(`An organization can have at most ${MAX_WEBHOOKS_PER_ORGANIZATION} webhooks`);
    }
    const [webhook] = await tx
      .insert(webhooks)
      .values({
        organizationId: viewer.organizationId,
        url: data.url,
        events: data.events,
        secretEncrypted: encryptSecret(encryptionKey, secret),
      })
      .returning();
    return { webhook: webhook!, secret };
  });
}

/**
 * Replaces a webhook's signing secret and returns the new one (the only time it is shown).
 * Deliveries are signed with it from now on — attempts still pending included — and a webhook made
 * before Standard Webhooks signing stops getting the old `Vigil-*` headers. Owners only, since a
 * rotation breaks whatever receiver still holds the old secret.
 */
export async function rotateWebhookSecret(db: Db, viewer: Viewer, encryptionKey: Buffer | undefined, id: string): Promise<{ webhook: WebhookRow; secret: string }> {
  if (viewer.role !== 'owner') throw new ForbiddenError('Only an owner can rotate a webhook secret');
  if (!encryptionKey) throw ValidationError.single(['input'], 'this server has no ENCRYPTION_KEY, so it cannot store webhook secrets');
  const secret = generateWebhookSecret();
  const [webhook] = await db
    .update(webhooks)
    .set({ secretEncrypted: encryptSecret(encryptionKey, secret), hasLegacySecret: false, updatedAt: sql`now()` })
    .where(and(eq(webhooks.id, id), eq(webhooks.organizationId, viewer.organizationId)))
    .returning();
  if (!webhook) throw new NotFoundError('Webhook', id);
  return { webhook, secret };
}

/**
 * Changes the URL or events, or turns the webhook off and on. Turning it on again clears the failure
 * count and the reason it was disabled; deliveries dropped while it was off are not replayed.
 */
export async function updateWebhook(db: Db, viewer: Viewer, id: string, input: UpdateWebhookInput): Promise<WebhookRow> {
  const data = parseInput(updateWebhookSchema, input);
  return db.transaction(async (tx) => {
    const current = await getWebhook(tx, viewer, id, { forUpdate: true });
    const isEnabling = data.isActive === true && !current.isActive;
    const isDisabling = data.isActive === false && current.isActive;
    const [webhook] = await tx
      .update(webhooks)
      .set({
        url: data.url,
        events: data.events,
        ...(isEnabling ? { isActive: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 } : {}),
        ...(isDisabling ? { isActive: false, disabledReason: 'Disabled by an administrator', disabledAt: sql`now()` } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(webhooks.id, current.id))
      .returning();
    return webhook!;
  });
}

/** Deletes the webhook and its delivery log; queued deliveries find nothing left to send. */
export async function deleteWebhook(db: DbOrTx, viewer: Viewer, id: string): Promise<WebhookRow> {
  const [webhook] = await db
    .delete(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.organizationId, viewer.organizationId)))
    .returning();
  if (!webhook) throw new NotFoundError('Webhook', id);
  return webhook;
}

/**
 * Queues a `webhook.test` delivery to this webhook alone, whatever its events and even while it is
 * disabled (to check a receiver before turning it back on). Tests get one attempt and do not count
 * towards disabling.
 */
export async function testWebhook(db: Db, viewer: Viewer, id: string): Promise<WebhookDeliveryRow> {
  return db.transaction(async (tx) => {
    const webhook = await getWebhook(tx, viewer, id);
    const [delivery] = await tx
      .insert(webhookDeliveries)
      .values({
        organizationId: viewer.organizationId,
        webhookId: webhook.id,
        event: 'webhook.test',
        payload: {
          webhook: { id: encodeGlobalId('Webhook', webhook.id), url: webhook.url },
          message: 'A test delivery from Vigil. Verify its signature as you would for any event.',
        },
      })
      .returning();
    await addDeliveryJob(tx, delivery!.id);
    return delivery!;
  });
}

export async function getWebhook(db: DbOrTx, viewer: Viewer, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookRow> {
  const query = db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.organizationId, viewer.organizationId)));
  const [webhook] = options.forUpdate ? await query.for('update') : await query;
  if (!webhook) throw new NotFoundError('Webhook', id);
  return webhook;
}

export function listWebhooks(db: DbOrTx, viewer: Viewer): Promise<WebhookRow[]> {
  return db
    .select()
    .from(webhooks)
    .where(eq(webhooks.organizationId, viewer.organizationId))
    .orderBy(desc(webhooks.createdAt), desc(webhooks.id))
    .limit(MAX_WEBHOOKS_PER_ORGANIZATION);
}

/** For the DataLoader behind `node(id)`: webhooks are for owners and admins only. */
export function loadWebhooks(db: DbOrTx, viewer: Viewer, ids: readonly string[]): Promise<WebhookRow[]> {
  if (ids.length === 0 || !hasRole(viewer, 'admin')) return Promise.resolve([]);
  return db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.organizationId, viewer.organizationId), inArray(webhooks.id, [...ids])));
}

export function loadWebhookDeliveries(db: DbOrTx, viewer: Viewer, ids: readonly string[]): Promise<WebhookDeliveryRow[]> {
  if (ids.length === 0 || !hasRole(viewer, 'admin')) return Promise.resolve([]);
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.organizationId, viewer.organizationId), inArray(webhookDeliveries.id, [...ids])));
}

const deliveryOrdering: Ordering = {
  name: 'webhookDeliveries.newest',
  direction: 'desc',
  keys: [
    { column: webhookDeliveries.createdAt, type: 'timestamptz' },
    { column: webhookDeliveries.id, type: 'uuid' },
  ],
};

/** A webhook's delivery log, newest first. */
export function listWebhookDeliveries(db: DbOrTx, viewer: Viewer, webhookId: string, args: PageArgs): Promise<Page<WebhookDeliveryRow>> {
  return paginate(args, deliveryOrdering, ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ delivery: webhookDeliveries, cursor })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.organizationId, viewer.organizationId), eq(webhookDeliveries.webhookId, webhookId), seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.delivery, cursor: row.cursor }))),
  );
}
