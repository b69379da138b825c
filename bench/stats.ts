/**
 * Statistics over a million alerts: alertStats (served from the hourly rollups) against the same
 * figures computed straight from the alerts table, in the same run.
 *
 *   npm run bench:stats                                    # embedded PostgreSQL
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/postgres npm run bench:stats
 *
 * Talks only to 127.0.0.1; bounded by BENCH_STATS_ALERTS and BENCH_STATS_RUNS; exits by itself.
 */
import os from 'node:os';
import postgres from 'postgres';
import { connectDatabase } from '../src/db/client.ts';
import { alertStats, type Bucket } from '../src/services/stats.ts';
import { openBenchServer, type BenchServer } from './lib/server.ts';

const env = process.env;
const ALERTS = Number(env.BENCH_STATS_ALERTS ?? 1_000_000);
const RUNS = Number(env.BENCH_STATS_RUNS ?? 30);
const DATABASE = 'vigil_bench_stats';
const DAYS = 90;

function log(message: string): void {
  process.stderr.write(`[bench:stats] ${message}\n`);
}

/** Seeds once per size: a million rows take a while, and the figures do not depend on a fresh copy. */
async function seeded(server: BenchServer): Promise<{ url: string; organizationId: string; monitorIds: string[] }> {
  const url = await server.database(DATABASE);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await sql<{ n: number }[]>`select count(*)::int as n from alerts`;
    if (existing!.n !== ALERTS) {
      log(`seeding ${ALERTS} alerts over ${DAYS} days (triggers off for the bulk load, rollups rebuilt after)`);
      await sql`truncate organizations cascade`;
      await sql.begin(async (tx) => {
        await tx`alter table alerts disable trigger user`;
        await tx`truncate alert_rollup_severity, alert_rollup_category, alert_rollup_status`;
        const [org] = await tx`insert into organizations (name, plan, allows_demo_source) values ('Stats bench', 'business', true) returning id`;
        const [noise] = await tx`insert into organizations (name, plan, allows_demo_source) values ('Noise', 'business', true) returning id`;
        for (const o of [org!, noise!]) {
          await tx`insert into monitors (organization_id, name, kind, terms, sources, frequency, interval_minutes)
            select ${o.id}, 'Monitor ' || g, 'brand', array['brand' || g], array['demo'], 'hourly', 60 from generate_series(1, 20) g`;
        }
        // 95% for the measured organization, 5% for another one that must be filtered out.
        await tx`
          insert into alerts (organization_id, monitor_id, fingerprint, title, category, severity, confidence, status,
                              created_at, first_seen_at, last_seen_at, acknowledged_at, resolved_at)
          select m.organization_id, m.id, 'fp-' || g, 'Alert ' || g,
                 (array['phishing','impersonation','data_leak','fraud','negative_press','trademark','other'])[1 + g % 7],
                 (array['low','medium','high','critical'])[1 + (g / 7) % 4], 0.8,
                 (array['new','acknowledged','resolved','false_positive'])[1 + (g / 3) % 4],
                 t.created, t.created, t.created,
                 case when (g / 3) % 4 in (1, 2) then t.created + make_interval(mins => 5 + g % 120) end,
                 case when (g / 3) % 4 in (2, 3) then t.created + make_interval(mins => 60 + g % 600) end
          from generate_series(1, ${ALERTS}) g
          cross join lateral (select now() - make_interval(secs => (g::bigint * 7919) % (${DAYS} * 86400)) as created) t
          join lateral (
            select id, organization_id from monitors
            where organization_id = case when g % 20 = 0 then ${noise!.id}::uuid else ${org!.id}::uuid end
            order by name offset (g / 20) % 20 limit 1
          ) m on true`;
        await tx`alter table alerts enable trigger user`;
        // Exactly what the rollup migration does for existing alerts.
        await tx`insert into alert_rollup_severity (organization_id, monitor_id, hour, severity, alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)
          select organization_id, monitor_id, date_trunc('hour', created_at, 'UTC'), severity, count(*), count(acknowledged_at),
                 coalesce(sum(extract(epoch from acknowledged_at - created_at)), 0), count(resolved_at),
                 coalesce(sum(extract(epoch from resolved_at - created_at)), 0)
          from alerts group by 1, 2, 3, 4`;
        await tx`insert into alert_rollup_category (organization_id, monitor_id, hour, category, alerts)
          select organization_id, monitor_id, date_trunc('hour', created_at, 'UTC'), category, count(*) from alerts group by 1, 2, 3, 4`;
        await tx`insert into alert_rollup_status (organization_id, monitor_id, hour, status, alerts)
          select organization_id, monitor_id, date_trunc('hour', created_at, 'UTC'), status, count(*) from alerts group by 1, 2, 3, 4`;
        // And the daily ones, exactly as their migration derives them from the hourly ones.
        await tx`truncate alert_rollup_daily_severity, alert_rollup_daily_category, alert_rollup_daily_status`;
        await tx`insert into alert_rollup_daily_severity (organization_id, monitor_id, day, severity, alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)
          select organization_id, monitor_id, date_trunc('day', hour, 'UTC'), severity, sum(alerts), sum(acknowledged), sum(acknowledge_seconds), sum(resolved), sum(resolve_seconds)
          from alert_rollup_severity group by 1, 2, 3, 4`;
        await tx`insert into alert_rollup_daily_category (organization_id, monitor_id, day, category, alerts)
          select organization_id, monitor_id, date_trunc('day', hour, 'UTC'), category, sum(alerts) from alert_rollup_category group by 1, 2, 3, 4`;
        await tx`insert into alert_rollup_daily_status (organization_id, monitor_id, day, status, alerts)
          select organization_id, monitor_id, date_trunc('day', hour, 'UTC'), status, sum(alerts) from alert_rollup_status group by 1, 2, 3, 4`;
      });
      await sql`vacuum analyze`;
    }
    const [org] = await sql<{ id: string }[]>`select id from organizations where name = 'Stats bench'`;
    const monitors = await sql<{ id: string }[]>`select id from monitors where organization_id = ${org!.id} order by name limit 3`;
    return { url, organizationId: org!.id, monitorIds: monitors.map((m) => m.id) };
  } finally {
    await sql.end();
  }
}

