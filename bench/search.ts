/**
 * Search benchmark (issue 14): `alerts(filter: { text })` through the real API at 1,000,000 alerts
 * in one organization — a common term, a rare one and one found nowhere — next to the unfiltered
 * page as the baseline, one request at a time, interleaved. Run with `npm run bench:search`
 * (BENCH_DATABASE_URL, BENCH_SEARCH_ALERTS, BENCH_SEARCH_REQUESTS).
 */
import os from 'node:os';
import postgres from 'postgres';
import { z } from 'zod';
import { startApiServer } from './lib/api-server.ts';
import { loadBenchConfig, repoRoot } from './lib/config.ts';
import { openBenchDatabase } from './lib/database.ts';
import { describeMachine, describeRevision } from './lib/report.ts';
import { createApiKey, insertMonitors } from './lib/seed.ts';

const settings = z
  .object({
    BENCH_SEARCH_ALERTS: z.coerce.number().int().min(10_000).max(5_000_000).default(1_000_000),
    BENCH_SEARCH_REQUESTS: z.coerce.number().int().min(5).max(1_000).default(40),
  })
  .parse(Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('BENCH_SEARCH_'))));
const DATABASE = 'vigil_bench_search';
const PAGE_SIZE = 50;
const WARMUP_REQUESTS = 5;

/** What is searched for, and how many alerts hold it (g numbers the alerts, 1 = newest). */
const TERMS = [
  { name: 'unfiltered page (baseline)', text: null, holds: 'every alert' },
  { name: 'common term', text: 'login', holds: "about half: 'Cloned login page' titles and '/login' URLs" },
  { name: 'rare term', text: 'acme-777777.', holds: 'one alert (its title and URL)' },
  { name: 'middling term', text: 'fingerprint 9f', holds: '1 in 256 (summaries whose md5 starts 9f)' },
  { name: 'absent term', text: 'quokka', holds: 'none' },
] as const;

const QUERY = `query BenchSearch($first: Int!, $filter: AlertFilter) {
  alerts(first: $first, filter: $filter) { nodes { id title severity createdAt monitor { id name } } pageInfo { hasNextPage } }
}`;

function log(message: string): void {
  console.log(`· ${message}`);
}

/**
 * One organization with `count` alerts, generated in SQL with the alerts' triggers off (nothing
 * here reads rollups or sequence numbers) and the trigram index built once after the load rather
 * than row by row. Reused while the migrations and the size are the same.
 */
