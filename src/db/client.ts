import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** A transaction handle; every service accepts either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  sql: postgres.Sql;
  db: Db;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  max?: number;
  /** Called for every statement sent; used by tests that count queries. */
  onQuery?: (query: string) => void;
  applicationName?: string;
}

export function connectDatabase(url: string, options: DatabaseOptions = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'vigil' },
    // postgres.js's default reconnect backoff grows with every failed attempt in the pool up to
    // 20 s, so after a short database restart requests waited up to 17 s more (the PostgreSQL
    // restart drill). Retry fast and cap at 2 s instead; give up a connect after 5 s.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 2),
    connect_timeout: 5,
    debug: options.onQuery ? (_connection, query) => options.onQuery!(query) : undefined,
  });
  const db = drizzle(sql, { schema, casing: 'snake_case' });
  return {
    sql,
    db,
    close: () => sql.end({ timeout: 5 }),
  };
}
