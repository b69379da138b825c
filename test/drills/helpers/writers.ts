import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface AlertWriter {
  /** Alerts this writer saw committed. */
  written(): number;
  /** Attempts that failed with an error (the database was away). */
  failures: string[];
  /** Writer processes that ended on their own, and how: the drill restarts them. */
  exits: string[];
  stop(): Promise<void>;
}

/**
 * Keeps `alert-writer.ts` running against `databaseUrl` (restarting it whenever it dies) until
 * stopped: a steady stream of alert-creating commits, as a worker would make them.
 */
export function startAlertWriter(databaseUrl: string, organizationId: string, monitorId: string): AlertWriter {
  let written = 0;
  const failures: string[] = [];
  const exits: string[] = [];
  let isStopped = false;
  let child: ChildProcess | undefined;
  let generation = 0;
  let exited: Promise<void> = Promise.resolve();

  const launch = () => {
    generation += 1;
    const current = spawn(process.execPath, ['test/drills/helpers/alert-writer.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, ORGANIZATION_ID: organizationId, MONITOR_ID: monitorId, WRITER_LABEL: `g${generation}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = current;
    let stderr = '';
    current.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    readline.createInterface({ input: current.stdout! }).on('line', (line) => {
      if (line.startsWith('ok ')) written += 1;
      else if (line.startsWith('fail ')) failures.push(line.slice(5));
    });
    exited = new Promise((resolve) =>
      current.once('exit', (code, signal) => {
        if (!isStopped) {
          exits.push(`exit ${code ?? signal}: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
          setTimeout(() => !isStopped && launch(), 200);
        }
        resolve();
      }),
    );
  };
  launch();

  return {
    written: () => written,
    failures,
    exits,
    async stop() {
      isStopped = true;
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
