import type postgres from 'postgres';
import { generateApiKey } from '../../src/auth/tokens.ts';
import type { BenchConfig } from './config.ts';

export interface BenchDataset {
  organizationId: string;
  /** A real `vgl_…` key of the organization, created for this run. */
  apiKey: string;
  alertCount: number;
  monitorCount: number;
  noiseAlertCount: number;
  noiseMonitorCount: number;
  /** False when an earlier run's data was reused. */
  isFreshlySeeded: boolean;
  seedSeconds: number;
}

const ORGANIZATION_NAME = 'Vigil bench';
/** A second organization whose alerts are interleaved in time with the first's: the page must filter them out. */
const NOISE_ORGANIZATION_NAME = 'Vigil bench noise';
const API_KEY_NAME = 'bench';

/**
 * The organization of an earlier run's dataset, when it can be reused: the requested sizes,
 * written under the current migrations (triggers added since, such as sequence numbers and
 * rollups, would not have run on older rows).
 */
export async function findSeededDataset(sql: postgres.Sql, config: BenchConfig): Promise<string | undefined> {
  const [table] = await sql<{ present: boolean }[]>`select to_regclass('bench_dataset') is not null as present`;
  if (!table!.present) return undefined;
  const [row] = await sql<{ organization_id: string; migration: string; alerts: number; noise_alerts: number; counted: number; noise_counted: number }[]>`
    select d.organization_id, d.migration, d.alerts, d.noise_alerts,
           (select count(*)::int from alerts a where a.organization_id = d.organization_id) as counted,
           (select count(*)::int from alerts a join organizations o on o.id = a.organization_id where o.name = ${NOISE_ORGANIZATION_NAME}) as noise_counted
    from bench_dataset d`;
  const isReusable =
    row !== undefined &&
    row.migration === (await latestMigration(sql)) &&
    row.alerts === config.alertCount &&
    row.counted === config.alertCount &&
    row.noise_alerts === config.noiseAlertCount &&
    row.noise_counted === config.noiseAlertCount;
  return isReusable ? row.organization_id : undefined;
}

/**
 * Seeds the benchmark organizations into a freshly migrated database. Rows are generated in SQL
 * (`generate_series`) and go through the schema's own triggers, like alerts the scanner writes.
 */
export async function seedDataset(sql: postgres.Sql, config: BenchConfig): Promise<string> {
  const migration = await latestMigration(sql);
  const organizationId = await sql.begin(async (tx) => {
    const primary = await insertOrganization(tx, ORGANIZATION_NAME, config.monitorCount, config.alertCount, 30, 0);
    // 5 × the spacing with an offset: noise alerts fall between the primary ones across the same weeks.
    await insertOrganization(tx, NOISE_ORGANIZATION_NAME, config.noiseMonitorCount, config.noiseAlertCount, 150, 15);
    await tx`
      create table bench_dataset (
        organization_id uuid primary key,
        alerts integer not null,
        noise_alerts integer not null,
        migration text not null,
        seeded_at timestamptz not null default now()
      )`;
    await tx`
      insert into bench_dataset (organization_id, alerts, noise_alerts, migration)
      values (${primary}, ${config.alertCount}, ${config.noiseAlertCount}, ${migration})`;
    return primary;
  });
  // Fresh statistics and hint bits, so the first measured reads neither replan nor write.
  await sql`vacuum (analyze)`;
  return organizationId;
}

/** The newest applied drizzle migration. */
async function latestMigration(sql: postgres.Sql): Promise<string> {
  const [row] = await sql<{ hash: string }[]>`select hash from drizzle.__drizzle_migrations order by created_at desc, id desc limit 1`;
  return row?.hash ?? 'none';
}

/** An organization with `monitorCount` monitors and `alertCount` alerts (see insertAlerts). */
async function insertOrganization(
  tx: postgres.TransactionSql,
  name: string,
  monitorCount: number,
  alertCount: number,
  spacingSeconds: number,
  offsetSeconds: number,
): Promise<string> {
  const [organization] = await tx<{ id: string }[]>`insert into organizations (name, plan, allows_demo_source) values (${name}, 'business', true) returning id`;
  const organizationId = organization!.id;
  await insertMonitors(tx, organizationId, monitorCount, 'Bench monitor');
  await insertAlerts(tx, organizationId, { alertCount, spacingSeconds, offsetSeconds, fingerprintPrefix: 'bench-' });
  return organizationId;
}

