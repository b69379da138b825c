import { doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations } from './accounts.ts';
import type { AlertCategory, AlertStatus, Severity } from './enums.ts';

/*
 * Hourly rollups of alerts, kept exact by triggers on `alerts` (drizzle/functions/*alert_rollups*): statistics
 * read a few thousand rollup rows instead of scanning a million alerts. Each is keyed by the hour
 * the alert was created in; counts move between rows when an alert's status changes. They carry no
 * foreign key to monitors, so counts of purged alerts (and of deleted monitors) stay in history.
 */
const hour = () => timestamp({ withTimezone: true }).notNull();
const organizationId = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export const alertRollupSeverity = pgTable(
  'alert_rollup_severity',
  {
    organizationId: organizationId(),
    monitorId: uuid().notNull(),
    hour: hour(),
    severity: text().$type<Severity>().notNull(),
    alerts: integer().notNull().default(0),
    acknowledged: integer().notNull().default(0),
    acknowledgeSeconds: doublePrecision().notNull().default(0),
    resolved: integer().notNull().default(0),
    resolveSeconds: doublePrecision().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.monitorId, t.hour, t.severity] }),
    index('alert_rollup_severity_org_hour_idx').on(t.organizationId, t.hour),
  ],
);

export const alertRollupCategory = pgTable(
  'alert_rollup_category',
  {
    organizationId: organizationId(),
    monitorId: uuid().notNull(),
    hour: hour(),
    category: text().$type<AlertCategory>().notNull(),
    alerts: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.monitorId, t.hour, t.category] }),
    index('alert_rollup_category_org_hour_idx').on(t.organizationId, t.hour),
  ],
);

export const alertRollupStatus = pgTable(
  'alert_rollup_status',
  {
    organizationId: organizationId(),
    monitorId: uuid().notNull(),
    hour: hour(),
    status: text().$type<AlertStatus>().notNull(),
    alerts: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.monitorId, t.hour, t.status] }),
    index('alert_rollup_status_org_hour_idx').on(t.organizationId, t.hour),
  ],
);

/*
 * The same rollups by UTC day, for DAY and WEEK buckets: a 90-day range then reads a few thousand
 * rows instead of every monitor-hour.
 */
export const alertRollupDailySeverity = pgTable(
  'alert_rollup_daily_severity',
  {
    organizationId: organizationId(),
    monitorId: uuid().notNull(),
    day: hour(),
    severity: text().$type<Severity>().notNull(),
    alerts: integer().notNull().default(0),
    acknowledged: integer().notNull().default(0),
    acknowledgeSeconds: doublePrecision().notNull().default(0),
    resolved: integer().notNull().default(0),
    resolveSeconds: doublePrecision().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.monitorId, t.day, t.severity] }),
    index('alert_rollup_daily_severity_org_day_idx').on(t.organizationId, t.day),
  ],
);

export const alertRollupDailyCategory = pgTable(
  'alert_rollup_daily_category',
  {
    organizationId: organizationId(),
    monitorId: uuid().notNull(),
    day: hour(),
    category: text().$type<AlertCategory>().notNull(),
    alerts: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.monitorId, t.day, t.category] }),
    index('alert_rollup_daily_category_org_day_idx').on(t.organizationId, t.day),
  ],
);

export const alertRollupDailyStatus = pgTable(
  'alert_rollup_daily_status',
  {
    organizationId: organizationId(),
    monitorId: uuid().notNull(),
    day: hour(),
    status: text().$type<AlertStatus>().notNull(),
    alerts: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.monitorId, t.day, t.status] }),
    index('alert_rollup_daily_status_org_day_idx').on(t.organizationId, t.day),
  ],
);
