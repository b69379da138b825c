import path from 'node:path';
import postgres from 'postgres';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { repoRoot } from './config.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface BenchServer {
  /** The server's maintenance database; swap the path for another database. */
  adminUrl: string;
  /** `server_version`, for the report. */
  version: string;
  /** A database of this name on the server, migrated; dropped first when `isFresh`. */
  database(name: string, options?: { isFresh?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The server in BENCH_DATABASE_URL (only ever on this machine), or an embedded PostgreSQL kept in
 * `.vigil/bench-pgdata` on BENCH_EMBEDDED_PG_PORT (54331), so a benchmark runs with nothing installed.
 */
export async function openBenchServer(env: Record<string, string | undefined> = process.env): Promise<BenchServer> {
  let adminUrl: string;
  let stop = async () => {};
  if (env.BENCH_DATABASE_URL) {
    if (!LOOPBACK_HOSTS.has(new URL(env.BENCH_DATABASE_URL).hostname)) throw new Error('BENCH_DATABASE_URL must point at 127.0.0.1');
    adminUrl = env.BENCH_DATABASE_URL;
  } else {
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(repoRoot, '.vigil/bench-pgdata'), port: Number(env.BENCH_EMBEDDED_PG_PORT ?? 54_331) });
    adminUrl = embedded.url('postgres');
    stop = () => embedded.stop();
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const [row] = await admin<{ version: string }[]>`select current_setting('server_version') as version`;
  await admin.end();
  return {
    adminUrl,
    version: row!.version,
    async database(name, options = {}) {
      if (options.isFresh) {
        const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
        // A pool the previous measure stopped may still be closing its connections (graphile-worker
        // ends its pool after its runner's promise settles): a forced drop would kill them and crash
        // the process on an unhandled client error. Give them a few seconds to go.
        for (let waited = 0; waited < 5_000; waited += 100) {
          const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${name}`;
          if (row!.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await sql.unsafe(`drop database if exists "${name}" with (force)`);
        await sql.end();
      }
      await ensureDatabase(adminUrl, name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      await runMigrations(url.toString());
      return url.toString();
    },
    stop,
  };
}
