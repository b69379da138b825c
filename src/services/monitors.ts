import { and, count, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.ts';
import { monitors, organizations } from '../db/schema/index.ts';
import {
  frequencies,
  monitorKinds,
  sourceKinds,
  type Frequency,
  type MonitorKind,
  type MonitorStatus,
} from '../db/schema/enums.ts';
import { NotFoundError, PlanLimitExceededError, ValidationError } from './errors.ts';
import { paginate, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { limitsFor, type Plan } from './plans.ts';
import { queueFirstScan } from './scans.ts';
import { parseInput } from './validation.ts';
import type { Viewer } from './viewer.ts';

export type MonitorRow = typeof monitors.$inferSelect;

const FREQUENCY_MINUTES: Record<Exclude<Frequency, 'interval'>, number> = {
  hourly: 60,
  daily: 1_440,
  weekly: 10_080,
};

const term = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const feedUrl = z
  .string()
  .trim()
  .max(2_000, 'must be at most 2000 characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));

const monitorFields = {
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  kind: z.enum(monitorKinds),
  terms: z.array(term).min(1, 'must contain at least one term').max(50, 'must contain at most 50 terms'),
  excludeTerms: z.array(term).max(50, 'must contain at most 50 terms'),
  sources: z.array(z.enum(sourceKinds)).min(1, 'must contain at least one source').max(sourceKinds.length),
  feedUrls: z.array(feedUrl).max(20, 'must contain at most 20 feeds'),
  frequency: z.enum(frequencies),
  intervalMinutes: z
    .number()
    .int('must be a whole number of minutes')
    .min(1, 'must be at least 1 minute')
    .max(10_080 * 4, 'must be at most 40320 minutes (4 weeks)')
    .nullish(),
};

const createMonitorSchema = z.object({
  ...monitorFields,
  excludeTerms: monitorFields.excludeTerms.default([]),
  feedUrls: monitorFields.feedUrls.default([]),
});
export type CreateMonitorInput = z.input<typeof createMonitorSchema>;

const updateMonitorSchema = z.object({
  name: monitorFields.name.optional(),
  terms: monitorFields.terms.optional(),
  excludeTerms: monitorFields.excludeTerms.optional(),
  sources: monitorFields.sources.optional(),
  feedUrls: monitorFields.feedUrls.optional(),
  frequency: monitorFields.frequency.optional(),
  intervalMinutes: monitorFields.intervalMinutes,
});
export type UpdateMonitorInput = z.input<typeof updateMonitorSchema>;

interface Schedule {
  frequency: Frequency;
  intervalMinutes: number;
}

function resolveSchedule(frequency: Frequency, intervalMinutes: number | null | undefined): Schedule {
  if (frequency === 'interval') {
    if (intervalMinutes == null) throw ValidationError.single(['input', 'intervalMinutes'], 'is required when frequency is INTERVAL');
    return { frequency, intervalMinutes };
  }
  return { frequency, intervalMinutes: FREQUENCY_MINUTES[frequency] };
}

function checkPlan(plan: Plan, fields: { intervalMinutes: number; sources: readonly string[]; feedUrls: readonly string[] }): void {
  if (fields.intervalMinutes < plan.minIntervalMinutes) {
    throw new PlanLimitExceededError({
      plan: plan.name,
      limit: 'minIntervalMinutes',
      maximum: plan.minIntervalMinutes,
      current: fields.intervalMinutes,
      message: `The ${plan.name} plan scans at most every ${plan.minIntervalMinutes} minutes`,
    });
  }
  const disallowed = fields.sources.filter((s) => !plan.sources.includes(s as never));
  if (disallowed.length > 0) {
    throw new PlanLimitExceededError({
      plan: plan.name,
      limit: 'sources',
      maximum: plan.sources.length,
      current: fields.sources.length,
      message: `The ${plan.name} plan does not include these sources: ${disallowed.join(', ')}`,
    });
  }
  if (fields.sources.includes('rss') && fields.feedUrls.length === 0) {
    throw ValidationError.single(['input', 'feedUrls'], 'must list at least one feed when the RSS source is used');
  }
}

/** Locks the organization row: monitor creation is serialized per organization so the count check holds. */
async function lockOrganization(tx: DbOrTx, organizationId: string) {
  const [org] = await tx
    .select({ plan: organizations.plan, allowsDemoSource: organizations.allowsDemoSource })
    .from(organizations)
    .where(eq(organizations.id, organizationId))
    .for('update');
  if (!org) throw new NotFoundError('Organization', organizationId);
  return limitsFor(org);
}

export async function createMonitor(db: Db, viewer: Viewer, input: CreateMonitorInput): Promise<MonitorRow> {
  const data = parseInput(createMonitorSchema, input);
  const schedule = resolveSchedule(data.frequency, data.intervalMinutes);
  const sources = [...new Set(data.sources)];
  return db.transaction(async (tx) => {
    const plan = await lockOrganization(tx, viewer.organizationId);
    checkPlan(plan, { intervalMinutes: schedule.intervalMinutes, sources, feedUrls: data.feedUrls });
    const [{ value: existing }] = (await tx
      .select({ value: count() })
      .from(monitors)
      .where(eq(monitors.organizationId, viewer.organizationId))) as [{ value: number }];
    if (existing >= plan.maxMonitors) {
      throw new PlanLimitExceededError({
        plan: plan.name,
        limit: 'maxMonitors',
        maximum: plan.maxMonitors,
        current: existing,
        message: `The ${plan.name} plan allows ${plan.maxMonitors} monitors`,
      });
    }
    const [monitor] = await tx
      .insert(monitors)
      .values({
        organizationId: viewer.organizationId,
        name: data.name,
        kind: data.kind,
        terms: data.terms,
        excludeTerms: data.excludeTerms,
        sources,
        feedUrls: data.feedUrls,
        frequency: schedule.frequency,
        intervalMinutes: schedule.intervalMinutes,
        nextScanAt: sql`now()`,
      })
      .returning();
    await queueFirstScan(tx, monitor!.id);
    return monitor!;
  });
}

export async function updateMonitor(db: Db, viewer: Viewer, id: string, input: UpdateMonitorInput): Promise<MonitorRow> {
  const data = parseInput(updateMonitorSchema, input);
  return db.transaction(async (tx) => {
    const plan = await lockOrganization(tx, viewer.organizationId);
    const current = await getMonitor(tx, viewer, id, { forUpdate: true });
    const frequency = data.frequency ?? current.frequency;
    const schedule =
      data.frequency || data.intervalMinutes != null
        ? // Switching to INTERVAL needs the minutes; an INTERVAL monitor keeps its own when they are left out.
          resolveSchedule(frequency, data.intervalMinutes ?? (current.frequency === 'interval' ? current.intervalMinutes : null))
        : { frequency: current.frequency, intervalMinutes: current.intervalMinutes };
    const sources = data.sources ? [...new Set(data.sources)] : current.sources;
    const feedUrls = data.feedUrls ?? current.feedUrls;
    checkPlan(plan, { intervalMinutes: schedule.intervalMinutes, sources, feedUrls });
    const isScheduleChanged = schedule.intervalMinutes !== current.intervalMinutes;
    const [monitor] = await tx
      .update(monitors)
      .set({
        name: data.name,
        terms: data.terms,
        excludeTerms: data.excludeTerms,
        sources,
        feedUrls,
        frequency: schedule.frequency,
        intervalMinutes: schedule.intervalMinutes,
        // A new interval counts from the last scan (or now), never scheduling into the past.
        nextScanAt: isScheduleChanged
          ? sql`greatest(now(), coalesce(${monitors.lastScanAt}, now()) + make_interval(mins => ${schedule.intervalMinutes}))`
          : undefined,
        updatedAt: sql`now()`,
      })
      .where(eq(monitors.id, current.id))
      .returning();
    return monitor!;
  });
}

export async function setMonitorStatus(db: DbOrTx, viewer: Viewer, id: string, status: MonitorStatus): Promise<MonitorRow> {
  return db.transaction(async (tx) => {
    const [monitor] = await tx
      .update(monitors)
      .set({
        status,
        // Resuming after a long pause scans now rather than replaying missed slots; a monitor
        // resumed before it was due keeps its scheduled scan (pausing buys no extra scan).
        nextScanAt: status === 'active' ? sql`greatest(${monitors.nextScanAt}, now())` : undefined,
        updatedAt: sql`now()`,
      })
      .where(and(eq(monitors.id, id), eq(monitors.organizationId, viewer.organizationId)))
      .returning();
    if (!monitor) throw new NotFoundError('Monitor', id);
    // Queued when due only: the task checks, in the scheduler's own statement.
    if (status === 'active') await queueFirstScan(tx, monitor.id);
    return monitor;
  });
}

/** Hard delete: findings, scans and alerts of the monitor go with it (ON DELETE CASCADE). */
export async function deleteMonitor(db: DbOrTx, viewer: Viewer, id: string): Promise<MonitorRow> {
  const [monitor] = await db
    .delete(monitors)
    .where(and(eq(monitors.id, id), eq(monitors.organizationId, viewer.organizationId)))
    .returning();
  if (!monitor) throw new NotFoundError('Monitor', id);
  return monitor;
}

export async function getMonitor(db: DbOrTx, viewer: Viewer, id: string, options: { forUpdate?: boolean } = {}): Promise<MonitorRow> {
  const query = db
    .select()
    .from(monitors)
    .where(and(eq(monitors.id, id), eq(monitors.organizationId, viewer.organizationId)));
  const [monitor] = options.forUpdate ? await query.for('update') : await query;
  if (!monitor) throw new NotFoundError('Monitor', id);
  return monitor;
}

/** Loads monitors by id for the DataLoader, never across organizations; missing ids are simply absent. */
export function loadMonitors(db: DbOrTx, organizationId: string, ids: readonly string[]): Promise<MonitorRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(monitors)
    .where(and(eq(monitors.organizationId, organizationId), inArray(monitors.id, [...ids])));
}

export type MonitorOrderField = 'name' | 'createdAt' | 'nextScanAt';

export interface MonitorFilter {
  statuses?: MonitorStatus[] | null;
  kinds?: MonitorKind[] | null;
  text?: string | null;
}

const monitorOrderKeys: Record<MonitorOrderField, Ordering['keys']> = {
  name: [
    { column: monitors.name, type: 'text' },
    { column: monitors.id, type: 'uuid' },
  ],
  createdAt: [
    { column: monitors.createdAt, type: 'timestamptz' },
    { column: monitors.id, type: 'uuid' },
  ],
  nextScanAt: [
    { column: monitors.nextScanAt, type: 'timestamptz' },
    { column: monitors.id, type: 'uuid' },
  ],
};

export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function monitorConditions(viewer: Viewer, filter: MonitorFilter): (SQL | undefined)[] {
  const text = filter.text?.trim();
  if (text && text.length > 200) throw ValidationError.single(['filter', 'text'], 'must be at most 200 characters');
  return [
    eq(monitors.organizationId, viewer.organizationId),
    filter.statuses?.length ? inArray(monitors.status, filter.statuses) : undefined,
    filter.kinds?.length ? inArray(monitors.kind, filter.kinds) : undefined,
    text
      ? or(
          ilike(monitors.name, likePattern(text)),
          sql`exists (select 1 from unnest(${monitors.terms}) as t(term) where t.term ilike ${likePattern(text)})`,
        )
      : undefined,
  ];
}

/** How many monitors `listMonitors` pages through with this filter. */
export async function countMonitors(db: DbOrTx, viewer: Viewer, filter: MonitorFilter): Promise<number> {
  const [row] = await db.select({ value: count() }).from(monitors).where(and(...monitorConditions(viewer, filter)));
  return row!.value;
}

export async function listMonitors(
  db: DbOrTx,
  viewer: Viewer,
  filter: MonitorFilter,
  order: { field: MonitorOrderField; direction: 'asc' | 'desc' },
  args: PageArgs,
): Promise<Page<MonitorRow>> {
  const conditions = monitorConditions(viewer, filter);
  const ordering: Ordering = { name: `monitors.${order.field}.${order.direction}`, keys: monitorOrderKeys[order.field], direction: order.direction };
  return paginate(args, ordering, ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ monitor: monitors, cursor })
      .from(monitors)
      .where(and(...conditions, seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.monitor, cursor: row.cursor }))),
  );
}
