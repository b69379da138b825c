import { NotFoundError, ScanCooldownError } from '../../services/errors.ts';
import { listScans, listSuppressedFindings, loadScans, loadSuppressedFindings, scanMonitorNow, type FindingRow, type ScanRow } from '../../services/scans.ts';
import { builder } from '../builder.ts';
import { connectionType, loadGroupPage, toConnection } from '../connection.ts';
import { SourceEnum } from '../enums.ts';
import { authErrors, resultOf } from '../errors.ts';
import { onlyUuids, parseGlobalId } from '../ids.ts';
import { Monitor, monitorIdInput } from './monitors.ts';
import { SuppressionRule } from './noise.ts';

const ScanTriggerEnum = builder.enumType('ScanTrigger', {
  description: 'Why a scan ran.',
  values: {
    SCHEDULE: { value: 'schedule', description: 'The scheduler queued it when the monitor was due.' },
    MANUAL: { value: 'manual', description: 'Someone asked for it with `scanMonitorNow`.' },
  } as const,
});

export const ScanStatusEnum = builder.enumType('ScanStatus', {
  description: 'QUEUED → RUNNING → SUCCEEDED or FAILED; SKIPPED when paused or out of credits.',
  values: {
    QUEUED: { value: 'queued', description: 'Waiting for a worker.' },
    RUNNING: { value: 'running', description: 'A worker is fetching and analyzing.' },
    SUCCEEDED: { value: 'succeeded', description: 'Finished (sources that partly failed are named in `error`).' },
    FAILED: { value: 'failed', description: 'Every source failed, or an error stopped it; its credits were refunded.' },
    SKIPPED: { value: 'skipped', description: 'Not run: the monitor was paused or the organization had no credits left.' },
  } as const,
});

export const SuppressedFinding = builder.loadableNode('SuppressedFinding', {
  description: 'A finding a scan kept but did not alert on, and why.',
  id: { resolve: (f: FindingRow) => f.id },
  load: (ids: string[], context) =>
    context.viewer ? loadSuppressedFindings(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (f) => f.id,
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Where it was found (canonical URL).' }),
    title: t.exposeString('title', { description: 'Its title as the source gave it.' }),
    source: t.field({ type: SourceEnum, description: 'The source that returned it.', resolve: (f) => f.source }),
    reason: t.string({
      description: 'Why it was dropped, in words (an excluded term, the organization’s own domain, a suppression rule…).',
      resolve: (f) => f.suppressedReason ?? 'unknown',
    }),
    rule: t.field({
      type: SuppressionRule,
      nullable: true,
      description: 'The suppression rule that dropped it, while that rule exists.',
      resolve: (f) => f.suppressionRuleId,
    }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', description: 'When a scan first returned it.' }),
  }),
});

const SuppressedFindingConnection = connectionType(SuppressedFinding, 'SuppressedFinding', { description: 'A page of suppressed findings.' });

export const Scan = builder.loadableNode('Scan', {
  description: 'One run of a monitor over its sources.',
  id: { resolve: (s: ScanRow) => s.id },
  load: (ids: string[], context) =>
    context.viewer ? loadScans(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (s) => s.id,
  fields: (t) => ({
    monitor: t.field({ type: Monitor, description: 'The monitor scanned.', resolve: (s) => s.monitorId }),
    trigger: t.field({ type: ScanTriggerEnum, description: 'Why it ran.', resolve: (s) => s.trigger }),
    status: t.field({ type: ScanStatusEnum, description: 'Where it is.', resolve: (s) => s.status }),
    queuedAt: t.expose('queuedAt', { type: 'DateTime', description: 'When it was queued.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'When a worker started it.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it finished, failed or was skipped.' }),
    findingsSeen: t.exposeInt('findingsSeen', { description: 'Distinct results the sources returned.' }),
    findingsNew: t.exposeInt('findingsNew', { description: 'Results never seen before for this monitor.' }),
    findingsSuppressed: t.exposeInt('findingsSuppressed', { description: 'New results kept without an alert; see `suppressedFindings`.' }),
    alertsCreated: t.exposeInt('alertsCreated', { description: 'New alerts it raised.' }),
    alertsUpdated: t.exposeInt('alertsUpdated', { description: 'Existing alerts seen again (occurrences, reopenings).' }),
    promptTokens: t.exposeInt('promptTokens', { description: 'LLM prompt tokens spent.' }),
    completionTokens: t.exposeInt('completionTokens', { description: 'LLM completion tokens spent.' }),
    costUsd: t.float({ description: 'What the LLM calls cost, in US dollars.', resolve: (s) => Number(s.costUsd) }),
    creditsCharged: t.exposeInt('creditsCharged', { description: 'Scan credits charged, net of a refund.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed or was skipped, or warnings from sources that partly failed.' }),
  }),
});

const ScanConnection = connectionType(Scan, 'Scan', { description: 'A page of scans.' });

builder.objectField(Scan, 'suppressedFindings', (t) =>
  t.connection(
    {
      type: SuppressedFinding,
      description: 'Why suppressed: each finding this scan dropped, with its reason, oldest first.',
      resolve: async (scan, args, context) =>
        toConnection(
          await loadGroupPage(context, 'Scan.suppressedFindings', args, scan.id, (ids) =>
            listSuppressedFindings(context.db, context.viewer!.organizationId, ids, args),
          ),
        ),
    },
    SuppressedFindingConnection,
  ),
);

builder.objectField(Monitor, 'scans', (t) =>
  t.connection(
    {
      type: Scan,
      description: 'Scans of this monitor, newest first.',
      resolve: async (monitor, args, context) => toConnection(await listScans(context.db, context.viewer!, monitor.id, args)),
    },
    ScanConnection,
  ),
);

builder.queryField('scan', (t) =>
  t.field({
    type: Scan,
    nullable: true,
    description: 'One scan of your organization, or null.',
    authScopes: { member: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the scan.' }) },
    resolve: (_root, args) => parseGlobalId(args.id, 'Scan', ['id']),
  }),
);

const ScanMonitorNowPayload = builder.objectRef<{ scan: ScanRow }>('ScanMonitorNowPayload').implement({
  description: 'The scan queued (or the one already waiting).',
  fields: (t) => ({ scan: t.field({ type: Scan, description: 'The scan; follow it with `scanProgress(scanId:)`.', resolve: (p) => p.scan }) }),
});

builder.mutationField('scanMonitorNow', (t) =>
  t.field({
    type: ScanMonitorNowPayload,
    description: 'Queues a scan now and returns it (or the scan already waiting). Limited to one per monitor per cooldown. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: resultOf('scanMonitorNow', [...authErrors, NotFoundError, ScanCooldownError]),
    args: { input: t.arg({ type: monitorIdInput('ScanMonitorNowInput', 'The monitor to scan.'), required: true, description: 'The monitor.' }) },
    resolve: async (_root, { input }, context) => ({
      scan: await scanMonitorNow(
        context.db,
        context.viewer!,
        parseGlobalId(input.monitorId, 'Monitor', ['input', 'monitorId']),
        context.settings.scanNowCooldownSeconds,
      ),
    }),
  }),
);
