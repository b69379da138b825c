import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';

const silentWorkerLogger = new Logger(() => () => {});

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Arbitrary, fixed: every Vigil process that migrates takes the same advisory lock. */
const MIGRATION_LOCK_KEY = 7_215_001;

/**
 * Applies pending migrations. Several API and worker processes may start at once, so the run is
 * serialized with a session advisory lock on a dedicated connection.
 */
export async function runMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(drizzle(sql), { migrationsFolder });
    // graphile-worker's own schema: the API enqueues jobs (graphile_worker.add_job) in its transactions.
    await runWorkerMigrations({ connectionString: url, logger: silentWorkerLogger });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
