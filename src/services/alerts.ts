import { and, asc, eq, gte, ilike, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.ts';
import { retrying } from '../db/retry.ts';
import { alertHistory, alertNotes, alerts, monitors } from '../db/schema/index.ts';
import {
  alertCategories,
  alertStatuses,
  severities,
  SEVERITY_RANK,
  suppressionRuleKinds,
  type AlertCategory,
  type AlertStatus,
  type Severity,
  type SuppressionRuleKind,
} from '../db/schema/enums.ts';
import type { Explanation } from '../db/schema/explanation.ts';
import { InvalidStatusTransitionError, NotFoundError, ValidationError } from './errors.ts';
import { likePattern } from './monitors.ts';
import { paginate, paginateGroups, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { learnFromFalsePositives } from './suppression-rules.ts';
import { parseInput } from './validation.ts';
import type { Viewer } from './viewer.ts';

export type AlertRow = typeof alerts.$inferSelect;
export type AlertHistoryRow = typeof alertHistory.$inferSelect;
export type AlertNoteRow = typeof alertNotes.$inferSelect;

/** Which status an analyst may move an alert to from each status. */
const TRANSITIONS: Record<AlertStatus, readonly AlertStatus[]> = {
  new: ['acknowledged', 'snoozed', 'resolved', 'false_positive'],
  acknowledged: ['new', 'snoozed', 'resolved', 'false_positive'],
  snoozed: ['new', 'acknowledged', 'snoozed', 'resolved', 'false_positive'],
  resolved: ['new'],
  false_positive: ['new'],
};

export function canTransition(from: AlertStatus, to: AlertStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

const alertInputSchema = z.object({
  organizationId: z.uuid(),
  monitorId: z.uuid(),
  fingerprint: z.string().min(1).max(200),
  title: z.string().trim().min(1).max(500),
  summary: z.string().max(5_000).default(''),
  url: z.string().max(2_000).nullish(),
  source: z.string().nullish(),
  category: z.enum(alertCategories),
  severity: z.enum(severities),
  confidence: z.number().min(0).max(1),
  rationale: z.string().max(1_000).nullish(),
  explanation: z.custom<Explanation>((value) => value === null || (typeof value === 'object' && value !== null && 'analyzer' in value)).nullish(),
  isUnverified: z.boolean().default(false),
});
export type AlertInput = z.input<typeof alertInputSchema>;

export interface UpsertOutcome {
  alert: AlertRow;
  outcome: 'created' | 'updated' | 'reopened';
}

/**
 * What the scanner does for every threat: one alert per (monitor, fingerprint). A repeat counts an
 * occurrence and refreshes the verdict; a repeat of a resolved alert, or of a snoozed one after its
 * snooze ended, returns it to `new`, recorded in history. False positives stay closed: the analyst
 * already said it is not a threat. Each firing is checked against the silences in effect: a
 * silenced firing is stored and marked, but not announced. The rules are the database's
 * (`vigil_upsert_alerts`, drizzle/functions/*alert_upserts*), which the scan's own statement calls.
 */
export async function upsertAlert(tx: DbOrTx, input: AlertInput): Promise<UpsertOutcome> {
  const data = parseInput(alertInputSchema, input, ['alert']);
  const [outcome] = await upsertAlerts(tx, data.organizationId, data.monitorId, [data]);
  return outcome!;
}

/** An alert as `vigil_upsert_alerts` takes it (a JSON array of these). */
export type AlertRecord = Omit<z.output<typeof alertInputSchema>, 'organizationId' | 'monitorId'>;

/** Threats of one monitor checked and trimmed as an alert keeps them, for `vigil_upsert_alerts`. */
export function alertRecords(organizationId: string, monitorId: string, inputs: readonly AlertInput[]): AlertRecord[] {
  return inputs.map((input, index) => {
    const { organizationId: _organization, monitorId: _monitor, ...record } = parseInput(alertInputSchema, { ...input, organizationId, monitorId }, ['alerts', index]);
    return record;
  });
}

/**
 * `upsertAlert` for many threats of one monitor at once: one call of the database function, which
 * creates every new alert in one statement and updates the repeats in another, whatever their
 * number, then one read of the alerts. Outcomes come back in input order (a fingerprint listed
 * twice counts once, with the later verdict).
 */
export async function upsertAlerts(
  tx: DbOrTx,
  organizationId: string,
  monitorId: string,
  inputs: readonly AlertInput[],
  /** The caller read the monitor with its organization; a monitor deleted since fails on its foreign key. */
  options: { isMonitorVerified?: boolean } = {},
): Promise<UpsertOutcome[]> {
  if (inputs.length === 0) return [];
  const records = alertRecords(organizationId, monitorId, inputs);
  if (!options.isMonitorVerified) {
    const [monitor] = await tx
      .select({ id: monitors.id })
      .from(monitors)
      .where(and(eq(monitors.id, monitorId), eq(monitors.organizationId, organizationId)));
    if (!monitor) throw new NotFoundError('Monitor', monitorId);
  }
  const upserted = await tx.execute<{ fingerprint: string; alert_id: string; outcome: UpsertOutcome['outcome'] }>(
    sql`select fingerprint, alert_id, outcome from vigil_upsert_alerts(${organizationId}, ${monitorId}, ${JSON.stringify(records)}::jsonb)`,
  );
  const rows = await tx.select().from(alerts).where(inArray(alerts.id, upserted.map((row) => row.alert_id)));
  const byId = new Map(rows.map((alert) => [alert.id, alert]));
  const outcomes = new Map(upserted.map((row) => [row.fingerprint, { alert: byId.get(row.alert_id)!, outcome: row.outcome }]));
  return records.map((record) => outcomes.get(record.fingerprint)!);
}

const MAX_SNOOZE_DAYS = 90;
/** How many alerts one `updateAlertStatus` may move. */
export const MAX_ALERTS_PER_STATUS_UPDATE = 100;

const statusUpdateSchema = z
  .object({
    alertIds: z.array(z.uuid()).min(1, 'must list at least one alert').max(MAX_ALERTS_PER_STATUS_UPDATE, `must list at most ${MAX_ALERTS_PER_STATUS_UPDATE} alerts`),
    status: z.enum(alertStatuses),
    note: z.string().trim().min(1, 'must not be empty').max(5_000, 'must be at most 5000 characters').nullish(),
    snoozedUntil: z.date().nullish(),
    learn: z.enum(suppressionRuleKinds).nullish(),
  })
  .superRefine((input, ctx) => {
    if (input.status === 'snoozed') {
      if (!input.snoozedUntil) ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'is required to snooze' });
      else if (input.snoozedUntil.getTime() <= Date.now()) ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'must be in the future' });
      else if (input.snoozedUntil.getTime() - Date.now() > MAX_SNOOZE_DAYS * 86_400_000) {
        ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: `must be at most ${MAX_SNOOZE_DAYS} days ahead` });
      }
    } else if (input.snoozedUntil) {
      ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'is only for status SNOOZED' });
    }
    if (input.learn && input.status !== 'false_positive') {
      ctx.addIssue({ code: 'custom', path: ['learn'], message: 'is only for status FALSE_POSITIVE' });
    }
  });