/** Monitors `<namePrefix> 01`, `<namePrefix> 02`, … of the organization, in SQL; their ids in that order. */
export async function insertMonitors(tx: postgres.TransactionSql, organizationId: string, monitorCount: number, namePrefix: string): Promise<string[]> {
  const monitors = await tx<{ id: string }[]>`
    insert into monitors (organization_id, name, kind, terms, sources, frequency, interval_minutes)
    select ${organizationId}, format(${`${namePrefix} %s`}, lpad(g::text, 2, '0')),
           (array['brand', 'domain', 'person', 'product', 'keyword'])[1 + g % 5],
           array[format('acme-%s', g)], array['demo', 'hackernews'], 'daily', 1440
    from generate_series(1, ${monitorCount}::int) as g
    returning id`;
  return monitors.map((m) => m.id);
}

/**
 * A history of alerts in the organization, generated in SQL: alert `g` (1 = newest) was created
 * `g × spacing + offset` seconds ago, on monitor `g mod monitorCount` (by name), with fingerprint
 * `<fingerprintPrefix><g>`; severities, statuses, sources and categories cycle through theirs.
 */
export async function insertAlerts(
  tx: postgres.TransactionSql,
  organizationId: string,
  options: { alertCount: number; spacingSeconds: number; offsetSeconds: number; fingerprintPrefix: string },
): Promise<void> {
  await tx`
    with monitor_ids as (
      select array_agg(id order by name) as ids from monitors where organization_id = ${organizationId}
    )
    insert into alerts (organization_id, monitor_id, fingerprint, title, summary, url, source, category, severity,
                        confidence, status, occurrences, first_seen_at, last_seen_at, created_at, updated_at)
    select ${organizationId},
           m.ids[1 + g % cardinality(m.ids)],
           ${options.fingerprintPrefix} || g::text,
           format('Look-alike domain acme-%s.example imitates the sign-in page', g),
           repeat('A newly registered domain copies the brand sign-in form and logo. ', 3),
           format('https://acme-%s.example/login', g),
           (array['google', 'rss', 'hackernews', 'certstream', 'demo'])[1 + g % 5],
           (array['phishing', 'impersonation', 'data_leak', 'fraud', 'negative_press', 'trademark', 'other'])[1 + g % 7],
           case when g % 10 < 4 then 'low' when g % 10 < 7 then 'medium' when g % 10 < 9 then 'high' else 'critical' end,
           0.5 + (g % 50) / 100.0,
           case when g % 20 < 12 then 'new' when g % 20 < 16 then 'acknowledged' when g % 20 < 19 then 'resolved' else 'false_positive' end,
           1 + g % 3,
           t.at, t.at, t.at, t.at
    from monitor_ids m,
         generate_series(1, ${options.alertCount}::int) as g,
         lateral (select now() - make_interval(secs => g * ${options.spacingSeconds}::int + ${options.offsetSeconds}::int) as at) as t`;
}

/** The organization's bench owner (a user who cannot log in), made on first use. */
export async function benchOwner(tx: postgres.TransactionSql, organizationId: string): Promise<string> {
  const [user] = await tx<{ id: string }[]>`
    insert into users (email, name, password_hash) values (${`bench-owner-${organizationId}@bench.example`}, 'Bench owner', 'not a password hash')
    on conflict (email) do update set name = excluded.name returning id`;
  await tx`insert into memberships (organization_id, user_id, role) values (${organizationId}, ${user!.id}, 'owner') on conflict do nothing`;
  return user!.id;
}

/** Replaces the previous run's key: the secret is only known when it is created. */
export async function createApiKey(sql: postgres.Sql, organizationId: string): Promise<string> {
  const { key, prefix, hash } = generateApiKey();
  await sql.begin(async (tx) => {
    await tx`delete from api_keys where organization_id = ${organizationId} and name = ${API_KEY_NAME}`;
    // A key acts for the member who created it (and stops working without one): a bench owner.
    const creatorId = await benchOwner(tx, organizationId);
    await tx`
      insert into api_keys (organization_id, created_by_user_id, name, prefix, secret_hash, role)
      values (${organizationId}, ${creatorId}, ${API_KEY_NAME}, ${prefix}, ${hash}, 'viewer')`;
  });
  return key;
}
