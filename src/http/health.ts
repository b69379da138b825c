import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Database } from '../db/client.ts';
import { migrationsFolder } from '../db/migrate.ts';
import type { Metrics } from './metrics.ts';

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

interface OpsRoutesDeps {
  database: Database;
  metrics: Metrics;
  readiness?: ReadinessOptions;
}

/**
 * Answers `/health`, `/ready` and `/metrics` — for the API's server and for a worker-only process's
 * own — and returns false for any other path.
 */
export function handleOpsRequest(path: string, res: http.ServerResponse, deps: OpsRoutesDeps): boolean {
  if (path === '/health') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/ready') {
    void checkReadiness(deps.database, deps.readiness).then(
      (report) => sendJson(res, report.isReady ? 200 : 503, report),
      (error: unknown) => sendJson(res, 503, { isReady: false, error: String(error) }),
    );
    return true;
  }
  if (path === '/metrics') {
    void deps.metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': deps.metrics.registry.contentType }).end(text),
      (error: unknown) => sendJson(res, 500, { error: String(error) }),
    );
    return true;
  }
  return false;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
