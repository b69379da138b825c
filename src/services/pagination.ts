import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
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
  type: 'timestamptz' | 'text' | 'int' | 'uuid';
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

/** Runs one keyset page: `fetch` adds the caller's filters and returns rows carrying `cursor`. */
export async function paginate<T extends { cursor: string }>(
  args: PageArgs,
  ordering: Ordering,
  fetch: (query: PageQuery) => Promise<T[]>,
): Promise<Page<Omit<T, 'cursor'>>> {
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

  const rows = await fetch({ seek, orderBy, limit: size + 1, cursor });
  const hasMore = rows.length > size;
  const page = rows.slice(0, size);
  if (isBackward) page.reverse();
  const nodes = page.map(({ cursor: _cursor, ...rest }) => rest);
  const cursors = page.map((row) => encodeCursor(ordering.name, row.cursor));
  return {
    nodes,
    cursors,
    hasNextPage: isBackward ? args.before != null : hasMore,
    hasPreviousPage: isBackward ? hasMore : args.after != null,
  };
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

function encodeCursor(orderingName: string, keyValuesJson: string): string {
  return Buffer.from(JSON.stringify([orderingName, JSON.parse(keyValuesJson)])).toString('base64url');
}

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
    const value = values[i] as string;
    const ok =
      key.type === 'int'
        ? /^-?\d{1,9}$/.test(value)
        : key.type === 'uuid'
          ? /^[0-9a-f-]{36}$/i.test(value)
          : key.type === 'timestamptz'
            ? /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d(:?\d\d)?|Z)$/.test(value)
            : value.length <= 1000;
    if (!ok) throw invalid();
  }
  return values as string[];
}