/** The same figures straight from `alerts`: what answering without rollups costs. */
async function directStats(sql: postgres.Sql, organizationId: string, since: Date, until: Date, bucket: Bucket, monitorIds: string[] | null) {
  const scope = sql`organization_id = ${organizationId} and created_at >= ${since} and created_at < ${until}
    ${monitorIds ? sql`and monitor_id = any(${monitorIds}::uuid[])` : sql``}`;
  return Promise.all([
    sql`select severity, count(*)::int, avg(extract(epoch from acknowledged_at - created_at)) as mtta,
               avg(extract(epoch from resolved_at - created_at)) as mttr from alerts where ${scope} group by severity`,
    sql`select category, count(*)::int from alerts where ${scope} group by category`,
    sql`select status, count(*)::int from alerts where ${scope} group by status`,
    sql`select date_trunc(${sql.unsafe(`'${bucket}'`)}, created_at, 'UTC') as start, severity, count(*)::int from alerts where ${scope} group by 1, 2 order by 1`,
    sql`select monitor_id, count(*)::int from alerts where ${scope} group by monitor_id order by 2 desc limit 5`,
  ]);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p95: number; p99: number }> {
  await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0]!;
  const server = await openBenchServer();
  try {
    const { url, organizationId, monitorIds } = await seeded(server);
    const database = connectDatabase(url, { max: 10 });
    const sql = postgres(url, { max: 10, onnotice: () => {} });
    const viewer = { organizationId, role: 'viewer' as const, userId: null, apiKeyId: null };
    const [rollupRows] = await sql<{ n: number }[]>`select count(*)::int as n from alert_rollup_severity where organization_id = ${organizationId}`;
    log(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${server.version}`);
    const now = Date.now();
    const cases: { name: string; days: number; bucket: Bucket; monitors: string[] | null }[] = [
      { name: 'last 7 days by hour', days: 7, bucket: 'hour', monitors: null },
      { name: 'last 30 days by day', days: 30, bucket: 'day', monitors: null },
      { name: 'last 90 days by week', days: 90, bucket: 'week', monitors: null },
      { name: 'last 90 days by day, 3 monitors', days: 90, bucket: 'day', monitors: monitorIds },
    ];
    console.log(`\n${ALERTS.toLocaleString('en')} alerts (95% in the measured organization, 20 monitors, ${DAYS} days); ${rollupRows!.n.toLocaleString('en')} severity rollup rows for it; ${RUNS} runs each; 1-minute load average at the start ${loadAtStart.toFixed(2)}.\n`);
    console.log('| Query | alertStats p50 | p95 | p99 | Straight from alerts p50 | p99 | Speed-up (p50) | Alerts counted |\n|---|---|---|---|---|---|---|---|');
    for (const c of cases) {
      const since = new Date(now - c.days * 86_400_000);
      const until = new Date(now + 3_600_000);
      const stats = await alertStats(database.db, viewer, { since, until, bucket: c.bucket, monitorIds: c.monitors });
      const rollup = await time(() => alertStats(database.db, viewer, { since, until, bucket: c.bucket, monitorIds: c.monitors }));
      const direct = await time(() => directStats(sql, organizationId, since, until, c.bucket, c.monitors));
      console.log(`| ${c.name} | ${rollup.p50.toFixed(1)} ms | ${rollup.p95.toFixed(1)} ms | ${rollup.p99.toFixed(1)} ms | ${direct.p50.toFixed(1)} ms | ${direct.p99.toFixed(1)} ms | ${(direct.p50 / rollup.p50).toFixed(1)}× | ${stats.total.toLocaleString('en')} |`);
    }
    await sql.end();
    await database.close();
  } finally {
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
