import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server where tests may create databases. */
    adminUrl: string;
    /** Migrated once per run; every test file clones it. */
    templateDatabase: string;
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
    embedded = await startEmbeddedPostgres({
      dataDir: path.resolve(config.dataDir, 'test-pgdata'),
      port: config.embeddedPgPort + 1,
    });
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

  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  return async () => {
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      const own = await sql<{ datname: string }[]>`select datname from pg_database where starts_with(datname, ${RUN_PREFIX})`;
      for (const { datname } of own) await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    } finally {
      await sql.end();
    }
    await embedded?.stop();
  };
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
