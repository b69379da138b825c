import {
  addAlertNote,
  listAlertHistories,
  listAlertNotes,
  listAlerts,
  loadAlertHistoryEntries,
  loadAlertNotesById,
  loadAlerts,
  MAX_ALERTS_PER_STATUS_UPDATE,
  updateAlertStatus,
  type AlertHistoryRow,
  type AlertNoteRow,
  type AlertOrder,
  type AlertRow,
} from '../../services/alerts.ts';
import { readAlertPage, type AlertPageRow } from '../../services/alert-pages.ts';
import { InvalidStatusTransitionError } from '../../services/errors.ts';
import { builder } from '../builder.ts';
import { bounded, connectionType, loadGroupPage, toConnection } from '../connection.ts';
import { AlertCategoryEnum, AlertStatusEnum, SeverityEnum, SourceEnum, SuppressionRuleKindEnum } from '../enums.ts';
import { authErrorsWithNotFound, resultOf } from '../errors.ts';
import { onlyIntegerIds, onlyUuids, parseGlobalId, parseGlobalIds } from '../ids.ts';
import { User } from './accounts.ts';
import { alertPageColumns } from './alerts-selection.ts';
import { Monitor } from './monitors.ts';

export const Alert = builder.loadableNode('Alert', {
  description: 'A threat Vigil found; repeats of the same threat count as occurrences of one alert.',
  id: { resolve: (a: AlertRow) => a.id },
  load: (ids: string[], context) =>
    context.viewer ? loadAlerts(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (a) => a.id,
  fields: (t) => ({
    monitor: t.field({
      type: Monitor,
      description: 'The monitor whose scan found it.',
      // Joined into the alerts page when its selection allows (see alerts-selection.ts); loaded by id otherwise.
      resolve: (a) => (a as AlertPageRow).monitor ?? a.monitorId,
    }),
    title: t.exposeString('title', { description: 'Short title of the threat.' }),
    summary: t.exposeString('summary', { description: 'What was found.' }),
    url: t.exposeString('url', { nullable: true, description: 'Where it was found, when it has an address.' }),
    source: t.expose('source', { type: SourceEnum, nullable: true, description: 'The source that found it; null for alerts Vigil raises itself.' }),
    category: t.expose('category', { type: AlertCategoryEnum, description: 'What kind of threat it is.' }),
    severity: t.expose('severity', { type: SeverityEnum, description: 'How bad it is.' }),
    confidence: t.exposeFloat('confidence', { description: 'The analyzer’s confidence, 0 to 1.' }),
    rationale: t.exposeString('rationale', { nullable: true, description: 'The analyzer’s one-line reason.' }),
    isUnverified: t.exposeBoolean('isUnverified', { description: 'Judged by the rules because the LLM was unavailable.' }),
    status: t.expose('status', { type: AlertStatusEnum, description: 'Where it is in triage.' }),
    occurrences: t.exposeInt('occurrences', { description: 'How many times scans found it, the first time included.' }),
    fingerprint: t.exposeString('fingerprint', { description: 'Its identity within the monitor (the canonical URL): repeats with the same fingerprint are occurrences.' }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', description: 'When a scan first found it.' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', description: 'When a scan last found it.' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true, description: 'When it was acknowledged; cleared when it returns to NEW.' }),
    acknowledgedBy: t.field({ type: User, nullable: true, description: 'Who acknowledged it; null for an API key or a removed account.', resolve: (a) => a.acknowledgedByUserId }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true, description: 'When it was resolved or marked false positive.' }),
    resolvedBy: t.field({ type: User, nullable: true, description: 'Who resolved it; null for an API key or a removed account.', resolve: (a) => a.resolvedByUserId }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the alert was created.' }),
  }),
});

const AlertHistoryEntry = builder.loadableNode('AlertHistoryEntry', {
  description: 'One status change of an alert: creation, triage or reopening.',
  id: { resolve: (h: AlertHistoryRow) => String(h.id) },
  load: (ids: string[], context) =>
    context.viewer ? loadAlertHistoryEntries(context.db, context.viewer.organizationId, onlyIntegerIds(ids)) : Promise.resolve([]),
  sort: (h) => String(h.id),
  fields: (t) => ({
    alert: t.field({ type: Alert, description: 'The alert that changed.', resolve: (h) => h.alertId }),
    fromStatus: t.field({ type: AlertStatusEnum, nullable: true, description: 'Null for the creation entry.', resolve: (h) => h.fromStatus }),
    toStatus: t.field({ type: AlertStatusEnum, description: 'The status it moved to.', resolve: (h) => h.toStatus }),
    actor: t.field({ type: User, nullable: true, description: 'Null when Vigil or an API key made the change.', resolve: (h) => h.actorUserId }),
    isByApiKey: t.boolean({ description: 'Whether an API key made the change.', resolve: (h) => h.actorApiKeyId !== null }),
    note: t.exposeString('note', { nullable: true, description: 'The note given with the change.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it changed.' }),
  }),
});