async function seeded(sql: postgres.Sql, count: number): Promise<string> {
  const [present] = await sql<{ present: boolean }[]>`select to_regclass('bench_search_dataset') is not null as present`;
  const [latest] = await sql<{ hash: string }[]>`select hash from drizzle.__drizzle_migrations order by created_at desc, id desc limit 1`;
  if (present!.present) {
    const [row] = await sql<{ organization_id: string; alerts: number; migration: string }[]>`select * from bench_search_dataset`;
    if (row && row.alerts === count && row.migration === latest!.hash) return row.organization_id;
  }
  log(`seeding ${count.toLocaleString('en-US')} alerts in one organization…`);
  const started = performance.now();
  const [index] = await sql<{ indexdef: string }[]>`select indexdef from pg_indexes where indexname = 'alerts_text_trgm_idx'`;
  if (!index) throw new Error('the alerts_text_trgm_idx index is missing: are the migrations applied?');
  const organizationId = await sql.begin(async (tx) => {
    await tx`drop table if exists bench_search_dataset`;
    await tx`truncate organizations cascade`;
    await tx`drop index alerts_text_trgm_idx`;
    await tx`alter table alerts disable trigger user`;
    const [organization] = await tx<{ id: string }[]>`insert into organizations (name, plan, allows_demo_source) values ('Search bench', 'business', true) returning id`;
    const id = organization!.id;
    await insertMonitors(tx, id, 20, 'Search monitor');
    await tx`
      with monitor_ids as (select array_agg(id order by name) as ids from monitors where organization_id = ${id})
      insert into alerts (organization_id, monitor_id, fingerprint, title, summary, url, source, category, severity,
                          confidence, status, created_at, first_seen_at, last_seen_at, updated_at)
      select ${id}, m.ids[1 + g % 20], 'search-' || g,
             (array['Look-alike domain', 'Cloned login page', 'Fake support account', 'Leaked credentials', 'Typosquat'])[1 + g % 5] || ' acme-' || g || '.example',
             'Seen on ' || (array['a forum', 'a paste site', 'a social network', 'an app store'])[1 + g % 4] || ', fingerprint ' || md5(g::text),
             'https://acme-' || g || '.example/' || (array['login', 'verify', 'support'])[1 + g % 3],
             'demo', 'phishing', (array['low', 'medium', 'high', 'critical'])[1 + g % 4], 0.8, 'new', t.at, t.at, t.at, t.at
      from monitor_ids m, generate_series(1, ${count}::int) as g,
           lateral (select now() - make_interval(secs => g * 30) as at) as t`;
    await tx`alter table alerts enable trigger user`;
    await tx`set local maintenance_work_mem = '256MB'`;
    await tx.unsafe(index.indexdef);
    await tx`create table bench_search_dataset (organization_id uuid primary key, alerts integer not null, migration text not null)`;
    await tx`insert into bench_search_dataset values (${id}, ${count}, ${latest!.hash})`;
    return id;
  });
  await sql`vacuum (analyze) alerts`;
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return organizationId;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const revision = describeRevision(repoRoot);
  const config = { ...loadBenchConfig(), databaseName: DATABASE };
  const server = await openBenchDatabase(config, log);
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  const api = await startApiServer({ databaseUrl: server.url, poolMax: 10 }).catch(async (error: unknown) => {
    await admin.end({ timeout: 5 });
    await server.stop();
    throw error;
  });
  try {
    const organizationId = await seeded(admin, settings.BENCH_SEARCH_ALERTS);
    const apiKey = await createApiKey(admin, organizationId);
    const [{ server_version: postgresVersion }] = (await admin`show server_version`) as unknown as [{ server_version: string }];
    const loadAtStart = os.loadavg()[0]!.toFixed(2);

    const ask = async (text: string | null) => {
      const started = performance.now();
      const response = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query: QUERY, variables: { first: PAGE_SIZE, filter: text === null ? null : { text } } }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json()) as { data?: { alerts: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } } }; errors?: unknown };
      const ms = performance.now() - started;
      if (!body.data || body.errors) throw new Error(`search for ${text} failed: ${JSON.stringify(body).slice(0, 500)}`);
      return { ms, found: body.data.alerts.nodes.length, hasNextPage: body.data.alerts.pageInfo.hasNextPage };
    };

    const found = new Map<string, string>();
    for (const term of TERMS) {
      for (let i = 0; i < WARMUP_REQUESTS; i += 1) await ask(term.text);
      const sample = await ask(term.text);
      found.set(term.name, `${sample.found}${sample.hasNextPage ? ' (more follow)' : ''}`);
    }
    const timings = new Map<string, number[]>(TERMS.map((term) => [term.name, []]));
    for (let i = 0; i < settings.BENCH_SEARCH_REQUESTS; i += 1) {
      for (const term of TERMS) timings.get(term.name)!.push((await ask(term.text)).ms);
    }

    const machine = describeMachine(postgresVersion);
    const baseline = [...timings.get(TERMS[0].name)!].sort((a, b) => a - b);
    const lines = [
      '',
      '## Alert search benchmark',
      '',
      `Code: ${revision}`,
      `Machine: ${machine.cpus} CPUs (${machine.cpuModel}); Node ${machine.node}; PostgreSQL ${machine.postgres} (${server.description})`,
      `Dataset: ${settings.BENCH_SEARCH_ALERTS.toLocaleString('en-US')} alerts in one organization, 20 monitors`,
      `Request (API key, through the API, one at a time, terms interleaved; ${WARMUP_REQUESTS} warm-up + ${settings.BENCH_SEARCH_REQUESTS} measured each): ${QUERY.replace(/\s+/g, ' ')}`,
      `1-minute load average: ${loadAtStart} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end`,
      '',
      '| Search | Matches | First page | p50 ms | p95 ms | max ms | p95 ÷ unfiltered p95 |',
      '|---|---|--:|--:|--:|--:|--:|',
      ...TERMS.map((term) => {
        const sorted = [...timings.get(term.name)!].sort((a, b) => a - b);
        const label = term.text === null ? term.name : `${term.name} \`${term.text}\``;
        return `| ${label} | ${term.holds} | ${found.get(term.name)} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 95).toFixed(1)} | ${sorted.at(-1)!.toFixed(1)} | ${(percentile(sorted, 95) / percentile(baseline, 95)).toFixed(2)}× |`;
      }),
    ];
    console.log(lines.join('\n'));
  } finally {
    await api.stop();
    await admin.end({ timeout: 5 });
    await server.stop();
  }
}

const watchdog = setTimeout(() => {
  console.error('✗ the search benchmark did not finish within 20 minutes; stopping');
  process.exit(1);
}, 20 * 60_000);
watchdog.unref();

try {
  await main();
} catch (error) {
  console.error('✗ search benchmark failed:', error);
  process.exitCode = 1;
}
