import { alertStats, monitorStats, type AlertStats, type MonitorStats, type SeriesPoint } from '../../services/stats.ts';
import { builder } from '../builder.ts';
import { AlertCategoryEnum, AlertStatusEnum, SeverityEnum } from '../enums.ts';
import { parseGlobalId, parseGlobalIds } from '../ids.ts';
import { Monitor } from './monitors.ts';

const StatsBucketEnum = builder.enumType('StatsBucket', {
  values: { HOUR: { value: 'hour' }, DAY: { value: 'day' }, WEEK: { value: 'week' } } as const,
});

const StatsRange = builder.inputType('StatsRange', {
  description: 'Alerts created in [since, until), widened to whole hours.',
  fields: (t) => ({
    since: t.field({ type: 'DateTime', required: true }),
    until: t.field({ type: 'DateTime', required: true }),
  }),
});

const SeverityCount = builder.objectRef<{ severity: AlertStats['bySeverity'][number]['severity']; count: number }>('SeverityCount').implement({
  fields: (t) => ({ severity: t.field({ type: SeverityEnum, resolve: (r) => r.severity }), count: t.exposeInt('count') }),
});
const CategoryCount = builder.objectRef<{ category: AlertStats['byCategory'][number]['category']; count: number }>('CategoryCount').implement({
  fields: (t) => ({ category: t.field({ type: AlertCategoryEnum, resolve: (r) => r.category }), count: t.exposeInt('count') }),
});
const StatusCount = builder.objectRef<{ status: AlertStats['byStatus'][number]['status']; count: number }>('StatusCount').implement({
  description: 'Alerts created in the range by their status now.',
  fields: (t) => ({ status: t.field({ type: AlertStatusEnum, resolve: (r) => r.status }), count: t.exposeInt('count') }),
});
const StatsPoint = builder.objectRef<SeriesPoint>('StatsPoint').implement({
  description: 'Alerts created in one bucket (buckets without alerts are left out).',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime' }),
    total: t.exposeInt('total'),
    low: t.exposeInt('low'),
    medium: t.exposeInt('medium'),
    high: t.exposeInt('high'),
    critical: t.exposeInt('critical'),
  }),
});
const MonitorCount = builder.objectRef<{ monitorId: string; count: number }>('MonitorCount').implement({
  fields: (t) => ({
    monitor: t.field({ type: Monitor, nullable: true, description: 'Null if the monitor was deleted since.', resolve: (r) => r.monitorId }),
    count: t.exposeInt('count'),
  }),
});

const AlertStatsRef = builder.objectRef<AlertStats>('AlertStats').implement({
  fields: (t) => ({
    since: t.expose('since', { type: 'DateTime' }),
    until: t.expose('until', { type: 'DateTime' }),
    total: t.exposeInt('total'),
    bySeverity: t.field({ type: [SeverityCount], resolve: (s) => s.bySeverity }),
    byCategory: t.field({ type: [CategoryCount], resolve: (s) => s.byCategory }),
    byStatus: t.field({ type: [StatusCount], resolve: (s) => s.byStatus }),
    series: t.field({ type: [StatsPoint], resolve: (s) => s.series }),
    meanTimeToAcknowledgeSeconds: t.exposeFloat('meanTimeToAcknowledgeSeconds', { nullable: true, description: 'From creation to acknowledgement, over acknowledged alerts.' }),
    meanTimeToResolveSeconds: t.exposeFloat('meanTimeToResolveSeconds', { nullable: true, description: 'From creation to resolved or false positive.' }),
    topMonitors: t.field({ type: [MonitorCount], description: 'The five monitors with the most alerts.', resolve: (s) => s.topMonitors }),
  }),
});

const ScanStatusCount = builder.objectRef<MonitorStats['scans'][number]>('ScanStatusCount').implement({
  fields: (t) => ({ status: t.exposeString('status'), count: t.exposeInt('count') }),
});

const MonitorStatsRef = builder.objectRef<MonitorStats>('MonitorStats').implement({
  fields: (t) => ({
    scans: t.field({ type: [ScanStatusCount], resolve: (s) => s.scans }),
    findings: t.exposeInt('findings'),
    suppressedFindings: t.exposeInt('suppressedFindings'),
    alerts: t.exposeInt('alerts'),
    lastError: t.exposeString('lastError', { nullable: true }),
    creditsSpent: t.exposeInt('creditsSpent', { description: 'Credits charged for its scans, net of refunds.' }),
  }),
});

builder.queryFields((t) => ({
  alertStats: t.field({
    type: AlertStatsRef,
    authScopes: { member: true },
    args: {
      range: t.arg({ type: StatsRange, required: true }),
      bucket: t.arg({ type: StatsBucketEnum, required: true }),
      monitorIds: t.arg.idList({ required: false }),
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
    authScopes: { member: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => monitorStats(context.db, context.viewer!, parseGlobalId(args.id, 'Monitor', ['id'])),
  }),
}));