export const AlertNote = builder.loadableNode('AlertNote', {
  description: 'A note an analyst (or an API key) added to an alert.',
  id: { resolve: (n: AlertNoteRow) => n.id },
  load: (ids: string[], context) =>
    context.viewer ? loadAlertNotesById(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (n) => n.id,
  fields: (t) => ({
    alert: t.field({ type: Alert, description: 'The alert it is about.', resolve: (n) => n.alertId }),
    body: t.exposeString('body', { description: 'The text, at most 5,000 characters.' }),
    author: t.field({ type: User, nullable: true, description: 'Who wrote it; null for an API key or a removed account.', resolve: (n) => n.authorUserId }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was added.' }),
  }),
});

const AlertConnection = connectionType(Alert, 'Alert', { description: 'A page of alerts.' });
const AlertHistoryEntryConnection = connectionType(AlertHistoryEntry, 'AlertHistoryEntry', { description: 'A page of an alert’s history.' });
const AlertNoteConnection = connectionType(AlertNote, 'AlertNote', { description: 'A page of an alert’s notes.' });

builder.objectFields(Alert, (t) => ({
  history: t.connection(
    {
      type: AlertHistoryEntry,
      description: 'Every status change, oldest first.',
      resolve: async (alert, args, context) =>
        toConnection(await loadGroupPage(context, 'Alert.history', args, alert.id, (ids) => listAlertHistories(context.db, context.viewer!.organizationId, ids, args))),
    },
    AlertHistoryEntryConnection,
  ),
  notes: t.connection(
    {
      type: AlertNote,
      description: 'Analyst notes, oldest first.',
      resolve: async (alert, args, context) =>
        toConnection(await loadGroupPage(context, 'Alert.notes', args, alert.id, (ids) => listAlertNotes(context.db, context.viewer!.organizationId, ids, args))),
    },
    AlertNoteConnection,
  ),
}));

const AlertFilter = builder.inputType('AlertFilter', {
  description: 'Which alerts to list; every condition given must hold, conditions left out match everything.',
  fields: (t) => ({
    monitorIds: t.idList({ required: false, description: 'Only alerts of these monitors (global IDs, at most 100).' }),
    statuses: t.field({ type: [AlertStatusEnum], required: false, description: 'Only alerts in one of these statuses.' }),
    minSeverity: t.field({ type: SeverityEnum, required: false, description: 'Only alerts at least this severe.' }),
    categories: t.field({ type: [AlertCategoryEnum], required: false, description: 'Only alerts of one of these categories.' }),
    since: t.field({ type: 'DateTime', required: false, description: 'Created at or after.' }),
    until: t.field({ type: 'DateTime', required: false, description: 'Created before.' }),
    text: t.string({ required: false, description: 'Matches title, summary or URL, case-insensitively (at most 200 characters).' }),
    isSilenced: t.boolean({ required: false, description: 'True: only silenced alerts; false: only the others; absent: both.' }),
  }),
});

const AlertOrderEnum = builder.enumType('AlertOrder', {
  description: 'How alerts are ordered.',
  values: {
    NEWEST: { value: 'newest', description: 'Newest first.' },
    OLDEST: { value: 'oldest', description: 'Oldest first.' },
    SEVERITY: { value: 'severity', description: 'Most severe first, then newest.' },
  } as const,
});

builder.queryFields((t) => ({
  alerts: t.connection(
    {
      type: Alert,
      description: "The organization's alerts.",
      authScopes: { member: true },
      args: {
        filter: t.arg({ type: AlertFilter, required: false, description: 'Which alerts; default: all.' }),
        orderBy: t.arg({ type: AlertOrderEnum, required: false, defaultValue: 'newest', description: 'How to order them.' }),
      },
      resolve: async (_root, args, context, info) => {
        const filter = args.filter ?? {};
        const alertFilter = { ...filter, monitorIds: filter.monitorIds ? parseGlobalIds(filter.monitorIds, 'Monitor', ['filter', 'monitorIds']) : null };
        const order = (args.orderBy ?? 'newest') as AlertOrder;
        // Only the columns the selection reads, in one statement with the monitors; whole rows when it asks for more.
        const columns = alertPageColumns(info);
        const page = columns
          ? await readAlertPage(context.db, context.viewer!, alertFilter, order, args, columns)
          : await listAlerts(context.db, context.viewer!, alertFilter, order, args);
        return toConnection(page);
      },
    },
    AlertConnection,
  ),
  alert: t.field({
    type: Alert,
    nullable: true,
    description: 'One alert of your organization, or null.',
    authScopes: { member: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the alert.' }) },
    resolve: (_root, args) => parseGlobalId(args.id, 'Alert', ['id']),
  }),
}));

const UpdateAlertStatusInput = builder.inputType('UpdateAlertStatusInput', {
  description: 'Alerts and the status to move them to.',
  fields: (t) => ({
    alertIds: t.idList({ required: true, description: `Global IDs of the alerts: 1 to ${MAX_ALERTS_PER_STATUS_UPDATE}.` }),
    status: t.field({ type: AlertStatusEnum, required: true, description: 'The new status.' }),
    note: t.string({ required: false, description: 'Recorded with the change in the history (at most 5,000 characters).' }),
    snoozedUntil: t.field({
      type: 'DateTime',
      required: false,
      description:
        'Required with SNOOZED (at most 90 days ahead): repeats before then only count occurrences; a repeat after it returns the alert to NEW.',
    }),
    learn: t.field({
      type: SuppressionRuleKindEnum,
      required: false,
      description:
        "With FALSE_POSITIVE: also add a suppression rule to each alert's monitor — its host (DOMAIN) or its URL and anything under it (URL_PATTERN) — so later findings like it are dropped.",
    }),
  }),
});

const UpdateAlertStatusPayload = builder.objectRef<{ alerts: AlertRow[] }>('UpdateAlertStatusPayload').implement({
  description: 'The alerts in their new status.',
  fields: (t) => ({
    alerts: t.field({
      type: [Alert],
      description: `The alerts, in the order asked for (each once; at most ${MAX_ALERTS_PER_STATUS_UPDATE}).`,
      ...bounded(MAX_ALERTS_PER_STATUS_UPDATE),
      resolve: (p) => p.alerts,
    }),
  }),
});

const AddAlertNoteInput = builder.inputType('AddAlertNoteInput', {
  description: 'A note for an alert.',
  fields: (t) => ({
    alertId: t.id({ required: true, description: 'Global ID of the alert.' }),
    body: t.string({ required: true, description: 'The note: 1 to 5,000 characters.' }),
  }),
});

const AddAlertNotePayload = builder.objectRef<{ alertNote: AlertNoteRow }>('AddAlertNotePayload').implement({
  description: 'The new note.',
  fields: (t) => ({ alertNote: t.field({ type: AlertNote, description: 'The note added.', resolve: (p) => p.alertNote }) }),
});

builder.mutationFields((t) => ({
  updateAlertStatus: t.field({
    type: UpdateAlertStatusPayload,
    description: 'Moves one or many alerts to a status, all or nothing. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: resultOf('updateAlertStatus', [...authErrorsWithNotFound, InvalidStatusTransitionError]),
    args: { input: t.arg({ type: UpdateAlertStatusInput, required: true, description: 'The alerts and the change.' }) },
    resolve: async (_root, { input }, context) => ({
      alerts: await updateAlertStatus(context.db, context.viewer!, {
        alertIds: parseGlobalIds(input.alertIds, 'Alert', ['input', 'alertIds']),
        status: input.status,
        note: input.note,
        snoozedUntil: input.snoozedUntil,
        learn: input.learn,
      }),
    }),
  }),
  addAlertNote: t.field({
    type: AddAlertNotePayload,
    description: 'Adds a note to an alert. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: resultOf('addAlertNote', authErrorsWithNotFound),
    args: { input: t.arg({ type: AddAlertNoteInput, required: true, description: 'The alert and the note.' }) },
    resolve: async (_root, { input }, context) => ({
      alertNote: await addAlertNote(context.db, context.viewer!, parseGlobalId(input.alertId, 'Alert', ['input', 'alertId']), input.body),
    }),
  }),
}));
