import { sql } from 'drizzle-orm';
import { check, date, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations } from './accounts.ts';
import { inList } from './enums.ts';

export const digestStatuses = ['sending', 'sent', 'failed'] as const;
export type DigestStatus = (typeof digestStatuses)[number];

/**
 * One row per organization and UTC day whose digest was started. The primary key is what makes the
 * digest go out once: every attempt claims this row first (a retried cron, a retried job and a
 * second worker all meet here), and `recipients` lists who already has it, so a retry after a
 * partly failed send mails only the others.
 */
export const digests = pgTable(
  'digests',
  {
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The UTC day summarized (the day before the cron tick). */
    day: date({ mode: 'string' }).notNull(),
    status: text().$type<DigestStatus>().notNull().default('sending'),
    /** While set and in the future, one attempt holds the send; others back off. */
    claimedUntil: timestamp({ withTimezone: true }),
    attempts: integer().notNull().default(0),
    /** Email addresses the digest was delivered to, in order; never mailed twice. */
    recipients: text().array().notNull().default(sql`'{}'::text[]`),
    /** Why the last attempt failed; cleared once sent. */
    error: text(),
    sentAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'digests_organization_day_pk', columns: [t.organizationId, t.day] }),
    check('digests_status_check', sql.raw(`status IN (${inList(digestStatuses)})`)),
  ],
);
