import { getTableColumns, type Column } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import type postgres from 'postgres';
import type { DbOrTx } from '../db/client.ts';
import { alerts, monitors } from '../db/schema/index.ts';
import { SEVERITY_RANK } from '../db/schema/enums.ts';
import { alertOrderings, checkAlertFilter, type AlertFilter, type AlertOrder, type AlertRow } from './alerts.ts';
import { likePattern, type MonitorRow } from './monitors.ts';
import { encodeCursor, pageEnds, planPage, type Page, type PageArgs } from './pagination.ts';
import type { Viewer } from './viewer.ts';

/**
 * The alerts page on the hot path: one prepared statement that reads only the columns the
 * request's selection needs — with each alert's monitor joined in when the selection of the
 * monitor allows — and computes cursors only when asked. Rows come straight from postgres.js, with
 * no ORM mapping but the timestamps'. Same filters, order and keyset cursors as `listAlerts`.
 */

export type AlertKey = keyof AlertRow;
export type MonitorKey = keyof MonitorRow;

/** What a page must read: the alerts' columns, the monitor's (null: not joined), and whether cursors. */
export interface AlertPageColumns {
  alert: readonly AlertKey[];
  monitor: readonly MonitorKey[] | null;
  cursors: boolean;
}

/**
 * A row with only the columns asked for (and `id`); `monitor` is set when the monitor was joined.
 * Resolvers of fields that were not asked for never see it.
 */
export type AlertPageRow = AlertRow & { monitor?: MonitorRow };

interface ColumnRead {
  /** Quoted column name in the database. */
  name: string;
  /** Timestamps come as text through the shared client (drizzle's parsers); they map like drizzle maps them. */
  map: ((value: unknown) => unknown) | undefined;
}

function columnReads<T extends string>(columns: Record<T, Column>): Record<T, ColumnRead> {
  return Object.fromEntries(
    Object.entries<Column>(columns).map(([key, column]) => [
      key,
      {
        name: `"${column.keyAsName ? toSnakeCase(key) : column.name}"`,
        map: column.dataType === 'date' ? (value: unknown) => (value === null || value instanceof Date ? value : column.mapFromDriverValue(value)) : undefined,
      },
    ]),
  ) as Record<T, ColumnRead>;
}

const ALERT_COLUMNS = columnReads(getTableColumns(alerts) as Record<AlertKey, Column>);
const MONITOR_COLUMNS = columnReads(getTableColumns(monitors) as Record<MonitorKey, Column>);

/** Database columns of each ordering's keys (`alertOrderings` has the same keys, in the same order). */
const ORDER_COLUMNS: Record<AlertOrder, string[]> = {
  newest: ['created_at', 'id'],
  oldest: ['created_at', 'id'],
  severity: ['severity_rank', 'created_at', 'id'],
};

/**
 * postgres.js under drizzle: the same pool (and transaction, when the context holds one), so this
 * statement is counted, scoped and rolled back like every other.
 */
function clientOf(db: DbOrTx): postgres.Sql {
  const client = (db as unknown as { session?: { client?: postgres.Sql } }).session?.client;
  if (!client) throw new Error('readAlertPage needs a drizzle database on postgres.js');
  return client;
}

