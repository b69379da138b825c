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

export const TEMPLATE_DATABASE = 'vigil_test_template';

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
    // Leftovers of an interrupted run would otherwise accumulate.
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like 'vigil_test_%' and not datistemplate`;
    for (const { datname } of stale) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.unsafe(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
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
    await embedded?.stop();
  };
}
