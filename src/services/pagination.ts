import { and, asc, getTableColumns, inArray, lte, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/client.ts';
import { ValidationError } from './errors.ts';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Page<T> {
  nodes: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface OrderKey {
  column: SQLWrapper;
  /** PostgreSQL type used to read the cursor value back. */
  type: 'timestamptz' | 'text' | 'int' | 'bigint' | 'uuid';
}

/**
 * A total order over rows: the last key must be unique (the id). Keyset cursors hold the key
 * values themselves, so rows inserted or deleted elsewhere never shift a page.
 */
export interface Ordering {
  name: string;
  keys: OrderKey[];
  direction: 'asc' | 'desc';
}

export interface PageQuery {
  /** Extra condition selecting rows strictly after/before the cursor; undefined for the first page. */
  seek: SQL | undefined;
  orderBy: SQL[];
  limit: number;
  /** Select this as `cursor` next to each row. */
  cursor: SQL<string>;
}

export interface PagePlan {
  isBackward: boolean;
  size: number;
  /** The order the rows are read in: the ordering's, or its reverse when paging backward. */
  direction: 'asc' | 'desc';
  /** The cursor's key values (as text, one per key), or undefined for the first page. */
  bound: string[] | undefined;
  query: PageQuery;
}

/** What a page asks the database for; `toPage` shapes what comes back. */
export function planPage(args: PageArgs, ordering: Ordering): PagePlan {
  const isBackward = args.last != null || (args.before != null && args.first == null);
  const size = pageSize(isBackward ? args.last : args.first, isBackward ? 'last' : 'first');
  const cursorText = isBackward ? args.before : args.after;
  const values = cursorText ? decodeCursor(cursorText, ordering, isBackward ? 'before' : 'after') : undefined;

  // Walking backwards is walking forwards over the reversed order, then flipping the page.
  const direction = isBackward ? flip(ordering.direction) : ordering.direction;
  const columns = sql.join(ordering.keys.map((k) => sql`${k.column}`), sql`, `);
  let seek: SQL | undefined;
  if (values) {
    const bound = sql.join(
      ordering.keys.map((k, i) => sql`cast(${values[i]} as ${sql.raw(k.type === 'int' ? 'integer' : k.type)})`),
      sql`, `,
    );
    seek = direction === 'asc' ? sql`(${columns}) > (${bound})` : sql`(${columns}) < (${bound})`;
  }
  const orderBy = ordering.keys.map((k) => (direction === 'asc' ? sql`${k.column} asc` : sql`${k.column} desc`));
  const cursor = sql<string>`json_build_array(${sql.join(
    ordering.keys.map((k) => sql`${k.column}::text`),
    sql`, `,
  )})::text`;
  return { isBackward, size, direction, bound: values, query: { seek, orderBy, limit: size + 1, cursor } };
}

/** The page from the rows read for `plan` (one more than the page, to know whether more follow). */
export function toPage<T extends { cursor: string }>(args: PageArgs, ordering: Ordering, plan: PagePlan, rows: T[]): Page<Omit<T, 'cursor'>> {
  const page = rows.slice(0, plan.size);
  if (plan.isBackward) page.reverse();
  const nodes = page.map(({ cursor: _cursor, ...rest }) => rest);
  const cursors = page.map((row) => encodeCursor(ordering.name, row.cursor));
  return { nodes, cursors, ...pageEnds(args, plan, rows.length) };
}

/** Whether items follow or precede a page read for `plan` that came back with `rowCount` rows. */
export function pageEnds(args: PageArgs, plan: PagePlan, rowCount: number): Pick<Page<unknown>, 'hasNextPage' | 'hasPreviousPage'> {
  const hasMore = rowCount > plan.size;
  return {
    hasNextPage: plan.isBackward ? args.before != null : hasMore,
    hasPreviousPage: plan.isBackward ? hasMore : args.after != null,
  };
}

/** Runs one keyset page: `fetch` adds the caller's filters and returns rows carrying `cursor`. */
export async function paginate<T extends { cursor: string }>(
  args: PageArgs,
  ordering: Ordering,
  fetch: (query: PageQuery) => Promise<T[]>,
): Promise<Page<Omit<T, 'cursor'>>> {
  const plan = planPage(args, ordering);
  return toPage(args, ordering, plan, await fetch(plan.query));
}

/**
 * The same page (same arguments, so the same cursor bound) of many small lists at once — the
 * notes of every alert on a page, say — in one statement: each row of `table` matching `where` is
 * ranked within its group (`groupColumn`), and the first `limit` of each group are kept.
 */
export async function paginateGroups<T extends PgTable>(
  db: DbOrTx,
  args: PageArgs,
  ordering: Ordering,
  options: { table: T; groupColumn: PgColumn; groupIds: readonly string[]; where: SQL | undefined },
): Promise<Map<string, Page<T['$inferSelect']>>> {
  const { table, groupColumn, groupIds } = options;
  const plan = planPage(args, ordering);
  const byGroup = new Map<string, (T['$inferSelect'] & { cursor: string })[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length > 0) {
    const { seek, orderBy, limit, cursor } = plan.query;
    const ranked = db
      .select({
        ...(getTableColumns(table as PgTable) as Record<string, PgColumn>),
        groupId: sql<string>`${groupColumn}`.as('group_id'),
        cursor: sql<string>`${cursor}`.as('cursor'),
        rank: sql<number>`row_number() over (partition by ${groupColumn} order by ${sql.join(orderBy, sql`, `)})`.as('rank'),
      })
      .from(table as PgTable)
      .where(and(options.where, inArray(groupColumn, [...groupIds]), seek))
      .as('ranked');
    const rows = await db.select().from(ranked).where(lte(ranked.rank, limit)).orderBy(asc(ranked.groupId), asc(ranked.rank));
    for (const { groupId, rank: _rank, ...row } of rows as unknown as (T['$inferSelect'] & { cursor: string; groupId: string; rank: number })[]) {
      byGroup.get(groupId)?.push(row as T['$inferSelect'] & { cursor: string });
    }
  }
  return new Map([...byGroup].map(([groupId, groupRows]) => [groupId, toPage(args, ordering, plan, groupRows) as Page<T['$inferSelect']>]));
}

function flip(direction: 'asc' | 'desc'): 'asc' | 'desc' {
  return direction === 'asc' ? 'desc' : 'asc';
}

function pageSize(value: number | null | undefined, name: 'first' | 'last'): number {
  if (value == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw ValidationError.single([name], `must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return value;
}

export function encodeCursor(orderingName: string, keyValuesJson: string): string {
  return Buffer.from(JSON.stringify([orderingName, JSON.parse(keyValuesJson)])).toString('base64url');
}

const CURSOR_VALUE_SHAPES: Record<OrderKey['type'], (value: string) => boolean> = {
  int: (value) => /^-?\d{1,9}$/.test(value),
  bigint: (value) => /^-?\d{1,18}$/.test(value),
  uuid: (value) => /^[0-9a-f-]{36}$/i.test(value),
  timestamptz: (value) => /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d(:?\d\d)?|Z)$/.test(value),
  text: (value) => value.length <= 1000,
};

function decodeCursor(cursor: string, ordering: Ordering, argName: string): string[] {
  const invalid = () => ValidationError.single([argName], 'is not a cursor from this list and ordering');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded[0] !== ordering.name || !Array.isArray(decoded[1])) throw invalid();
  const values = decoded[1] as unknown[];
  if (values.length !== ordering.keys.length || values.some((v) => typeof v !== 'string')) throw invalid();
  for (const [i, key] of ordering.keys.entries()) {
    if (!CURSOR_VALUE_SHAPES[key.type](values[i] as string)) throw invalid();
  }
  return values as string[];
}