export async function readAlertPage(
  db: DbOrTx,
  viewer: Viewer,
  filter: AlertFilter,
  order: AlertOrder,
  args: PageArgs,
  columns: AlertPageColumns,
): Promise<Page<AlertPageRow>> {
  const text = checkAlertFilter(filter);
  const ordering = alertOrderings[order];
  const plan = planPage(args, ordering);
  const parameters: unknown[] = [viewer.organizationId];
  const parameter = (value: unknown, type: string) => `$${parameters.push(value)}::${type}`;

  // Tenant first, always: every other condition narrows the caller's own alerts.
  const where = ['a.organization_id = $1::uuid'];
  if (filter.monitorIds?.length) where.push(`a.monitor_id = any(${parameter(filter.monitorIds, 'uuid[]')})`);
  if (filter.statuses?.length) where.push(`a.status = any(${parameter(filter.statuses, 'text[]')})`);
  if (filter.minSeverity) where.push(`a.severity_rank >= ${parameter(SEVERITY_RANK[filter.minSeverity], 'smallint')}`);
  if (filter.categories?.length) where.push(`a.category = any(${parameter(filter.categories, 'text[]')})`);
  if (filter.since) where.push(`a.created_at >= ${parameter(filter.since.toISOString(), 'timestamptz')}`);
  if (filter.until) where.push(`a.created_at < ${parameter(filter.until.toISOString(), 'timestamptz')}`);
  if (filter.isSilenced === true) where.push('a.silenced_at is not null');
  if (filter.isSilenced === false) where.push('a.silenced_at is null');
  if (text) {
    const pattern = parameter(likePattern(text), 'text');
    where.push(`(a.title ilike ${pattern} or a.summary ilike ${pattern} or a.url ilike ${pattern})`);
  }
  const keys = ORDER_COLUMNS[order];
  const orderBy = (table: string) => keys.map((key) => `${table}.${key} ${plan.direction}`).join(', ');
  if (plan.bound) {
    const bound = plan.bound.map((value, i) => parameter(value, ordering.keys[i]!.type === 'int' ? 'integer' : ordering.keys[i]!.type));
    where.push(`(${keys.map((key) => `a.${key}`).join(', ')}) ${plan.direction === 'asc' ? '>' : '<'} (${bound.join(', ')})`);
  }
  const limit = parameter(plan.size + 1, 'integer');

  const alertKeys = columns.alert.includes('id') ? columns.alert : ['id' as const, ...columns.alert];
  const monitorKeys = columns.monitor && (columns.monitor.includes('id') ? columns.monitor : ['id' as const, ...columns.monitor]);
  // With the monitor, the page is read first and its monitors joined after: joined inside, the
  // planner may scan monitors first and search the alerts once per monitor.
  const table = monitorKeys ? 'p' : 'a';
  const select = alertKeys.map((key) => `${table}.${ALERT_COLUMNS[key].name} as "${key}"`);
  if (columns.cursors) select.push(`json_build_array(${keys.map((key) => `${table}.${key}::text`).join(', ')})::text as "cursor"`);
  if (monitorKeys) select.push(...monitorKeys.map((key) => `m.${MONITOR_COLUMNS[key].name} as "monitor.${key}"`));
  const page = `from alerts a where ${where.join(' and ')} order by ${orderBy('a')} limit ${limit}`;
  const statement = monitorKeys
    ? // The monitor is the alert's own (the foreign key includes the organization), so it always exists.
      `select ${select.join(', ')} from (select a.* ${page}) p` +
      ` join monitors m on m.organization_id = p.organization_id and m.id = p.monitor_id order by ${orderBy('p')}`
    : `select ${select.join(', ')} ${page}`;

  const rows = (await clientOf(db).unsafe(statement, parameters as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as Record<string, unknown>[];
  const pageRows = rows.length > plan.size ? rows.slice(0, plan.size) : rows;
  if (plan.isBackward) pageRows.reverse();
  const alertMaps = alertKeys.filter((key) => ALERT_COLUMNS[key].map);
  const monitorMaps = monitorKeys?.filter((key) => MONITOR_COLUMNS[key].map) ?? [];
  for (const row of pageRows) {
    for (const key of alertMaps) row[key] = ALERT_COLUMNS[key].map!(row[key]);
    if (monitorKeys) {
      const monitor: Record<string, unknown> = {};
      for (const key of monitorKeys) monitor[key] = row[`monitor.${key}`];
      for (const key of monitorMaps) monitor[key] = MONITOR_COLUMNS[key].map!(monitor[key]);
      row.monitor = monitor;
    }
  }
  return {
    nodes: pageRows as unknown as AlertPageRow[],
    cursors: columns.cursors ? pageRows.map((row) => encodeCursor(ordering.name, row.cursor as string)) : [],
    ...pageEnds(args, plan, rows.length),
  };
}
