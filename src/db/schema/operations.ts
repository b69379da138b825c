import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = () => timestamp({ withTimezone: true });

/**
 * Rate-limit budgets, one row per caller (API key, user or IP) and fixed window. Kept in PostgreSQL
 * so every API replica draws from the same budget.
 */
export const rateLimitBuckets = pgTable(
  'rate_limit_buckets',
  {
    key: text().primaryKey(),
    windowStartedAt: timestamptz().notNull(),
    pointsUsed: integer().notNull(),
  },
  (t) => [index('rate_limit_buckets_window_idx').on(t.windowStartedAt)],
);

/** Each running worker process writes here every few seconds; `/ready` checks the newest. */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  workerId: text().primaryKey(),
  hostname: text().notNull(),
  pid: integer().notNull(),
  startedAt: timestamptz().notNull().defaultNow(),
  lastSeenAt: timestamptz().notNull().defaultNow(),
});
