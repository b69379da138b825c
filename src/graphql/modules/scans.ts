import { AuthenticationError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../../services/errors.ts';
import { listScans, loadScans, loadSuppressedFindings, scanMonitorNow, type FindingRow, type ScanRow } from '../../services/scans.ts';
import { builder } from '../builder.ts';
import { toConnection } from '../connection.ts';
import { SourceEnum } from '../enums.ts';
import { ErrorInterface } from '../errors.ts';
import { onlyUuids, parseGlobalId } from '../ids.ts';
import { Monitor } from './monitors.ts';
import { SuppressionRule } from './noise.ts';

const ScanTriggerEnum = builder.enumType('ScanTrigger', {
  values: { SCHEDULE: { value: 'schedule' }, MANUAL: { value: 'manual' } } as const,
});

const ScanStatusEnum = builder.enumType('ScanStatus', {
  description: 'QUEUED → RUNNING → SUCCEEDED or FAILED; SKIPPED when paused or out of credits.',
  values: {
    QUEUED: { value: 'queued' },
    RUNNING: { value: 'running' },
    SUCCEEDED: { value: 'succeeded' },
    FAILED: { value: 'failed' },
    SKIPPED: { value: 'skipped' },
  } as const,
});

export const SuppressedFinding = builder.objectRef<FindingRow>('SuppressedFinding').implement({
  description: 'A finding a scan kept but did not alert on, and why.',
  fields: (t) => ({
    url: t.exposeString('url'),
    title: t.exposeString('title'),
    source: t.field({ type: SourceEnum, resolve: (f) => f.source }),
    reason: t.string({ resolve: (f) => f.suppressedReason ?? 'unknown' }),
    rule: t.field({
      type: SuppressionRule,
      nullable: true,
      description: 'The suppression rule that dropped it, while that rule exists.',
      resolve: (f) => f.suppressionRuleId,
    }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime' }),
  }),
});

export const Scan = builder.loadableNode('Scan', {
  description: 'One run of a monitor over its sources.',
  id: { resolve: (s: ScanRow) => s.id },
  load: (ids: string[], context) =>
    context.viewer ? loadScans(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (s) => s.id,
  fields: (t) => ({
    monitor: t.field({ type: Monitor, resolve: (s) => s.monitorId }),
    trigger: t.field({ type: ScanTriggerEnum, resolve: (s) => s.trigger }),
    status: t.field({ type: ScanStatusEnum, resolve: (s) => s.status }),
    queuedAt: t.expose('queuedAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    findingsSeen: t.exposeInt('findingsSeen', { description: 'Distinct results the sources returned.' }),
    findingsNew: t.exposeInt('findingsNew', { description: 'Results never seen before for this monitor.' }),
    findingsSuppressed: t.exposeInt('findingsSuppressed', { description: 'New results kept without an alert; see `suppressedFindings`.' }),
    alertsCreated: t.exposeInt('alertsCreated'),
    alertsUpdated: t.exposeInt('alertsUpdated', { description: 'Existing alerts seen again (occurrences, reopenings).' }),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    costUsd: t.float({ resolve: (s) => Number(s.costUsd) }),
    creditsCharged: t.exposeInt('creditsCharged'),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed or was skipped, or warnings from sources that partly failed.' }),
    suppressedFindings: t.loadableGroup({
      type: SuppressedFinding,
      description: 'Why suppressed: each finding this scan dropped, with its reason.',
      load: (scanIds: string[], context) => loadSuppressedFindings(context.db, context.viewer!.organizationId, scanIds),
      group: (finding) => finding.scanId!,
      resolve: (scan) => scan.id,
    }),
  }),
});

builder.objectField(Monitor, 'scans', (t) =>
  t.connection({
    type: Scan,
    description: 'Scans of this monitor, newest first.',
    resolve: async (monitor, args, context) => toConnection(await listScans(context.db, context.viewer!, monitor.id, args)),
  }),
);

builder.queryField('scan', (t) =>
  t.field({
    type: Scan,
    nullable: true,
    authScopes: { member: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args) => parseGlobalId(args.id, 'Scan', ['id']),
  }),
);

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description: 'Too soon: try again after `retryAfterSeconds`.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RateLimitedError,
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});

builder.mutationField('scanMonitorNow', (t) =>
  t.field({
    type: Scan,
    description: 'Queues a scan now and returns it (or the scan already waiting). Limited to one per monitor per cooldown.',
    authScopes: { role: 'analyst' },
    errors: { types: [AuthenticationError, ForbiddenError, ValidationError, NotFoundError, RateLimitedError] },
    args: { id: t.arg.id({ required: true, description: 'The monitor.' }) },
    resolve: (_root, args, context) =>
      scanMonitorNow(context.db, context.viewer!, parseGlobalId(args.id, 'Monitor', ['id']), context.settings.scanNowCooldownSeconds),
  }),
);
