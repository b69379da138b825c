/**
 * Writes with every trigger on `alerts` (alert numbers, live events, webhooks, rollups) against the
 * same writes with the triggers disabled, in the same run, the two alternating.
 *
 *   npm run bench:writes                                    # embedded PostgreSQL
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/postgres npm run bench:writes
 *
 * - bulk: BENCH_WRITES_ALERTS (20,000) alerts in one INSERT, one transaction;
 * - batched: BENCH_WRITES_TRANSACTIONS (500) transactions of 20 alerts, the shape scans write.
 * BENCH_WRITES_RUNS (5) runs of each side. Triggers off means `ALTER TABLE alerts DISABLE TRIGGER
 * USER`: foreign keys are still checked. Talks only to 127.0.0.1; exits by itself.
 */
import os from 'node:os';
import postgres from 'postgres';
import { describeRevision } from './lib/report.ts';
import { repoRoot } from './lib/config.ts';
import { openBenchServer } from './lib/server.ts';

const env = process.env;
const ALERTS = Number(env.BENCH_WRITES_ALERTS ?? 20_000);
const TRANSACTIONS = Number(env.BENCH_WRITES_TRANSACTIONS ?? 500);
const ALERTS_PER_TRANSACTION = 20;
const RUNS = Number(env.BENCH_WRITES_RUNS ?? 5);
const MONITORS = 20;
const DATABASE = 'vigil_bench_writes';

function log(message: string): void {
  process.stderr.write(`[bench:writes] ${message}\n`);
}

let batch = 0;

/** `count` new alerts of the organization over its monitors, severities, categories and the last day. */
function insertAlerts(sql: postgres.Sql | postgres.TransactionSql, organizationId: string, count: number) {
  batch += 1;
  return sql`
    insert into alerts (organization_id, monitor_id, fingerprint, title, summary, url, source, category, severity, confidence,
                        created_at, first_seen_at, last_seen_at)
    select m.organization_id, m.id, 'b' || ${batch}::int || '-' || g, 'Look-alike sign-in page ' || g,
           'A page imitating the sign-in form of the brand', 'https://acme-login.example/' || g, 'demo',
           (array['phishing','impersonation','data_leak','fraud','negative_press','trademark','other'])[1 + g % 7],
           (array['low','medium','high','critical'])[1 + (g / 7) % 4], 0.8, t.at, t.at, t.at
    from generate_series(1, ${count}::int) g
    cross join lateral (select now() - make_interval(secs => (g::bigint * 7919) % 86400) as at) t
    join (select id, organization_id, row_number() over (order by name) as n from monitors where organization_id = ${organizationId}) m
      on m.n = 1 + g % ${MONITORS}`;
}

/** Empty alerts and rollups, so every run starts from the same tables. */
async function reset(sql: postgres.Sql): Promise<void> {
  await sql`truncate alerts, alert_rollup_severity, alert_rollup_category, alert_rollup_status,
    alert_rollup_daily_severity, alert_rollup_daily_category, alert_rollup_daily_status cascade`;
  await sql`vacuum analyze alerts`;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

const bulk = {
  name: `${ALERTS.toLocaleString('en')} alerts, one INSERT, one transaction`,
  withTriggers: (sql: postgres.Sql, organizationId: string) => timed(() => sql.begin((tx) => insertAlerts(tx, organizationId, ALERTS))),
  // DISABLE/ENABLE lock the table for the transaction; they run inside it, as the issue measured it.
  withoutTriggers: (sql: postgres.Sql, organizationId: string) =>
    timed(() =>
      sql.begin(async (tx) => {
        await tx`alter table alerts disable trigger user`;
        await insertAlerts(tx, organizationId, ALERTS);
        await tx`alter table alerts enable trigger user`;
      }),
    ),
};

const batched = {
  name: `${TRANSACTIONS.toLocaleString('en')} transactions of ${ALERTS_PER_TRANSACTION} alerts`,
  withTriggers: (sql: postgres.Sql, organizationId: string) =>
    timed(async () => {
      for (let i = 0; i < TRANSACTIONS; i += 1) await sql.begin((tx) => insertAlerts(tx, organizationId, ALERTS_PER_TRANSACTION));
    }),
  withoutTriggers: async (sql: postgres.Sql, organizationId: string) => {
    await sql`alter table alerts disable trigger user`;
    try {
      return await batched.withTriggers(sql, organizationId);
    } finally {
      await sql`alter table alerts enable trigger user`;
    }
  },
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0]!;
  const server = await openBenchServer();
  try {
    const url = await server.database(DATABASE, { isFresh: true });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const [org] = await sql<{ id: string }[]>`insert into organizations (name, plan, allows_demo_source) values ('Writes bench', 'business', true) returning id`;
    await sql`insert into monitors (organization_id, name, kind, terms, sources, frequency, interval_minutes)
      select ${org!.id}, 'Monitor ' || lpad(g::text, 2, '0'), 'brand', array['brand' || g], array['demo'], 'hourly', 60
      from generate_series(1, ${MONITORS}) g`;
    log(`machine: ${os.availableParallelism()} CPUs, Node ${process.version}, PostgreSQL ${server.version}; code ${describeRevision(repoRoot)}`);
    console.log(`\n1-minute load average at the start: ${loadAtStart.toFixed(2)}. ${RUNS} runs of each side, alternating; seconds include COMMIT.\n`);
    console.log('| Writes | Run | With triggers s | Triggers off s | Ratio |\n|---|---:|---:|---:|---:|');
    for (const shape of [bulk, batched]) {
      const on: number[] = [];
      const off: number[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        // Alternate which side goes first, so neither always meets a just-vacuumed table.
        const sides = run % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const);
        for (const side of sides) {
          await reset(sql);
          const seconds = side === 'on' ? await shape.withTriggers(sql, org!.id) : await shape.withoutTriggers(sql, org!.id);
          (side === 'on' ? on : off).push(seconds);
        }
        console.log(`| ${shape.name} | ${run} | ${on.at(-1)!.toFixed(3)} | ${off.at(-1)!.toFixed(3)} | ${(on.at(-1)! / off.at(-1)!).toFixed(2)}× |`);
      }
      console.log(`| ${shape.name} | **median** | **${median(on).toFixed(3)}** | **${median(off).toFixed(3)}** | **${(median(on) / median(off)).toFixed(2)}×** |`);
    }
    console.log(`\n1-minute load average at the end: ${os.loadavg()[0]!.toFixed(2)}.`);
    await sql.end();
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
