import {
  addAlertNote,
  listAlerts,
  loadAlertHistory,
  loadAlertNotes,
  loadAlerts,
  updateAlertStatus,
  type AlertHistoryRow,
  type AlertNoteRow,
  type AlertOrder,
  type AlertRow,
} from '../../services/alerts.ts';
import {
  AuthenticationError,
  ForbiddenError,
  InvalidStatusTransitionError,
  NotFoundError,
  ValidationError,
} from '../../services/errors.ts';
import { builder } from '../builder.ts';
import { toConnection } from '../connection.ts';
import { AlertCategoryEnum, AlertStatusEnum, SeverityEnum, SourceEnum, SuppressionRuleKindEnum } from '../enums.ts';
import { onlyUuids, parseGlobalId, parseGlobalIds } from '../ids.ts';
import { User } from './accounts.ts';
import { Monitor } from './monitors.ts';

const AlertHistoryEntry = builder.objectRef<AlertHistoryRow>('AlertHistoryEntry').implement({
  description: 'One status change of an alert: creation, triage or reopening.',
  fields: (t) => ({
    fromStatus: t.field({ type: AlertStatusEnum, nullable: true, description: 'Null for the creation entry.', resolve: (h) => h.fromStatus }),
    toStatus: t.field({ type: AlertStatusEnum, resolve: (h) => h.toStatus }),
    actor: t.field({ type: User, nullable: true, description: 'Null when Vigil or an API key made the change.', resolve: (h) => h.actorUserId }),
    isByApiKey: t.boolean({ resolve: (h) => h.actorApiKeyId !== null }),
    note: t.exposeString('note', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AlertNote = builder.objectRef<AlertNoteRow>('AlertNote').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    body: t.exposeString('body'),
    author: t.field({ type: User, nullable: true, resolve: (n) => n.authorUserId }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const Alert = builder.loadableNode('Alert', {
  description: 'A threat Vigil found; repeats of the same threat count as occurrences of one alert.',
  id: { resolve: (a: AlertRow) => a.id },
  load: (ids: string[], context) =>
    context.viewer ? loadAlerts(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (a) => a.id,
  fields: (t) => ({
    monitor: t.field({ type: Monitor, resolve: (a) => a.monitorId }),
    title: t.exposeString('title'),
    summary: t.exposeString('summary'),
    url: t.exposeString('url', { nullable: true }),
    source: t.field({ type: SourceEnum, nullable: true, resolve: (a) => a.source }),
    category: t.field({ type: AlertCategoryEnum, resolve: (a) => a.category }),
    severity: t.field({ type: SeverityEnum, resolve: (a) => a.severity }),
    confidence: t.exposeFloat('confidence', { description: 'The analyzer’s confidence, 0 to 1.' }),
    rationale: t.exposeString('rationale', { nullable: true }),
    isUnverified: t.exposeBoolean('isUnverified', { description: 'Judged by the rules because the LLM was unavailable.' }),
    status: t.field({ type: AlertStatusEnum, resolve: (a) => a.status }),
    occurrences: t.exposeInt('occurrences'),
    fingerprint: t.exposeString('fingerprint'),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true }),
    acknowledgedBy: t.field({ type: User, nullable: true, resolve: (a) => a.acknowledgedByUserId }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    resolvedBy: t.field({ type: User, nullable: true, resolve: (a) => a.resolvedByUserId }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    history: t.loadableGroup({
      type: AlertHistoryEntry,
      description: 'Every status change, oldest first.',
      load: (alertIds: string[], context) => loadAlertHistory(context.db, context.viewer!.organizationId, alertIds),
      group: (entry) => entry.alertId,
      resolve: (alert) => alert.id,
    }),
    notes: t.loadableGroup({
      type: AlertNote,
      description: 'Analyst notes, oldest first.',
      load: (alertIds: string[], context) => loadAlertNotes(context.db, context.viewer!.organizationId, alertIds),
      group: (note) => note.alertId,
      resolve: (alert) => alert.id,
    }),
  }),
});

const AlertFilter = builder.inputType('AlertFilter', {
  fields: (t) => ({
    monitorIds: t.idList({ required: false }),
    statuses: t.field({ type: [AlertStatusEnum], required: false }),
    minSeverity: t.field({ type: SeverityEnum, required: false }),
    categories: t.field({ type: [AlertCategoryEnum], required: false }),
    since: t.field({ type: 'DateTime', required: false, description: 'Created at or after.' }),
    until: t.field({ type: 'DateTime', required: false, description: 'Created before.' }),
    text: t.string({ required: false, description: 'Matches title, summary or URL, case-insensitively.' }),
    isSilenced: t.boolean({ required: false, description: 'True: only silenced alerts; false: only the others; absent: both.' }),
  }),
});

const AlertOrderEnum = builder.enumType('AlertOrder', {
  values: {
    NEWEST: { value: 'newest', description: 'Newest first.' },
    OLDEST: { value: 'oldest', description: 'Oldest first.' },
    SEVERITY: { value: 'severity', description: 'Most severe first, then newest.' },
  } as const,
});

builder.queryFields((t) => ({
  alerts: t.connection({
    type: Alert,
    description: "The organization's alerts.",
    authScopes: { member: true },
    args: {
      filter: t.arg({ type: AlertFilter, required: false }),
      orderBy: t.arg({ type: AlertOrderEnum, required: false, defaultValue: 'newest' }),
    },
    resolve: async (_root, args, context) => {
      const filter = args.filter ?? {};
      const page = await listAlerts(
        context.db,
        context.viewer!,
        { ...filter, monitorIds: filter.monitorIds ? parseGlobalIds(filter.monitorIds, 'Monitor', ['filter', 'monitorIds']) : null },
        (args.orderBy ?? 'newest') as AlertOrder,
        args,
      );
      return toConnection(page);
    },
  }),
  alert: t.field({
    type: Alert,
    nullable: true,
    description: 'One alert of your organization, or null.',
    authScopes: { member: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args) => parseGlobalId(args.id, 'Alert', ['id']),
  }),
}));

const alertErrors = [AuthenticationError, ForbiddenError, ValidationError, NotFoundError] as const;

builder.mutationFields((t) => ({
  updateAlertStatus: t.field({
    type: [Alert],
    description: 'Moves one or many alerts to a status, all or nothing. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: { types: [...alertErrors, InvalidStatusTransitionError] },
    args: {
      ids: t.arg.idList({ required: true }),
      status: t.arg({ type: AlertStatusEnum, required: true }),
      note: t.arg.string({ required: false, description: 'Recorded with the change in the history.' }),
      snoozedUntil: t.arg({
        type: 'DateTime',
        required: false,
        description:
          'Required with SNOOZED (at most 90 days ahead): repeats before then only count occurrences; a repeat after it returns the alert to NEW.',
      }),
      learn: t.arg({
        type: SuppressionRuleKindEnum,
        required: false,
        description:
          "With FALSE_POSITIVE: also add a suppression rule to each alert's monitor — its host (DOMAIN) or its URL and anything under it (URL_PATTERN) — so later findings like it are dropped.",
      }),
    },
    resolve: (_root, args, context) =>
      updateAlertStatus(context.db, context.viewer!, {
        ids: parseGlobalIds(args.ids, 'Alert', ['ids']),
        status: args.status,
        note: args.note,
        snoozedUntil: args.snoozedUntil,
        learn: args.learn,
      }),
  }),
  addAlertNote: t.field({
    type: AlertNote,
    authScopes: { role: 'analyst' },
    errors: { types: [...alertErrors] },
    args: { alertId: t.arg.id({ required: true }), body: t.arg.string({ required: true }) },
    resolve: (_root, args, context) =>
      addAlertNote(context.db, context.viewer!, parseGlobalId(args.alertId, 'Alert', ['alertId']), args.body),
  }),
}));
