import { alertStats, MAX_SERIES_POINTS, monitorStats, type AlertStats, type MonitorStats, type SeriesPoint } from '../../services/stats.ts';
import { alertCategories, alertStatuses, scanStatuses, severities } from '../../db/schema/enums.ts';
import { builder } from '../builder.ts';
import { bounded } from '../connection.ts';
import { AlertCategoryEnum, AlertStatusEnum, SeverityEnum } from '../enums.ts';
import { parseGlobalId, parseGlobalIds } from '../ids.ts';
import { Monitor } from './monitors.ts';
import { ScanStatusEnum } from './scans.ts';

const StatsBucketEnum = builder.enumType('StatsBucket', {
  description: 'The width of one point of a series.',
  values: {
    HOUR: { value: 'hour', description: 'One hour.' },
    DAY: { value: 'day', description: 'One UTC day.' },
    WEEK: { value: 'week', description: 'One week, from Monday 00:00 UTC.' },
  } as const,
});

const StatsRange = builder.inputType('StatsRange', {
  description: 'Alerts created in [since, until), widened to whole hours.',
  fields: (t) => ({
    since: t.field({ type: 'DateTime', required: true, description: 'Start, included.' }),
    until: t.field({ type: 'DateTime', required: true, description: 'End, excluded.' }),
  }),
});

const SeverityCount = builder.objectRef<{ severity: AlertStats['bySeverity'][number]['severity']; count: number }>('SeverityCount').implement({
  description: 'Alerts created in the range with one severity.',
  fields: (t) => ({
    severity: t.field({ type: SeverityEnum, description: 'The severity.', resolve: (r) => r.severity }),
    count: t.exposeInt('count', { description: 'How many alerts.' }),
  }),
});
const CategoryCount = builder.objectRef<{ category: AlertStats['byCategory'][number]['category']; count: number }>('CategoryCount').implement({
  description: 'Alerts created in the range of one category.',
  fields: (t) => ({
    category: t.field({ type: AlertCategoryEnum, description: 'The category.', resolve: (r) => r.category }),
    count: t.exposeInt('count', { description: 'How many alerts.' }),
  }),
});
const StatusCount = builder.objectRef<{ status: AlertStats['byStatus'][number]['status']; count: number }>('StatusCount').implement({
  description: 'Alerts created in the range by their status now.',
  fields: (t) => ({
    status: t.field({ type: AlertStatusEnum, description: 'The status.', resolve: (r) => r.status }),
    count: t.exposeInt('count', { description: 'How many alerts.' }),
  }),
});
const StatsPoint = builder.objectRef<SeriesPoint>('StatsPoint').implement({
  description: 'Alerts created in one bucket (buckets without alerts are left out).',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: 'Start of the bucket.' }),
    total: t.exposeInt('total', { description: 'Alerts created in the bucket.' }),
    low: t.exposeInt('low', { description: 'Of which LOW.' }),
    medium: t.exposeInt('medium', { description: 'Of which MEDIUM.' }),
    high: t.exposeInt('high', { description: 'Of which HIGH.' }),
    critical: t.exposeInt('critical', { description: 'Of which CRITICAL.' }),
  }),
});
const MonitorCount = builder.objectRef<{ monitorId: string; count: number }>('MonitorCount').implement({
  description: 'Alerts created in the range by one monitor.',
  fields: (t) => ({
    monitor: t.field({ type: Monitor, nullable: true, description: 'Null if the monitor was deleted since.', resolve: (r) => r.monitorId }),
    count: t.exposeInt('count', { description: 'How many alerts.' }),
  }),
});