/**
 * Moves one or many alerts to `status`, all or nothing: if any alert is missing or cannot make the
 * transition, nothing changes. Snoozing needs `snoozedUntil`; marking false positive may `learn` a
 * suppression rule for each alert's monitor, in the same transaction.
 */
export async function updateAlertStatus(
  db: Db,
  viewer: Viewer,
  input: { alertIds: string[]; status: AlertStatus; note?: string | null; snoozedUntil?: Date | null; learn?: SuppressionRuleKind | null },
): Promise<AlertRow[]> {
  const data = parseInput(statusUpdateSchema, input);
  const ids = [...new Set(data.alertIds)];
  return retrying(db).transaction(async (tx) => {
    const current = await tx
      .select()
      .from(alerts)
      .where(and(eq(alerts.organizationId, viewer.organizationId), inArray(alerts.id, ids)))
      .orderBy(asc(alerts.id))
      .for('update');
    const byId = new Map(current.map((a) => [a.id, a]));
    for (const id of ids) {
      const alert = byId.get(id);
      if (!alert) throw new NotFoundError('Alert', id);
      if (!canTransition(alert.status, data.status)) throw new InvalidStatusTransitionError(id, alert.status, data.status);
    }
    const actor = viewer.userId;
    const changes =
      data.status === 'acknowledged'
        ? { acknowledgedAt: sql`now()`, acknowledgedByUserId: actor }
        : data.status === 'resolved' || data.status === 'false_positive'
          ? { resolvedAt: sql`now()`, resolvedByUserId: actor }
          : data.status === 'snoozed'
            ? {}
            : { resolvedAt: null, resolvedByUserId: null, acknowledgedAt: null, acknowledgedByUserId: null };
    const updated = await tx
      .update(alerts)
      .set({ status: data.status, snoozedUntil: data.status === 'snoozed' ? data.snoozedUntil! : null, updatedAt: sql`now()`, ...changes })
      .where(inArray(alerts.id, ids))
      .returning();
    if (data.learn) await learnFromFalsePositives(tx, viewer, current, data.learn);
    await tx.insert(alertHistory).values(
      ids.map((id) => ({
        organizationId: viewer.organizationId,
        alertId: id,
        fromStatus: byId.get(id)!.status,
        toStatus: data.status,
        actorUserId: viewer.userId,
        actorApiKeyId: viewer.apiKeyId,
        note: data.note ?? null,
      })),
    );
    const order = new Map(ids.map((id, i) => [id, i]));
    return updated.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  });
}

