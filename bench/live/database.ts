import postgres from 'postgres';
import { generateApiKey } from '../../src/auth/tokens.ts';
import { benchOwner } from '../lib/seed.ts';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import type { LiveBenchConfig } from './config.ts';
import { nowUs } from './protocol.ts';

export interface DatabaseServer {
  /** URL of a maintenance database on the server, to create the benchmark's own from. */
  adminUrl: string;
  description: string;
  version: string;
  stop(): Promise<void>;
}

/** The server from BENCH_DATABASE_URL, or an embedded PostgreSQL kept under `.vigil/bench-live-pgdata`. */
export async function openDatabaseServer(config: LiveBenchConfig, log: (message: string) => void): Promise<DatabaseServer> {
  let adminUrl: string;
  let stop = async () => {};
  let description: string;
  if (config.databaseUrl) {
    adminUrl = config.databaseUrl;
    description = `BENCH_DATABASE_URL (${redact(adminUrl)})`;
  } else {
    log(`no BENCH_DATABASE_URL: starting embedded PostgreSQL on 127.0.0.1:${config.embeddedPgPort} (data in ${config.embeddedDataDir})`);
    const embedded = await startEmbeddedPostgres({ dataDir: config.embeddedDataDir, port: config.embeddedPgPort });
    adminUrl = embedded.url('postgres');
    stop = () => embedded.stop();
    description = 'embedded PostgreSQL';
  }
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    return { adminUrl, description, version: row!.server_version, stop };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Drops the benchmark database and creates it again, migrated: every measurement starts from the same state. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  await dropDatabase(adminUrl, name);
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return url.toString();
}

/** Drops the database if it exists, forcing out any connection left. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export interface Tenant {
  organizationId: string;
  monitorId: string;
  /** A real `vgl_…` key of the organization; every subscriber authenticates with it. */
  apiKey: string;
}

/** One organization with one monitor and an API key, written in SQL. */
export async function seedTenant(url: string): Promise<Tenant> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const { key, prefix, hash } = generateApiKey();
    return await sql.begin(async (tx) => {
      const [organization] = await tx<{ id: string }[]>`insert into organizations (name, plan, allows_demo_source) values ('Vigil live bench', 'business', true) returning id`;
      const organizationId = organization!.id;
      const [monitor] = await tx<{ id: string }[]>`
        insert into monitors (organization_id, name, kind, terms, sources, frequency, interval_minutes)
        values (${organizationId}, 'Live bench monitor', 'brand', array['acme'], array['demo'], 'daily', 1440)
        returning id`;
      // A key acts for the member who created it (and stops working without one).
      const creatorId = await benchOwner(tx, organizationId);
      await tx`
        insert into api_keys (organization_id, created_by_user_id, name, prefix, secret_hash, role)
        values (${organizationId}, ${creatorId}, 'live bench', ${prefix}, ${hash}, 'viewer')`;
      return { organizationId, monitorId: monitor!.id, apiKey: key };
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface Commit {
  /** When COMMIT was sent (µs, CLOCK_MONOTONIC). */
  sentUs: number;
  /** When the database acknowledged it: the moment the writer knows the alert exists. */
  ackUs: number;
}

export interface AlertWriter {
  /** Inserts one alert in a transaction of its own and commits it. */
  commit(title: string): Promise<Commit>;
  end(): Promise<void>;
}

/**
 * Writes alerts the way any other process would, through the `postgres` driver on one connection
 * of its own: BEGIN, INSERT, COMMIT. The alert triggers number it and NOTIFY at commit.
 */
export async function openAlertWriter(url: string, tenant: Tenant): Promise<AlertWriter> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const connection = await sql.reserve();
  let counter = 0;
  return {
    async commit(title) {
      counter += 1;
      await connection`begin`;
      await connection`
        insert into alerts (organization_id, monitor_id, fingerprint, title, summary, url, source, category, severity, confidence)
        values (${tenant.organizationId}, ${tenant.monitorId}, ${`live-bench-${counter}-${title}`}, ${title},
                'A look-alike domain copies the sign-in page', 'https://acme-login.example/', 'demo', 'phishing', 'high', 0.9)`;
      const sentUs = nowUs();
      await connection`commit`;
      return { sentUs, ackUs: nowUs() };
    },
    async end() {
      connection.release();
      await sql.end({ timeout: 5 });
    },
  };
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
