import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { ensureConsoleBuilt } from '../../scripts/console-build.ts';
import { findSecretsInLogs } from './log-capture.ts';
import { freeLoopbackPort } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server where tests may create databases. */
    adminUrl: string;
    /** Migrated once per run; every test file clones it. */
    templateDatabase: string;
    /** Where every test server writes its log for the run (see log-capture.ts). */
    logCaptureDir: string;
  }
}

/** Database names carry the creating process id, so concurrent runs on one server never collide. */
const RUN_PREFIX = `vigil_test_${process.pid}_`;
const TEMPLATE_DATABASE = `${RUN_PREFIX}template`;

/**
 * Uses TEST_DATABASE_URL when given, otherwise an embedded PostgreSQL whose data folder is kept
 * between runs. Either way the template database is rebuilt from the migrations on every run.
 */
export default async function setup(project: TestProject) {
  const config = loadConfig();
  let embedded: EmbeddedServer | undefined;
  let adminUrl = config.testDatabaseUrl;
  if (!adminUrl) {
    embedded = await startTestPostgres(path.resolve(config.dataDir, 'test-pgdata'));
    adminUrl = embedded.url('postgres');
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await dropDatabasesOfDeadRuns(admin);
    await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  await runMigrations(templateUrl.toString());
  // As `npm start` does: the browser tests (test/console) drive the console as it is now. Here, once,
  // rather than in test files that run in parallel and would build into the same folder.
  await ensureConsoleBuilt({ log: () => {} });

  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  const logCaptureDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-test-logs-'));
  project.provide('logCaptureDir', logCaptureDir);
  return async () => {
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      const own = await sql<{ datname: string }[]>`select datname from pg_database where starts_with(datname, ${RUN_PREFIX})`;
      for (const { datname } of own) await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    } finally {
      await sql.end();
    }
    await embedded?.stop();
    // Last: whatever any test made the servers log, no password or API-key hash is in it.
    const leaks = findSecretsInLogs(logCaptureDir);
    if (leaks.length > 0) throw new Error(`The test servers logged secrets (logs kept in ${logCaptureDir}):\n${leaks.slice(0, 20).join('\n')}`);
    rmSync(logCaptureDir, { recursive: true, force: true });
  };
}

/**
 * The embedded test server, on a port the OS says is free (a fixed one collides with another
 * checkout's test run, or anything else that happens to hold it), tried three times: a port can
 * still be taken between the probe and PostgreSQL's bind.
 */
async function startTestPostgres(dataDir: string): Promise<EmbeddedServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startEmbeddedPostgres({ dataDir, port: await freeLoopbackPort() });
    } catch (error) {
      if (attempt >= 3) throw error;
      console.warn(`embedded PostgreSQL for the tests did not start (attempt ${attempt} of 3), trying another port:\n${(error as Error).message}`);
    }
  }
}

/** Databases left behind by runs that were killed (their process is gone) would otherwise pile up. */
async function dropDatabasesOfDeadRuns(admin: postgres.Sql): Promise<void> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'vigil\_test\_%'`;
  for (const { datname } of rows) {
    const pid = Number(/^vigil_test_(\d+)_/.exec(datname)?.[1]);
    if (Number.isInteger(pid) && !isAlive(pid)) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
