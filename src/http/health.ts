import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/client.ts';
import { migrationsFolder } from '../db/migrate.ts';

export interface Readiness {
  isReady: boolean;
  database: 'ok' | 'unreachable';
  migrations: 'current' | 'pending' | 'unknown';
}

let expectedMigrations: number | undefined;

function countMigrationFiles(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

/** Ready means: the database answers and every migration this build ships has been applied. */
export async function checkReadiness(database: Database): Promise<Readiness> {
  expectedMigrations ??= countMigrationFiles();
  try {
    const [row] = await database.sql<{ applied: number }[]>`
      select count(*)::int as applied from drizzle.__drizzle_migrations`;
    const migrations = row!.applied >= expectedMigrations ? 'current' : 'pending';
    return { isReady: migrations === 'current', database: 'ok', migrations };
  } catch {
    return { isReady: false, database: 'unreachable', migrations: 'unknown' };
  }
}
