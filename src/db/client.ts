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
    debug: options.onQuery ? (_connection, query) => options.onQuery!(query) : undefined,
  });
  const db = drizzle(sql, { schema, casing: 'snake_case' });
  return {
    sql,
    db,
    close: () => sql.end({ timeout: 5 }),
  };
}