const noteSchema = z.object({
  body: z.string().trim().min(1, 'must not be empty').max(5_000, 'must be at most 5000 characters'),
});

export async function addAlertNote(db: DbOrTx, viewer: Viewer, alertId: string, body: string): Promise<AlertNoteRow> {
  const data = parseInput(noteSchema, { body });
  await getAlert(db, viewer, alertId);
  const [note] = await db
    .insert(alertNotes)
    .values({ organizationId: viewer.organizationId, alertId, authorUserId: viewer.userId, authorApiKeyId: viewer.apiKeyId, body: data.body })
    .returning();
  return note!;
}

export async function getAlert(db: DbOrTx, viewer: Viewer, id: string): Promise<AlertRow> {
  const [alert] = await db
    .select()
    .from(alerts)
    .where(and(eq(alerts.id, id), eq(alerts.organizationId, viewer.organizationId)));
  if (!alert) throw new NotFoundError('Alert', id);
  return alert;
}

export function loadAlerts(db: DbOrTx, organizationId: string, ids: readonly string[]): Promise<AlertRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(alerts)
    .where(and(eq(alerts.organizationId, organizationId), inArray(alerts.id, [...ids])));
}

const historyOrdering: Ordering = { name: 'alertHistory.oldest', direction: 'asc', keys: [{ column: alertHistory.id, type: 'bigint' }] };
const noteOrdering: Ordering = {
  name: 'alertNotes.oldest',
  direction: 'asc',
  keys: [
    { column: alertNotes.createdAt, type: 'timestamptz' },
    { column: alertNotes.id, type: 'uuid' },
  ],
};

/** The same page of the history of each alert, oldest first, in one statement. */
export function listAlertHistories(db: DbOrTx, organizationId: string, alertIds: readonly string[], args: PageArgs): Promise<Map<string, Page<AlertHistoryRow>>> {
  return paginateGroups(db, args, historyOrdering, {
    table: alertHistory,
    groupColumn: alertHistory.alertId,
    groupIds: alertIds,
    where: eq(alertHistory.organizationId, organizationId),
  });
}

/** The same page of the notes of each alert, oldest first, in one statement. */
export function listAlertNotes(db: DbOrTx, organizationId: string, alertIds: readonly string[], args: PageArgs): Promise<Map<string, Page<AlertNoteRow>>> {
  return paginateGroups(db, args, noteOrdering, {
    table: alertNotes,
    groupColumn: alertNotes.alertId,
    groupIds: alertIds,
    where: eq(alertNotes.organizationId, organizationId),
  });
}