const AlertStatsRef = builder.objectRef<AlertStats>('AlertStats').implement({
  description: 'Counts, a time series and triage times of the alerts created in a range.',
  fields: (t) => ({
    since: t.expose('since', { type: 'DateTime', description: 'Start of the range counted (widened to whole buckets).' }),
    until: t.expose('until', { type: 'DateTime', description: 'End of the range counted (widened to whole buckets).' }),
    total: t.exposeInt('total', { description: 'Alerts created in the range.' }),
    bySeverity: t.field({ type: [SeverityCount], description: 'By severity, each severity once.', ...bounded(severities.length), resolve: (s) => s.bySeverity }),
    byCategory: t.field({ type: [CategoryCount], description: 'By category, each category once.', ...bounded(alertCategories.length), resolve: (s) => s.byCategory }),
    byStatus: t.field({ type: [StatusCount], description: 'By status now, each status once.', ...bounded(alertStatuses.length), resolve: (s) => s.byStatus }),
    series: t.field({
      type: [StatsPoint],
      description: `Alerts per bucket, oldest first; at most ${MAX_SERIES_POINTS} (the range is refused if it would need more).`,
      ...bounded(MAX_SERIES_POINTS),
      resolve: (s) => s.series,
    }),
    meanTimeToAcknowledgeSeconds: t.exposeFloat('meanTimeToAcknowledgeSeconds', { nullable: true, description: 'From creation to acknowledgement, over acknowledged alerts.' }),
    meanTimeToResolveSeconds: t.exposeFloat('meanTimeToResolveSeconds', { nullable: true, description: 'From creation to resolved or false positive.' }),
    topMonitors: t.field({ type: [MonitorCount], description: 'The five monitors with the most alerts.', ...bounded(5), resolve: (s) => s.topMonitors }),
  }),
});

const ScanStatusCount = builder.objectRef<MonitorStats['scans'][number]>('ScanStatusCount').implement({
  description: 'Scans of a monitor in one status.',
  fields: (t) => ({
    status: t.field({ type: ScanStatusEnum, description: 'The status.', resolve: (c) => c.status }),
    count: t.exposeInt('count', { description: 'How many scans.' }),
  }),
});

const MonitorStatsRef = builder.objectRef<MonitorStats>('MonitorStats').implement({
  description: 'What one monitor has done so far.',
  fields: (t) => ({
    scans: t.field({ type: [ScanStatusCount], description: 'Scans by status, each status once.', ...bounded(scanStatuses.length), resolve: (s) => s.scans }),
    findings: t.exposeInt('findings', { description: 'Distinct findings its sources returned.' }),
    suppressedFindings: t.exposeInt('suppressedFindings', { description: 'Findings dropped without an alert.' }),
    alerts: t.exposeInt('alerts', { description: 'Alerts it raised.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why its last scan failed, if it did.' }),
    creditsSpent: t.exposeInt('creditsSpent', { description: 'Credits charged for its scans, net of refunds.' }),
  }),
});

builder.queryFields((t) => ({
  alertStats: t.field({
    type: AlertStatsRef,
    description: 'Statistics of the alerts created in a range, from rollups: fast over millions of alerts.',
    authScopes: { member: true },
    args: {
      range: t.arg({ type: StatsRange, required: true, description: 'Which alerts, by creation time.' }),
      bucket: t.arg({ type: StatsBucketEnum, required: true, description: 'The width of a point of `series`.' }),
      monitorIds: t.arg.idList({ required: false, description: 'Only alerts of these monitors (global IDs, at most 100).' }),
    },
    resolve: (_root, args, context) =>
      alertStats(context.db, context.viewer!, {
        since: args.range.since,
        until: args.range.until,
        bucket: args.bucket,
        monitorIds: args.monitorIds ? parseGlobalIds(args.monitorIds, 'Monitor', ['monitorIds']) : null,
      }),
  }),
  monitorStats: t.field({
    type: MonitorStatsRef,
    description: 'Totals of one monitor of your organization.',
    authScopes: { member: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the monitor.' }) },
    resolve: (_root, args, context) => monitorStats(context.db, context.viewer!, parseGlobalId(args.id, 'Monitor', ['id'])),
  }),
}));
