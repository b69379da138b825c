import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';

const silentWorkerLogger = new Logger(() => () => {});

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');
/** Database functions and triggers: one current definition each, re-applied after the migrations. */
export const functionsFolder = path.join(migrationsFolder, 'functions');

/** Arbitrary, fixed: every Vigil process that migrates takes the same advisory lock. */
const MIGRATION_LOCK_KEY = 7_215_001;

/** drizzle-kit's bookkeeping, which `drizzle-kit migrate` reads and writes the same way. */
const MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations';
/** What the function files produced when last applied. */
const FUNCTIONS_TABLE = 'drizzle.vigil_functions';

export interface MigrationOptions {
  /** Another migrations folder (tests rebuild an earlier release's schema). */
  migrationsFolder?: string;
}

/**
 * Applies pending migrations, then the function files, in one transaction: a process still running
 * the previous release never writes between a migration and the triggers that go with it. Several
 * API and worker processes may start at once, so the run is serialized with a session advisory
 * lock on a dedicated connection.
 */
export async function runMigrations(url: string, options: MigrationOptions = {}): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await sql.begin(async (tx) => {
      const applied = await applyPendingMigrations(tx, options.migrationsFolder ?? migrationsFolder);
      await applyFunctions(tx, { isForced: applied > 0 });
    });
    // graphile-worker's own schema: the API enqueues jobs (graphile_worker.add_job) in its transactions.
    await runWorkerMigrations({ connectionString: url, logger: silentWorkerLogger });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * drizzle's own rule (drizzle-orm's `migrate`): every migration newer than the newest one recorded
 * runs, and is recorded with its hash. Done here so that it shares the transaction with the
 * function files. Returns how many ran.
 */
async function applyPendingMigrations(tx: postgres.TransactionSql, folder: string): Promise<number> {
  await tx`create schema if not exists drizzle`;
  await tx.unsafe(`create table if not exists ${MIGRATIONS_TABLE} (id serial primary key, hash text not null, created_at bigint)`);
  const [last] = await tx.unsafe<{ created_at: string }[]>(`select created_at from ${MIGRATIONS_TABLE} order by created_at desc limit 1`);
  const pending = readMigrationFiles({ migrationsFolder: folder }).filter((m) => !last || Number(last.created_at) < m.folderMillis);
  for (const migration of pending) {
    for (const statement of migration.sql) await tx.unsafe(statement);
    await tx.unsafe(`insert into ${MIGRATIONS_TABLE} (hash, created_at) values ($1, $2)`, [migration.hash, migration.folderMillis]);
  }
  return pending.length;
}

export interface FunctionFile {
  name: string;
  sql: string;
}

/** The function files in the order they are applied (by name: `NN_topic.sql`). */
export function readFunctionFiles(folder = functionsFolder): FunctionFile[] {
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(folder, name), 'utf8') }));
}

/**
 * Re-applies the function files when they changed, when a migration ran (it may have dropped or
 * altered what they define), or when the functions and triggers in the database are no longer
 * what the files produced last time (changed by hand). Otherwise nothing is re-created: replacing
 * a trigger locks its table against every reader until the transaction ends, which a starting
 * replica should not do to a busy database. Returns whether it applied them.
 */
async function applyFunctions(tx: postgres.TransactionSql, options: { isForced: boolean }): Promise<boolean> {
  const files = readFunctionFiles();
  const checksum = createHash('sha256')
    .update(files.map((file) => `${file.name}\n${file.sql}`).join('\n'))
    .digest('hex');
  await tx.unsafe(`create table if not exists ${FUNCTIONS_TABLE} (
    id integer primary key default 1 check (id = 1),
    checksum text not null,
    catalog_checksum text not null,
    applied_at timestamptz not null default now())`);
  const [state] = await tx.unsafe<{ checksum: string; catalog_checksum: string }[]>(`select checksum, catalog_checksum from ${FUNCTIONS_TABLE}`);
  if (!options.isForced && state?.checksum === checksum && state.catalog_checksum === (await catalogChecksum(tx))) return false;
  for (const file of files) {
    try {
      await tx.unsafe(file.sql);
    } catch (error) {
      throw new Error(`applying drizzle/functions/${file.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  await tx.unsafe(
    `insert into ${FUNCTIONS_TABLE} (checksum, catalog_checksum) values ($1, $2)
     on conflict (id) do update set checksum = excluded.checksum, catalog_checksum = excluded.catalog_checksum, applied_at = now()`,
    [checksum, await catalogChecksum(tx)],
  );
  return true;
}

/** The definitions of every function and trigger in the public schema that no extension owns. */
export async function catalogDefinitions(sql: postgres.Sql | postgres.TransactionSql): Promise<{ kind: 'function' | 'trigger'; name: string; definition: string }[]> {
  return sql.unsafe(`
    select 'function' as kind, p.oid::regprocedure::text as name, pg_get_functiondef(p.oid) as definition
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.prokind in ('f', 'p')
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    union all
    select 'trigger', t.tgname || ' on ' || c.relname, pg_get_triggerdef(t.oid)
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and not t.tgisinternal
    order by 1, 2`);
}

async function catalogChecksum(tx: postgres.TransactionSql): Promise<string> {
  const definitions = await catalogDefinitions(tx);
  return createHash('sha256')
    .update(definitions.map((d) => d.definition).join('\n'))
    .digest('hex');
}
