import { sql } from 'drizzle-orm';
import { bigint, boolean, check, foreignKey, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations } from './accounts.ts';
import { scans } from './monitoring.ts';
import {
  deliveryStatuses,
  inList,
  ledgerReasons,
  type DeliveryStatus,
  type LedgerReason,
  type WebhookDeliveryEvent,
  type WebhookEvent,
  webhookDeliveryEvents,
  webhookEvents,
} from './enums.ts';

const timestamptz = () => timestamp({ withTimezone: true });

/** Append-only. `balance_after` records the running balance so history never has to be re-summed. */
export const creditLedger = pgTable(
  'credit_ledger',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    delta: integer().notNull(),
    balanceAfter: integer().notNull(),
    reason: text().$type<LedgerReason>().notNull(),
    scanId: uuid().references(() => scans.id, { onDelete: 'set null' }),
    /** For grants: the period granted (e.g. `2026-11`), unique per organization so a retried cron grants once. */
    period: text(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    index('credit_ledger_org_idx').on(t.organizationId, t.id.desc().nullsFirst()),
    uniqueIndex('credit_ledger_grant_period_key')
      .on(t.organizationId, t.period)
      .where(sql.raw(`reason = 'grant'`)),
    check('credit_ledger_balance_check', sql.raw('balance_after >= 0')),
    check('credit_ledger_reason_check', sql.raw(`reason IN (${inList(ledgerReasons)})`)),
  ],
);

export const webhooks = pgTable(
  'webhooks',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    url: text().notNull(),
    /** Signing secret, AES-256-GCM encrypted; shown once at creation (and at each rotation). */
    secretEncrypted: text().notNull(),
    /**
     * Webhooks created before deliveries followed Standard Webhooks: their secret is used as it is
     * (the whole string is the HMAC key) and they also get the old `Vigil-*` headers, until an owner
     * rotates the secret (`rotateWebhookSecret`), which clears this.
     */
    hasLegacySecret: boolean().notNull().default(false),
    events: text().array().$type<WebhookEvent[]>().notNull(),
    isActive: boolean().notNull().default(true),
    disabledReason: text(),
    disabledAt: timestamptz(),
    /** Deliveries that failed for good since the last success; reaching the limit disables the webhook. */
    consecutiveFailures: integer().notNull().default(0),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    // What deliveries reference, with the organization (see monitorFk in monitoring.ts).
    uniqueIndex('webhooks_org_id_key').on(t.organizationId, t.id),
    index('webhooks_org_idx').on(t.organizationId, t.createdAt),
    check(
      'webhooks_events_check',
      sql.raw(`cardinality(events) > 0 AND events <@ ARRAY[${inList(webhookEvents)}]::text[]`),
    ),
  ],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    webhookId: uuid().notNull(),
    event: text().$type<WebhookDeliveryEvent>().notNull(),
    /** The event's `data`, captured when it happened; every attempt sends the same body. */
    payload: jsonb().notNull(),
    status: text().$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    responseStatus: integer(),
    durationMs: integer(),
    error: text(),
    createdAt: timestamptz().notNull().defaultNow(),
    deliveredAt: timestamptz(),
    /** When the next attempt is due, while a failed delivery is waiting to be retried. */
    nextAttemptAt: timestamptz(),
  },
  (t) => [
    foreignKey({ name: 'webhook_deliveries_webhook_fk', columns: [t.organizationId, t.webhookId], foreignColumns: [webhooks.organizationId, webhooks.id] }).onDelete('cascade'),
    index('webhook_deliveries_webhook_idx').on(t.webhookId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    check('webhook_deliveries_status_check', sql.raw(`status IN (${inList(deliveryStatuses)})`)),
    check('webhook_deliveries_event_check', sql.raw(`event IN (${inList(webhookDeliveryEvents)})`)),
  ],
);
