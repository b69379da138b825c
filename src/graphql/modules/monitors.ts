import {
  AuthenticationError,
  ForbiddenError,
  NotFoundError,
  PlanLimitExceededError,
  ValidationError,
} from '../../services/errors.ts';
import {
  createMonitor,
  deleteMonitor,
  listMonitors,
  loadMonitors,
  setMonitorStatus,
  updateMonitor,
  type MonitorRow,
} from '../../services/monitors.ts';
import { builder } from '../builder.ts';
import { toConnection } from '../connection.ts';
import { FrequencyEnum, MonitorKindEnum, MonitorStatusEnum, OrderDirectionEnum, SourceEnum } from '../enums.ts';
import { onlyUuids, parseGlobalId } from '../ids.ts';

export const Monitor = builder.loadableNode('Monitor', {
  description: 'Something to watch: a brand, domain, person, product or keyword, scanned on a schedule.',
  id: { resolve: (m: MonitorRow) => m.id },
  load: (ids: string[], context) =>
    context.viewer ? loadMonitors(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (m) => m.id,
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.field({ type: MonitorKindEnum, resolve: (m) => m.kind }),
    terms: t.exposeStringList('terms', { description: 'A finding must mention at least one of these.' }),
    excludeTerms: t.exposeStringList('excludeTerms', { description: 'Findings mentioning any of these are suppressed.' }),
    sources: t.field({ type: [SourceEnum], resolve: (m) => m.sources }),
    feedUrls: t.exposeStringList('feedUrls'),
    frequency: t.field({ type: FrequencyEnum, resolve: (m) => m.frequency }),
    intervalMinutes: t.exposeInt('intervalMinutes', { description: 'The effective scan interval.' }),
    status: t.field({ type: MonitorStatusEnum, resolve: (m) => m.status }),
    nextScanAt: t.expose('nextScanAt', { type: 'DateTime' }),
    lastScanAt: t.expose('lastScanAt', { type: 'DateTime', nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const MonitorFilter = builder.inputType('MonitorFilter', {
  fields: (t) => ({
    statuses: t.field({ type: [MonitorStatusEnum], required: false }),
    kinds: t.field({ type: [MonitorKindEnum], required: false }),
    text: t.string({ required: false, description: 'Matches the name or any term, case-insensitively.' }),
  }),
});

const MonitorOrderField = builder.enumType('MonitorOrderField', {
  values: { NAME: { value: 'name' }, CREATED_AT: { value: 'createdAt' }, NEXT_SCAN_AT: { value: 'nextScanAt' } } as const,
});

const MonitorOrder = builder.inputType('MonitorOrder', {
  fields: (t) => ({
    field: t.field({ type: MonitorOrderField, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

builder.queryFields((t) => ({
  monitors: t.connection({
    type: Monitor,
    description: "The organization's monitors. Defaults to newest first.",
    authScopes: { member: true },
    args: {
      filter: t.arg({ type: MonitorFilter, required: false }),
      orderBy: t.arg({ type: MonitorOrder, required: false }),
    },
    resolve: async (_root, args, context) =>
      toConnection(
        await listMonitors(
          context.db,
          context.viewer!,
          args.filter ?? {},
          args.orderBy ?? { field: 'createdAt', direction: 'desc' },
          args,
        ),
      ),
  }),
  monitor: t.field({
    type: Monitor,
    nullable: true,
    description: 'One monitor of your organization, or null.',
    authScopes: { member: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args) => parseGlobalId(args.id, 'Monitor', ['id']),
  }),
}));

const CreateMonitorInput = builder.inputType('CreateMonitorInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: MonitorKindEnum, required: true }),
    terms: t.stringList({ required: true }),
    excludeTerms: t.stringList({ required: false }),
    sources: t.field({ type: [SourceEnum], required: true }),
    feedUrls: t.stringList({ required: false, description: 'Feeds read by the RSS source.' }),
    frequency: t.field({ type: FrequencyEnum, required: true }),
    intervalMinutes: t.int({ required: false, description: 'Required for INTERVAL; at least the plan floor.' }),
  }),
});

const UpdateMonitorInput = builder.inputType('UpdateMonitorInput', {
  description: 'Fields left out keep their value.',
  fields: (t) => ({
    name: t.string({ required: false }),
    terms: t.stringList({ required: false }),
    excludeTerms: t.stringList({ required: false }),
    sources: t.field({ type: [SourceEnum], required: false }),
    feedUrls: t.stringList({ required: false }),
    frequency: t.field({ type: FrequencyEnum, required: false }),
    intervalMinutes: t.int({ required: false }),
  }),
});

const monitorErrors = [AuthenticationError, ForbiddenError, ValidationError, NotFoundError] as const;

/** `null` from GraphQL means "not given" for optional inputs. */
function withoutNulls<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as never;
}

builder.mutationFields((t) => ({
  createMonitor: t.field({
    type: Monitor,
    authScopes: { role: 'admin' },
    errors: { types: [...monitorErrors, PlanLimitExceededError] },
    args: { input: t.arg({ type: CreateMonitorInput, required: true }) },
    resolve: (_root, { input }, context) => createMonitor(context.db, context.viewer!, withoutNulls(input)),
  }),
  updateMonitor: t.field({
    type: Monitor,
    authScopes: { role: 'admin' },
    errors: { types: [...monitorErrors, PlanLimitExceededError] },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateMonitorInput, required: true }) },
    resolve: (_root, { id, input }, context) =>
      updateMonitor(context.db, context.viewer!, parseGlobalId(id, 'Monitor', ['id']), withoutNulls(input)),
  }),
  pauseMonitor: t.field({
    type: Monitor,
    description: 'Stops scanning until resumed.',
    authScopes: { role: 'admin' },
    errors: { types: [...monitorErrors] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => setMonitorStatus(context.db, context.viewer!, parseGlobalId(id, 'Monitor', ['id']), 'paused'),
  }),
  resumeMonitor: t.field({
    type: Monitor,
    description: 'Resumes scanning; an overdue monitor is scanned at the next tick.',
    authScopes: { role: 'admin' },
    errors: { types: [...monitorErrors] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => setMonitorStatus(context.db, context.viewer!, parseGlobalId(id, 'Monitor', ['id']), 'active'),
  }),
  deleteMonitor: t.field({
    type: Monitor,
    description: 'Deletes the monitor for good, with its findings, scans and alerts. Returns what was deleted.',
    authScopes: { role: 'admin' },
    errors: { types: [...monitorErrors] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => deleteMonitor(context.db, context.viewer!, parseGlobalId(id, 'Monitor', ['id'])),
  }),
}));
