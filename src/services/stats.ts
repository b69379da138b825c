import { and, count, eq, gte, inArray, lt, sql, sum, type SQL, type SQLWrapper } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { creditLedger, findings, monitors, scans } from '../db/schema/index.ts';
import {
  alertRollupCategory,
  alertRollupDailyCategory,
  alertRollupDailySeverity,
  alertRollupDailyStatus,
  alertRollupSeverity,
  alertRollupStatus,
} from '../db/schema/stats.ts';
import type { AlertCategory, AlertStatus, ScanStatus, Severity } from '../db/schema/enums.ts';
import { NotFoundError } from './errors.ts';
import { parseInput } from './validation.ts';
import type { Viewer } from './viewer.ts';

export type Bucket = 'hour' | 'day' | 'week';

/** The most buckets one series may have, so a single request stays cheap. */
export const MAX_SERIES_POINTS = 2_000;
const BUCKET_HOURS: Record<Bucket, number> = { hour: 1, day: 24, week: 168 };

const statsInputSchema = z
  .object({
    since: z.date(),
    until: z.date(),
    bucket: z.enum(['hour', 'day', 'week']),
    monitorIds: z.array(z.uuid()).max(100, 'must list at most 100 monitors').nullish(),
  })
  .refine((input) => input.since < input.until, { path: ['since'], message: 'must be before until' })
  .refine((input) => (input.until.getTime() - input.since.getTime()) / 3_600_000 / BUCKET_HOURS[input.bucket] <= MAX_SERIES_POINTS, {
    path: ['bucket'],
    message: `gives more than ${MAX_SERIES_POINTS} points for this range; use a larger bucket`,
  });

export type AlertStatsInput = z.input<typeof statsInputSchema>;

export interface SeriesPoint {
  start: Date;
  total: number;
  low: number;
  medium: number;
  high: number;
  critical: number;
}

export interface AlertStats {
  /** The range actually counted: widened to whole hours (HOUR buckets) or whole UTC days (DAY, WEEK). */
  since: Date;
  until: Date;
  total: number;
  bySeverity: { severity: Severity; count: number }[];
  byCategory: { category: AlertCategory; count: number }[];
  byStatus: { status: AlertStatus; count: number }[];
  series: SeriesPoint[];
  meanTimeToAcknowledgeSeconds: number | null;
  meanTimeToResolveSeconds: number | null;
  topMonitors: { monitorId: string; count: number }[];
}

function floorTo(date: Date, ms: number): Date {
  return new Date(Math.floor(date.getTime() / ms) * ms);
}

function ceilTo(date: Date, ms: number): Date {
  return new Date(Math.ceil(date.getTime() / ms) * ms);
}

/**
 * HOUR buckets read the hourly rollups; DAY and WEEK read the daily ones, which hold 24 times fewer
 * rows. The three daily tables have the same shape as the hourly ones, with `day` for `hour`.
 */
function rollupsFor(bucket: Bucket) {
  if (bucket === 'hour') {
    return { severity: alertRollupSeverity, category: alertRollupCategory, status: alertRollupStatus, unitMs: 3_600_000, time: {
      severity: alertRollupSeverity.hour, category: alertRollupCategory.hour, status: alertRollupStatus.hour } };
  }
  return {
    severity: alertRollupDailySeverity as unknown as typeof alertRollupSeverity,
    category: alertRollupDailyCategory as unknown as typeof alertRollupCategory,
    status: alertRollupDailyStatus as unknown as typeof alertRollupStatus,
    unitMs: 86_400_000,
    time: { severity: alertRollupDailySeverity.day, category: alertRollupDailyCategory.day, status: alertRollupDailyStatus.day },
  };
}

/**
 * Counts, series and triage times of the alerts created in a range, from the rollups the database
 * keeps exact by trigger, so the cost follows the number of monitor-hours (or -days), not alerts.
 */
