import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type postgres from 'postgres';
import { inject } from 'vitest';
import { createLogger, type Logger } from '../../src/lib/logger.ts';

/** The password every test account signs up with: it must never show up in a log either. */
export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * Every test server's log is captured in one folder for the whole run, at debug level whatever
 * TEST_LOG_LEVEL says, and the run fails at the end if any of it holds a password hash or an API
 * key hash (see `findSecretsInLogs`, called by the global setup's teardown). With TEST_LOG_LEVEL set,
 * the lines at that level also go to stdout as before.
 */
export function testLogger(): Logger {
  const directory = inject('logCaptureDir');
  mkdirSync(directory, { recursive: true });
  const streams: pino.StreamEntry[] = [{ level: 'debug', stream: pino.destination({ dest: path.join(directory, `vigil-${process.pid}.log`), sync: true, append: true }) }];
  const consoleLevel = process.env.TEST_LOG_LEVEL;
  if (consoleLevel && consoleLevel !== 'silent') streams.push({ level: consoleLevel as pino.Level, stream: process.stdout });
  return createLogger('debug', {}, pino.multistream(streams));
}

/** Records the secrets a test database holds, so the final scan knows what must not be in any log. */
export async function recordSecretsOf(sql: postgres.Sql): Promise<void> {
  const rows = await sql<{ secret: string }[]>`
    select password_hash as secret from users
    union all select secret_hash from api_keys`;
  if (rows.length === 0) return;
  appendFileSync(path.join(inject('logCaptureDir'), `secrets-${process.pid}.txt`), rows.map((row) => `${row.secret}\n`).join(''));
}

/** Lines of the captured logs that hold `$argon2`, any recorded hash, or the test password. */
export function findSecretsInLogs(directory: string): string[] {
  let files: string[];
  try {
    files = readdirSync(directory);
  } catch {
    return [];
  }
  const secrets = new Set<string>();
  for (const file of files.filter((name) => name.startsWith('secrets-'))) {
    for (const line of readFileSync(path.join(directory, file), 'utf8').split('\n')) if (line) secrets.add(line);
  }
  const found: string[] = [];
  for (const file of files.filter((name) => name.endsWith('.log'))) {
    for (const line of readFileSync(path.join(directory, file), 'utf8').split('\n')) {
      const hashes = line.match(/[0-9a-f]{64}/g) ?? [];
      if (line.includes('$argon2') || line.includes(TEST_PASSWORD) || hashes.some((hash) => secrets.has(hash))) found.push(`${file}: ${line.slice(0, 300)}`);
    }
  }
  return found;
}
