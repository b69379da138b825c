import { and, asc, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { alerts, creditLedger, monitors, organizations, scans } from '../db/schema/index.ts';
import { severities, type Severity } from '../db/schema/enums.ts';
import { encodeGlobalId } from '../lib/global-id.ts';
import { alertStats } from './stats.ts';
import type { Viewer } from './viewer.ts';

/**
 * What one organization's daily digest says, as the `digest.daily` webhook carries it: IDs are
 * global IDs and enum values the API's names, like every other webhook payload.
 */
export interface DigestReport {
  /** The UTC day summarized, `YYYY-MM-DD`. */
  date: string;
  organization: { id: string; name: string };
  alerts: {
    total: number;
    bySeverity: Record<Uppercase<Severity>, number>;
  };
  /** The day's new high and critical alerts, most severe first, at most `listed` of `total`. */
  highAndCritical: {
    total: number;
    items: { id: string; title: string; url: string | null; severity: Uppercase<Severity>; createdAt: string; monitor: { id: string; name: string } }[];
  };
  /** The monitors with the most new alerts, at most five. */
  topMonitors: { monitor: { id: string; name: string }; alerts: number }[];
  spend: { scans: number; creditsSpent: number; costUsd: number; promptTokens: number; completionTokens: number };
}

/** `YYYY-MM-DD` of the UTC day before `at`: the day a digest sent at `at` summarizes. */
export function previousUtcDay(at: Date): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - 1)).toISOString().slice(0, 10);
}

export function dayRange(day: string): { since: Date; until: Date } {
  const since = new Date(`${day}T00:00:00.000Z`);
  return { since, until: new Date(since.getTime() + 86_400_000) };
}

const upper = (severity: Severity) => severity.toUpperCase() as Uppercase<Severity>;

/** Builds the digest of one organization for one UTC day; reads only. */
export async function buildDigestReport(db: DbOrTx, organizationId: string, day: string, maxAlerts: number): Promise<DigestReport | null> {
  const { since, until } = dayRange(day);
  const [organization] = await db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, organizationId));
  if (!organization) return null;
  // The job acts for the organization itself, with every monitor in view.
  const viewer: Viewer = { organizationId, role: 'owner', userId: null, apiKeyId: null };
  const inDay = (column: typeof alerts.createdAt | typeof scans.queuedAt | typeof creditLedger.createdAt) => and(gte(column, since), lt(column, until));
  const [stats, listed, [scanTotals], [credits]] = await Promise.all([
    alertStats(db, viewer, { since, until, bucket: 'day' }),
    db
      .select({
        id: alerts.id,
        title: alerts.title,
        url: alerts.url,
        severity: alerts.severity,
        createdAt: alerts.createdAt,
        monitorId: monitors.id,
        monitorName: monitors.name,
      })
      .from(alerts)
      .innerJoin(monitors, eq(monitors.id, alerts.monitorId))
      .where(and(eq(alerts.organizationId, organizationId), inArray(alerts.severity, ['high', 'critical']), inDay(alerts.createdAt), isNull(alerts.silencedAt)))
      .orderBy(desc(alerts.severityRank), asc(alerts.createdAt), asc(alerts.id))
      .limit(maxAlerts),
    db
      .select({
        scans: sql<number>`count(*)::int`,
        promptTokens: sql<number>`coalesce(sum(${scans.promptTokens}), 0)::int`,
        completionTokens: sql<number>`coalesce(sum(${scans.completionTokens}), 0)::int`,
        costUsd: sql<number>`coalesce(sum(${scans.costUsd}), 0)::float8`,
      })
      .from(scans)
      .where(and(eq(scans.organizationId, organizationId), inDay(scans.queuedAt))),
    db
      .select({ spent: sql<number>`coalesce(-sum(${creditLedger.delta}), 0)::int` })
      .from(creditLedger)
      .where(and(eq(creditLedger.organizationId, organizationId), inArray(creditLedger.reason, ['scan', 'refund']), inDay(creditLedger.createdAt))),
  ]);
  const topIds = stats.topMonitors.map((m) => m.monitorId);
  const names = topIds.length
    ? await db
        .select({ id: monitors.id, name: monitors.name })
        .from(monitors)
        .where(and(eq(monitors.organizationId, organizationId), inArray(monitors.id, topIds)))
    : [];
  const bySeverity = Object.fromEntries(severities.map((s) => [upper(s), 0])) as Record<Uppercase<Severity>, number>;
  for (const row of stats.bySeverity) bySeverity[upper(row.severity)] = row.count;
  return {
    date: day,
    organization: { id: encodeGlobalId('Organization', organization.id), name: organization.name },
    alerts: { total: stats.total, bySeverity },
    highAndCritical: {
      total: bySeverity.HIGH + bySeverity.CRITICAL,
      items: listed.map((a) => ({
        id: encodeGlobalId('Alert', a.id),
        title: a.title,
        url: a.url,
        severity: upper(a.severity),
        createdAt: a.createdAt.toISOString(),
        monitor: { id: encodeGlobalId('Monitor', a.monitorId), name: a.monitorName },
      })),
    },
    // Rollups outlive deleted monitors; a monitor that is gone is left out of the ranking.
    topMonitors: stats.topMonitors.flatMap((m) => {
      const monitor = names.find((n) => n.id === m.monitorId);
      return monitor ? [{ monitor: { id: encodeGlobalId('Monitor', monitor.id), name: monitor.name }, alerts: m.count }] : [];
    }),
    spend: { scans: scanTotals!.scans, creditsSpent: credits!.spent, costUsd: scanTotals!.costUsd, promptTokens: scanTotals!.promptTokens, completionTokens: scanTotals!.completionTokens },
  };
}
