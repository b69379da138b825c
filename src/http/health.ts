import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/client.ts';
import { migrationsFolder } from '../db/migrate.ts';

export interface Readiness {
  isReady: boolean;
  database: 'ok' | 'unreachable';
  migrations: 'current' | 'pending' | 'unknown';
  /**
   * `ok`: some worker has beaten recently; `stale`: workers are known but none has beaten within
   * the limit; `none`: no worker is running; `not-checked`: readiness leaves workers out.
   */
  worker: 'ok' | 'stale' | 'none' | 'not-checked';
}

export interface ReadinessOptions {
  /** Not ready when no worker has beaten for this long; 0 leaves workers out. */
  workerMaxAgeSeconds: number;
}

let expectedMigrations: number | undefined;

function countMigrationFiles(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

/**
 * Ready means: the database answers, every migration this build ships has been applied, and (when
 * asked) some worker is alive — an API whose scans would never run is not serving.
 */
export async function checkReadiness(database: Database, options?: ReadinessOptions): Promise<Readiness> {
  // A load balancer asks often and wants an answer now: a database that takes this long is down.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve(UNREACHABLE), READINESS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe(database, options), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const READINESS_TIMEOUT_MS = 2_000;
const UNREACHABLE: Readiness = { isReady: false, database: 'unreachable', migrations: 'unknown', worker: 'not-checked' };

async function probe(database: Database, options?: ReadinessOptions): Promise<Readiness> {
  expectedMigrations ??= countMigrationFiles();
  const maxAge = options?.workerMaxAgeSeconds ?? 0;
  try {
    const [row] = await database.sql<{ applied: number }[]>`
      select count(*)::int as applied from drizzle.__drizzle_migrations`;
    const migrations = row!.applied >= expectedMigrations ? 'current' : 'pending';
    const worker = maxAge > 0 && migrations === 'current' ? await checkWorkers(database, maxAge) : 'not-checked';
    return { isReady: migrations === 'current' && (worker === 'ok' || worker === 'not-checked'), database: 'ok', migrations, worker };
  } catch {
    return UNREACHABLE;
  }
}

/** Ages are measured by the database's clock, the one heartbeats are written with. */
async function checkWorkers(database: Database, maxAgeSeconds: number): Promise<Readiness['worker']> {
  const [row] = await database.sql<{ known: number; recent: number }[]>`
    select count(*)::int as known,
      count(*) filter (where last_seen_at >= now() - make_interval(secs => ${maxAgeSeconds}))::int as recent
    from worker_heartbeats`;
  if (row!.recent > 0) return 'ok';
  return row!.known > 0 ? 'stale' : 'none';
}