export async function alertStats(db: DbOrTx, viewer: Viewer, input: AlertStatsInput): Promise<AlertStats> {
  const data = parseInput(statsInputSchema, input, []);
  const rollups = rollupsFor(data.bucket);
  const since = floorTo(data.since, rollups.unitMs);
  const until = ceilTo(data.until, rollups.unitMs);
  const scope = (table: { organizationId: SQLWrapper; monitorId: SQLWrapper }, time: SQLWrapper): SQL =>
    and(
      sql`${table.organizationId} = ${viewer.organizationId}`,
      gte(time as never, since),
      lt(time as never, until),
      data.monitorIds?.length ? inArray(table.monitorId as never, data.monitorIds) : undefined,
    )!;
  const s = rollups.severity;
  const c = rollups.category;
  const st = rollups.status;
  const sTime = rollups.time.severity;
  // Inlined rather than bound: GROUP BY must see the very same expression as the select list.
  // `bucket` is one of three validated literals.
  const bucketStart = sql<Date>`date_trunc(${sql.raw(`'${data.bucket}'`)}, ${sTime}, 'UTC')`;
  // The severity rollups answer three questions (totals with triage times, the series, the top
  // monitors): one scan with three grouping sets instead of three scans.
  const bySet = sql<number>`grouping(${bucketStart}, ${s.monitorId})`;
  const [severityGroups, categoryRows, statusRows] = await Promise.all([
    db
      .select({
        set: bySet,
        severity: s.severity,
        start: bucketStart,
        monitorId: s.monitorId,
        alerts: sql<number>`sum(${s.alerts})::int`,
        acknowledged: sql<number>`sum(${s.acknowledged})::int`,
        acknowledgeSeconds: sql<number>`sum(${s.acknowledgeSeconds})::float8`,
        resolved: sql<number>`sum(${s.resolved})::int`,
        resolveSeconds: sql<number>`sum(${s.resolveSeconds})::float8`,
      })
      .from(s)
      .where(scope(s, sTime))
      .groupBy(sql`grouping sets ((${s.severity}), (${bucketStart}, ${s.severity}), (${s.monitorId}))`),
    db
      .select({ category: c.category, alerts: sql<number>`sum(${c.alerts})::int` })
      .from(c)
      .where(scope(c, rollups.time.category))
      .groupBy(c.category),
    db
      .select({ status: st.status, alerts: sql<number>`sum(${st.alerts})::int` })
      .from(st)
      .where(scope(st, rollups.time.status))
      .groupBy(st.status),
  ]);
  // grouping(): a bit per argument left out of the row's set.
  const severityRows = severityGroups.filter((row) => row.set === 0b11);
  const seriesRows = severityGroups.filter((row) => row.set === 0b01);
  const monitorRows = severityGroups
    .filter((row) => row.set === 0b10 && row.alerts > 0)
    .sort((a, b) => b.alerts - a.alerts || (a.monitorId < b.monitorId ? -1 : 1))
    .slice(0, 5);
  const points = new Map<number, SeriesPoint>();
  for (const row of seriesRows) {
    const start = new Date(row.start);
    const point = points.get(start.getTime()) ?? { start, total: 0, low: 0, medium: 0, high: 0, critical: 0 };
    point[row.severity] += row.alerts;
    point.total += row.alerts;
    points.set(start.getTime(), point);
  }
  const acknowledged = severityRows.reduce((n, r) => n + r.acknowledged, 0);
  const resolved = severityRows.reduce((n, r) => n + r.resolved, 0);
  const nonZero = <T extends { alerts: number }>(rows: T[]) => rows.filter((r) => r.alerts > 0);
  return {
    since,
    until,
    total: severityRows.reduce((n, r) => n + r.alerts, 0),
    bySeverity: nonZero(severityRows).map((r) => ({ severity: r.severity, count: r.alerts })),
    byCategory: nonZero(categoryRows).map((r) => ({ category: r.category, count: r.alerts })),
    byStatus: nonZero(statusRows).map((r) => ({ status: r.status, count: r.alerts })),
    series: [...points.values()].filter((p) => p.total > 0).sort((a, b) => a.start.getTime() - b.start.getTime()),
    meanTimeToAcknowledgeSeconds: acknowledged > 0 ? severityRows.reduce((n, r) => n + r.acknowledgeSeconds, 0) / acknowledged : null,
    meanTimeToResolveSeconds: resolved > 0 ? severityRows.reduce((n, r) => n + r.resolveSeconds, 0) / resolved : null,
    topMonitors: monitorRows.map((r) => ({ monitorId: r.monitorId, count: r.alerts })),
  };
}

