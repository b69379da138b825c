import { PlanLimitExceededError } from '../../services/errors.ts';
import {
  countMonitors,
  createMonitor,
  deleteMonitor,
  listMonitors,
  loadMonitors,
  setMonitorStatus,
  updateMonitor,
  type MonitorRow,
} from '../../services/monitors.ts';
import { builder } from '../builder.ts';
import { bounded, connectionType, toConnection } from '../connection.ts';
import { FrequencyEnum, MonitorKindEnum, MonitorStatusEnum, OrderDirectionEnum, SourceEnum } from '../enums.ts';
import { authErrorsWithNotFound, resultOf } from '../errors.ts';
import { encodeGlobalId, onlyUuids, parseGlobalId } from '../ids.ts';

export const Monitor = builder.loadableNode('Monitor', {
  description: 'Something to watch: a brand, domain, person, product or keyword, scanned on a schedule.',
  id: { resolve: (m: MonitorRow) => m.id },
  load: (ids: string[], context) =>
    context.viewer ? loadMonitors(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (m) => m.id,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name, unique in spirit (import matches monitors by it).' }),
    kind: t.field({ type: MonitorKindEnum, description: 'What it watches.', resolve: (m) => m.kind }),
    terms: t.exposeStringList('terms', { description: 'A finding must mention at least one of these (at most 50).' }),
    excludeTerms: t.exposeStringList('excludeTerms', { description: 'Findings mentioning any of these are suppressed (at most 50).' }),
    sources: t.field({ type: [SourceEnum], description: 'Where it looks, each source once.', ...bounded(5), resolve: (m) => m.sources }),
    feedUrls: t.exposeStringList('feedUrls', { description: 'Feeds the RSS source reads (at most 20).' }),
    frequency: t.field({ type: FrequencyEnum, description: 'How often it is scanned.', resolve: (m) => m.frequency }),
    intervalMinutes: t.exposeInt('intervalMinutes', { description: 'The effective scan interval, in minutes.' }),
    status: t.field({ type: MonitorStatusEnum, description: 'Whether it is being scanned.', resolve: (m) => m.status }),
    nextScanAt: t.expose('nextScanAt', { type: 'DateTime', description: 'When the scheduler scans it next (while active).' }),
    lastScanAt: t.expose('lastScanAt', { type: 'DateTime', nullable: true, description: 'When it was last scanned; null: never.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last scan failed, if it did.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its settings last changed.' }),
  }),
});

const MonitorConnection = connectionType(Monitor, 'Monitor', {
  description: 'A page of monitors.',
  totalCount: 'How many monitors match the filter, on every page together.',
});

const MonitorFilter = builder.inputType('MonitorFilter', {
  description: 'Which monitors to list; conditions left out match everything.',
  fields: (t) => ({
    statuses: t.field({ type: [MonitorStatusEnum], required: false, description: 'Only monitors in one of these statuses.' }),
    kinds: t.field({ type: [MonitorKindEnum], required: false, description: 'Only monitors of one of these kinds.' }),
    text: t.string({ required: false, description: 'Matches the name or any term, case-insensitively (at most 200 characters).' }),
  }),
});

const MonitorOrderField = builder.enumType('MonitorOrderField', {
  description: 'What monitors can be ordered by (ties broken by ID).',
  values: {
    NAME: { value: 'name', description: 'Name, alphabetically.' },
    CREATED_AT: { value: 'createdAt', description: 'Creation time.' },
    NEXT_SCAN_AT: { value: 'nextScanAt', description: 'When they are scanned next.' },
  } as const,
});

const MonitorOrder = builder.inputType('MonitorOrder', {
  description: 'An ordering of monitors.',
  fields: (t) => ({
    field: t.field({ type: MonitorOrderField, required: true, description: 'What to order by.' }),
    direction: t.field({ type: OrderDirectionEnum, required: true, description: 'Which way.' }),
  }),
});

builder.queryFields((t) => ({
  monitors: t.connection(
    {
      type: Monitor,
      description: "The organization's monitors. Defaults to newest first.",
      authScopes: { member: true },
      args: {
        filter: t.arg({ type: MonitorFilter, required: false, description: 'Which monitors; default: all.' }),
        orderBy: t.arg({ type: MonitorOrder, required: false, description: 'Default: newest first.' }),
      },
      resolve: async (_root, args, context) => {
        const filter = args.filter ?? {};
        return toConnection(
          await listMonitors(context.db, context.viewer!, filter, args.orderBy ?? { field: 'createdAt', direction: 'desc' }, args),
          () => countMonitors(context.db, context.viewer!, filter),
        );
      },
    },
    MonitorConnection,
  ),
  monitor: t.field({
    type: Monitor,
    nullable: true,
    description: 'One monitor of your organization, or null.',
    authScopes: { member: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the monitor.' }) },
    resolve: (_root, args) => parseGlobalId(args.id, 'Monitor', ['id']),
  }),
}));

const monitorSettings = {
  terms: 'A finding must mention at least one of these: 1 to 50 terms, each at most 200 characters.',
  excludeTerms: 'Findings mentioning any of these are suppressed: at most 50.',
  sources: 'Where to look: at least one source the plan offers (`PlanLimits.sources`).',
  feedUrls: 'http(s) feeds for the RSS source: at least one when RSS is used, at most 20.',
  intervalMinutes: 'Required for INTERVAL: minutes between scans, at least the plan’s `minIntervalMinutes`.',
};

const CreateMonitorInput = builder.inputType('CreateMonitorInput', {
  description: 'A new monitor. It is scanned at the next scheduler tick.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name, at most 200 characters.' }),
    kind: t.field({ type: MonitorKindEnum, required: true, description: 'What it watches.' }),
    terms: t.stringList({ required: true, description: monitorSettings.terms }),
    excludeTerms: t.stringList({ required: false, description: monitorSettings.excludeTerms }),
    sources: t.field({ type: [SourceEnum], required: true, description: monitorSettings.sources }),
    feedUrls: t.stringList({ required: false, description: monitorSettings.feedUrls }),
    frequency: t.field({ type: FrequencyEnum, required: true, description: 'How often to scan.' }),
    intervalMinutes: t.int({ required: false, description: monitorSettings.intervalMinutes }),
  }),
});