/** History entries by id for `node(id)`, never across organizations. */
export function loadAlertHistoryEntries(db: DbOrTx, organizationId: string, ids: readonly number[]): Promise<AlertHistoryRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.select().from(alertHistory).where(and(eq(alertHistory.organizationId, organizationId), inArray(alertHistory.id, [...ids])));
}

/** Notes by id for `node(id)`, never across organizations. */
export function loadAlertNotesById(db: DbOrTx, organizationId: string, ids: readonly string[]): Promise<AlertNoteRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.select().from(alertNotes).where(and(eq(alertNotes.organizationId, organizationId), inArray(alertNotes.id, [...ids])));
}

export interface AlertFilter {
  monitorIds?: string[] | null;
  statuses?: AlertStatus[] | null;
  minSeverity?: Severity | null;
  categories?: AlertCategory[] | null;
  since?: Date | null;
  until?: Date | null;
  text?: string | null;
  /** True: only silenced firings; false: only announced ones; absent: both. */
  isSilenced?: boolean | null;
}

export type AlertOrder = 'newest' | 'oldest' | 'severity';

export const alertOrderings: Record<AlertOrder, Ordering> = {
  newest: {
    name: 'alerts.newest',
    direction: 'desc',
    keys: [
      { column: alerts.createdAt, type: 'timestamptz' },
      { column: alerts.id, type: 'uuid' },
    ],
  },
  oldest: {
    name: 'alerts.oldest',
    direction: 'asc',
    keys: [
      { column: alerts.createdAt, type: 'timestamptz' },
      { column: alerts.id, type: 'uuid' },
    ],
  },
  severity: {
    name: 'alerts.severity',
    direction: 'desc',
    keys: [
      { column: alerts.severityRank, type: 'int' },
      { column: alerts.createdAt, type: 'timestamptz' },
      { column: alerts.id, type: 'uuid' },
    ],
  },
};

/** Refuses a filter out of bounds; the text to search for, trimmed (undefined: none). */
export function checkAlertFilter(filter: AlertFilter): string | undefined {
  const text = filter.text?.trim();
  if (text && text.length > 200) throw ValidationError.single(['filter', 'text'], 'must be at most 200 characters');
  if (filter.monitorIds && filter.monitorIds.length > 100) throw ValidationError.single(['filter', 'monitorIds'], 'must list at most 100 monitors');
  if (filter.since && filter.until && filter.since > filter.until) throw ValidationError.single(['filter', 'since'], 'must not be after until');
  return text || undefined;
}

export function alertFilterConditions(organizationId: string, filter: AlertFilter): (SQL | undefined)[] {
  const text = checkAlertFilter(filter);
  return [
    eq(alerts.organizationId, organizationId),
    filter.monitorIds?.length ? inArray(alerts.monitorId, filter.monitorIds) : undefined,
    filter.statuses?.length ? inArray(alerts.status, filter.statuses) : undefined,
    filter.minSeverity ? gte(alerts.severityRank, SEVERITY_RANK[filter.minSeverity]) : undefined,
    filter.categories?.length ? inArray(alerts.category, filter.categories) : undefined,
    filter.since ? gte(alerts.createdAt, filter.since) : undefined,
    filter.until ? lt(alerts.createdAt, filter.until) : undefined,
    filter.isSilenced === true ? isNotNull(alerts.silencedAt) : filter.isSilenced === false ? isNull(alerts.silencedAt) : undefined,
    text
      ? or(ilike(alerts.title, likePattern(text)), ilike(alerts.summary, likePattern(text)), ilike(alerts.url, likePattern(text)))
      : undefined,
  ];
}

export async function listAlerts(db: DbOrTx, viewer: Viewer, filter: AlertFilter, order: AlertOrder, args: PageArgs): Promise<Page<AlertRow>> {
  const conditions = alertFilterConditions(viewer.organizationId, filter);
  return paginate(args, alertOrderings[order], ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ alert: alerts, cursor })
      .from(alerts)
      .where(and(...conditions, seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.alert, cursor: row.cursor }))),
  );
}