export interface MonitorStats {
  scans: { status: ScanStatus; count: number }[];
  findings: number;
  suppressedFindings: number;
  alerts: number;
  lastError: string | null;
  creditsSpent: number;
}

/** Lifetime figures of one monitor. */
export async function monitorStats(db: DbOrTx, viewer: Viewer, monitorId: string): Promise<MonitorStats> {
  const [monitor] = await db
    .select({ lastError: monitors.lastError })
    .from(monitors)
    .where(and(eq(monitors.id, monitorId), eq(monitors.organizationId, viewer.organizationId)));
  if (!monitor) throw new NotFoundError('Monitor', monitorId);
  const [scanRows, findingRows, alertRows, creditRows] = await Promise.all([
    db.select({ status: scans.status, count: count() }).from(scans).where(eq(scans.monitorId, monitorId)).groupBy(scans.status),
    db
      .select({ total: count(), suppressed: sql<number>`count(*) filter (where ${findings.status} = 'suppressed')::int` })
      .from(findings)
      .where(and(eq(findings.organizationId, viewer.organizationId), eq(findings.monitorId, monitorId))),
    db
      .select({ alerts: sql<number>`coalesce(sum(${alertRollupSeverity.alerts}), 0)::int` })
      .from(alertRollupSeverity)
      .where(and(eq(alertRollupSeverity.organizationId, viewer.organizationId), eq(alertRollupSeverity.monitorId, monitorId))),
    db
      .select({ spent: sql<number>`coalesce(-sum(${creditLedger.delta}), 0)::int` })
      .from(creditLedger)
      .innerJoin(scans, eq(scans.id, creditLedger.scanId))
      .where(and(eq(scans.monitorId, monitorId), inArray(creditLedger.reason, ['scan', 'refund']))),
  ]);
  return {
    scans: scanRows.map((r) => ({ status: r.status, count: r.count })),
    findings: findingRows[0]?.total ?? 0,
    suppressedFindings: findingRows[0]?.suppressed ?? 0,
    alerts: alertRows[0]?.alerts ?? 0,
    lastError: monitor.lastError,
    creditsSpent: creditRows[0]?.spent ?? 0,
  };
}

export interface PeriodUsage {
  period: string;
  scans: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  creditsSpent: number;
}

const periodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');

/** Scans, tokens, cost and credits of one calendar month (UTC). */
export async function usageForPeriod(db: DbOrTx, viewer: Viewer, period: string): Promise<PeriodUsage> {
  parseInput(periodSchema, period, ['period']);
  const start = new Date(`${period}-01T00:00:00Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const [[scanTotals], [credits]] = await Promise.all([
    db
      .select({
        scans: count(),
        promptTokens: sql<number>`coalesce(sum(${scans.promptTokens}), 0)::int`,
        completionTokens: sql<number>`coalesce(sum(${scans.completionTokens}), 0)::int`,
        costUsd: sql<number>`coalesce(sum(${scans.costUsd}), 0)::float8`,
      })
      .from(scans)
      .where(and(eq(scans.organizationId, viewer.organizationId), gte(scans.queuedAt, start), lt(scans.queuedAt, end))),
    db
      .select({ spent: sql<number>`coalesce(-${sum(creditLedger.delta)}, 0)::int` })
      .from(creditLedger)
      .where(
        and(
          eq(creditLedger.organizationId, viewer.organizationId),
          inArray(creditLedger.reason, ['scan', 'refund']),
          gte(creditLedger.createdAt, start),
          lt(creditLedger.createdAt, end),
        ),
      ),
  ]);
  return { period, ...scanTotals!, creditsSpent: credits!.spent };
}