const UpdateMonitorInput = builder.inputType('UpdateMonitorInput', {
  description: 'A monitor and the settings to change; fields left out keep their value.',
  fields: (t) => ({
    monitorId: t.id({ required: true, description: 'Global ID of the monitor.' }),
    name: t.string({ required: false, description: 'Display name, at most 200 characters.' }),
    terms: t.stringList({ required: false, description: monitorSettings.terms }),
    excludeTerms: t.stringList({ required: false, description: monitorSettings.excludeTerms }),
    sources: t.field({ type: [SourceEnum], required: false, description: monitorSettings.sources }),
    feedUrls: t.stringList({ required: false, description: monitorSettings.feedUrls }),
    frequency: t.field({ type: FrequencyEnum, required: false, description: 'How often to scan.' }),
    intervalMinutes: t.int({ required: false, description: monitorSettings.intervalMinutes }),
  }),
});

/** `null` from GraphQL means "not given" for optional inputs. */
function withoutNulls<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as never;
}

export function monitorIdInput(name: string, description: string) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({ monitorId: t.id({ required: true, description: 'Global ID of the monitor.' }) }),
  });
}

export function monitorPayload(name: string, description: string) {
  return builder.objectRef<{ monitor: MonitorRow }>(name).implement({
    description,
    fields: (t) => ({ monitor: t.field({ type: Monitor, description: 'The monitor.', resolve: (p) => p.monitor }) }),
  });
}

const DeleteMonitorPayload = builder.objectRef<{ monitor: MonitorRow }>('DeleteMonitorPayload').implement({
  description: 'What was deleted.',
  fields: (t) => ({
    deletedMonitorId: t.id({ description: 'Global ID of the monitor that no longer exists.', resolve: (p) => encodeGlobalId('Monitor', p.monitor.id) }),
  }),
});

builder.mutationFields((t) => ({
  createMonitor: t.field({
    type: monitorPayload('CreateMonitorPayload', 'The new monitor.'),
    description: 'Creates a monitor within the plan’s limits. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('createMonitor', [...authErrorsWithNotFound, PlanLimitExceededError]),
    args: { input: t.arg({ type: CreateMonitorInput, required: true, description: 'The monitor to create.' }) },
    resolve: async (_root, { input }, context) => ({ monitor: await createMonitor(context.db, context.viewer!, withoutNulls(input)) }),
  }),
  updateMonitor: t.field({
    type: monitorPayload('UpdateMonitorPayload', 'The monitor with its new settings.'),
    description: 'Changes a monitor’s settings within the plan’s limits. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('updateMonitor', [...authErrorsWithNotFound, PlanLimitExceededError]),
    args: { input: t.arg({ type: UpdateMonitorInput, required: true, description: 'The monitor and what to change.' }) },
    resolve: async (_root, { input: { monitorId, ...fields } }, context) => ({
      monitor: await updateMonitor(context.db, context.viewer!, parseGlobalId(monitorId, 'Monitor', ['input', 'monitorId']), withoutNulls(fields)),
    }),
  }),
  pauseMonitor: t.field({
    type: monitorPayload('PauseMonitorPayload', 'The paused monitor.'),
    description: 'Stops scanning until resumed. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('pauseMonitor', authErrorsWithNotFound),
    args: { input: t.arg({ type: monitorIdInput('PauseMonitorInput', 'The monitor to pause.'), required: true, description: 'The monitor.' }) },
    resolve: async (_root, { input }, context) => ({
      monitor: await setMonitorStatus(context.db, context.viewer!, parseGlobalId(input.monitorId, 'Monitor', ['input', 'monitorId']), 'paused'),
    }),
  }),
  resumeMonitor: t.field({
    type: monitorPayload('ResumeMonitorPayload', 'The resumed monitor.'),
    description: 'Resumes scanning; an overdue monitor is scanned at the next tick. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('resumeMonitor', authErrorsWithNotFound),
    args: { input: t.arg({ type: monitorIdInput('ResumeMonitorInput', 'The monitor to resume.'), required: true, description: 'The monitor.' }) },
    resolve: async (_root, { input }, context) => ({
      monitor: await setMonitorStatus(context.db, context.viewer!, parseGlobalId(input.monitorId, 'Monitor', ['input', 'monitorId']), 'active'),
    }),
  }),
  deleteMonitor: t.field({
    type: DeleteMonitorPayload,
    description: 'Deletes the monitor for good, with its findings, scans and alerts. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('deleteMonitor', authErrorsWithNotFound),
    args: { input: t.arg({ type: monitorIdInput('DeleteMonitorInput', 'The monitor to delete.'), required: true, description: 'The monitor.' }) },
    resolve: async (_root, { input }, context) => ({
      monitor: await deleteMonitor(context.db, context.viewer!, parseGlobalId(input.monitorId, 'Monitor', ['input', 'monitorId'])),
    }),
  }),
}));
