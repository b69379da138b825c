import postgres from 'postgres';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import type { BenchConfig } from './config.ts';

export interface BenchDatabaseServer {
  /** URL of the migrated benchmark database. */
  url: string;
  /** Where it runs, for the report. */
  description: string;
  /** Drops the benchmark database and builds it again, empty and migrated. */
  recreate(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The server from BENCH_DATABASE_URL, or an embedded PostgreSQL kept under `.vigil/bench-pgdata`
 * so a newcomer can run the benchmark with nothing installed. Either way the benchmark gets a
 * database of its own, `vigil_bench`, created on first use and migrated on every run.
 */
export async function openBenchDatabase(config: BenchConfig, log: (message: string) => void): Promise<BenchDatabaseServer> {
  if (config.databaseUrl) {
    // The URL names the server; its database is only where we connect to create ours.
    const adminUrl = new URL(config.databaseUrl).pathname === `/${config.databaseName}` ? withDatabase(config.databaseUrl, 'postgres') : config.databaseUrl;
    const url = await migratedDatabase(adminUrl, config.databaseName, log);
    return {
      url,
      description: `BENCH_DATABASE_URL (${redact(url)})`,
      recreate: () => recreateDatabase(adminUrl, config.databaseName),
      stop: async () => {},
    };
  }
  log(`no BENCH_DATABASE_URL: starting embedded PostgreSQL on 127.0.0.1:${config.embeddedPgPort} (data in ${config.embeddedDataDir})`);
  const embedded = await startEmbeddedPostgres({ dataDir: config.embeddedDataDir, port: config.embeddedPgPort });
  try {
    const adminUrl = embedded.url('postgres');
    const url = await migratedDatabase(adminUrl, config.databaseName, log);
    return {
      url,
      description: `embedded PostgreSQL (${redact(url)})`,
      recreate: () => recreateDatabase(adminUrl, config.databaseName),
      stop: () => embedded.stop(),
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

/**
 * Creates and migrates the benchmark's database. It holds nothing but generated data, so when it
 * was built from migrations that have since been rewritten (as happens before a first release) it
 * is dropped and built again rather than left for someone to repair by hand.
 */
async function migratedDatabase(adminUrl: string, database: string, log: (message: string) => void): Promise<string> {
  await ensureDatabase(adminUrl, database);
  const url = withDatabase(adminUrl, database);
  try {
    await runMigrations(url);
  } catch (error) {
    log(`migrating ${database} failed (${firstLine(error)}); it only holds benchmark data, so recreating it`);
    await recreateDatabase(adminUrl, database);
  }
  return url;
}

async function recreateDatabase(adminUrl: string, database: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${database.replaceAll('"', '""')}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  await ensureDatabase(adminUrl, database);
  await runMigrations(withDatabase(adminUrl, database));
}

function firstLine(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return String(cause instanceof Error ? cause.message : cause).split('\n')[0]!;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
