/**
 * Read benchmark (issue #2): how many alerts pages — 50 alerts, each with its monitor — the real
 * API serves per second at concurrencies 1, 10 and 50, next to the same SQL sent straight through
 * the `postgres` driver. Run with `npm run bench:reads`; see BENCHMARKS.md for the knobs.
 */
import fs from 'node:fs';
import os from 'node:os';
import postgres from 'postgres';
import { decodeGlobalId } from '../src/lib/global-id.ts';
import type { BenchAlertsPageQuery } from '../test/generated/graphql.ts';
import { startApiServer } from './lib/api-server.ts';
import { createBaselinePage, identifyPageStatements, type BaselinePage } from './lib/baseline.ts';
import { BenchConfigError, loadBenchConfig, repoRoot, type BenchConfig } from './lib/config.ts';
import { openBenchDatabase, type BenchDatabaseServer } from './lib/database.ts';
import { runHttpLoad, runQueryLoad, type LoadResult } from './lib/load.ts';
import { abbreviate, describeMachine, describeRevision, formatTable, type Row } from './lib/report.ts';
import { createApiKey, findSeededDataset, seedDataset, type BenchDataset } from './lib/seed.ts';

const STATEMENT_SAMPLES = 5;
const query = fs.readFileSync(new URL('./operations/alerts-page.graphql', import.meta.url), 'utf8');

function log(message: string): void {
  console.log(`· ${message}`);
}

/** Everything started so far, stopped in reverse order whatever happens. */
const cleanups: (() => Promise<void>)[] = [];
let isCleanedUp = false;
async function cleanUp(): Promise<void> {
  if (isCleanedUp) return;
  isCleanedUp = true;
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error('error while cleaning up:', error);
    }
  }
}

async function main(config: BenchConfig): Promise<void> {
  const server: BenchDatabaseServer = await openBenchDatabase(config, log);
  cleanups.push(() => server.stop());
  log(`database: ${server.description}`);

  let admin = postgres(server.url, { max: 1, onnotice: () => {} });
  cleanups.push(() => admin.end({ timeout: 5 }));
  const seedStarted = performance.now();
  let organizationId = await findSeededDataset(admin, config);
  const isFreshlySeeded = organizationId === undefined;
  if (organizationId === undefined) {
    // Whatever an earlier run left (other sizes, older migrations) goes with the database.
    log(`seeding ${config.alertCount.toLocaleString('en-US')} alerts (+${config.noiseAlertCount.toLocaleString('en-US')} in a second organization) into a fresh ${config.databaseName}…`);
    await admin.end({ timeout: 5 });
    await server.recreate();
    admin = postgres(server.url, { max: 1, onnotice: () => {} });
    organizationId = await seedDataset(admin, config);
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  log(`${isFreshlySeeded ? 'seeded' : 'reused the dataset of an earlier run'} in ${seedSeconds.toFixed(1)} s`);
  const dataset: BenchDataset = {
    organizationId,
    apiKey: await createApiKey(admin, organizationId),
    alertCount: config.alertCount,
    monitorCount: config.monitorCount,
    noiseAlertCount: config.noiseAlertCount,
    noiseMonitorCount: config.noiseMonitorCount,
    isFreshlySeeded,
    seedSeconds,
  };
  const [{ server_version: postgresVersion }] = (await admin`show server_version`) as unknown as [{ server_version: string }];
  const machine = describeMachine(postgresVersion);
  const loadAtStart = loadAverage();

  const api = await startApiServer({ databaseUrl: server.url, poolMax: config.poolMax });
  cleanups.push(() => api.stop());
  log(`API (buildApp) listening at ${api.url} in process ${api.pid}, pool of ${config.poolMax}`);

  const request = {
    url: `${api.url}/graphql`,
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${dataset.apiKey}`,
    },
    body: JSON.stringify({ query, variables: { first: config.pageSize }, operationName: 'BenchAlertsPage' }),
  };
  const apiPage = await checkApiPage(request, config.pageSize);
  log(`sample response checked: ${apiPage.alertIds.length} alerts over ${apiPage.monitorIds.length} monitors, no GraphQL errors`);

  const warmupConcurrency = Math.min(10, Math.max(...config.concurrencies));
  if (config.warmupSeconds > 0) {
    log(`warming up the API (${config.warmupSeconds} s at ${warmupConcurrency})`);
    assertClean('API warm-up', await runHttpLoad({ ...request, concurrency: warmupConcurrency, durationSeconds: config.warmupSeconds }));
    await api.settle();
  }

  // Warm: per-request statements, one request at a time, so nothing else lands in the log.
  const statementSamples: string[][] = [];
  for (let i = 0; i < STATEMENT_SAMPLES; i += 1) {
    statementSamples.push(await api.statementsDuring(() => checkApiPage(request, config.pageSize)));
  }
  const statementCounts = statementSamples.map((statements) => statements.length);
  const pageStatements = identifyPageStatements(statementSamples.at(-1)!);
  log(`SQL statements per request: ${statementCounts.join(', ')}`);

  const baselineSql = postgres(server.url, { max: config.poolMax, onnotice: () => {}, connection: { application_name: 'vigil-bench-baseline' } });
  cleanups.push(() => baselineSql.end({ timeout: 5 }));
  const baselinePage = createBaselinePage(baselineSql, pageStatements, dataset.organizationId, config.pageSize);
  assertSamePage(apiPage, await baselinePage());
  log('baseline checked: the same alerts and monitors as the API page');
  if (config.warmupSeconds > 0) {
    log(`warming up the baseline (${config.warmupSeconds} s at ${warmupConcurrency})`);
    assertClean('baseline warm-up', await runQueryLoad({ iteration: baselinePage, concurrency: warmupConcurrency, durationSeconds: config.warmupSeconds }));
  }

  const rows: Row[] = [];
  for (const concurrency of config.concurrencies) {
    const apiResult = await runHttpLoad({ ...request, concurrency, durationSeconds: config.durationSeconds });
    await api.settle();
    log(`API      c=${String(concurrency).padEnd(3)} ${summary(apiResult)}  load ${loadAverage()}`);
    const baselineResult = await runQueryLoad({ iteration: baselinePage, concurrency, durationSeconds: config.durationSeconds });
    log(`baseline c=${String(concurrency).padEnd(3)} ${summary(baselineResult)}  load ${loadAverage()}`);
    rows.push({ api: apiResult, baseline: baselineResult });
  }

  printReport({ config, dataset, machine, server, rows, loadAverages: `${loadAtStart} at the start, ${loadAverage()} at the end`, statementCounts, statements: statementSamples.at(-1)!, statementSamples });
  const results = rows.flatMap(({ api, baseline }) => [api, baseline]);
  const failed = results.filter((result) => !isClean(result));
  if (failed.length > 0) {
    console.error(`\n✗ ${failed.length} run(s) had failed requests: the figures above are not valid.`);
    process.exitCode = 1;
  }
  for (const result of results.filter((r) => isClean(r) && r.perSecond === 0)) {
    console.error(`! concurrency ${result.concurrency}: no page completed within ${config.durationSeconds} s; raise BENCH_DURATION_SECONDS to measure it`);
  }
}

interface ApiPage extends BaselinePage {
  hasNextPage: boolean;
}

/** One request, fully checked: HTTP status, GraphQL errors, page size and every alert's monitor. */
async function checkApiPage(request: { url: string; headers: Record<string, string>; body: string }, pageSize: number): Promise<ApiPage> {
  const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: BenchAlertsPageQuery | null; errors?: unknown[] };
  if (response.status !== 200 || body.errors || !body.data) {
    throw new Error(`the alerts page failed (HTTP ${response.status}): ${text.slice(0, 2_000)}`);
  }
  const edges = body.data.alerts.edges;
  if (edges.length !== pageSize) throw new Error(`expected ${pageSize} alerts, got ${edges.length}`);
  if (edges.some((edge) => !edge.node.monitor.name)) throw new Error('an alert came back without its monitor');
  return {
    alertIds: edges.map((edge) => decodeGlobalId(edge.node.id)!.id),
    monitorIds: [...new Set(edges.map((edge) => decodeGlobalId(edge.node.monitor.id)!.id))],
    hasNextPage: body.data.alerts.pageInfo.hasNextPage,
  };
}

function assertSamePage(api: ApiPage, baseline: BaselinePage): void {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((value, i) => value === b[i]);
  if (!same(api.alertIds, baseline.alertIds) || !same([...api.monitorIds].sort(), [...baseline.monitorIds].sort())) {
    throw new Error('the baseline does not read the same page as the API');
  }
}

function isClean(result: LoadResult): boolean {
  return result.non2xx === 0 && result.errors === 0 && result.graphqlErrors === 0;
}

function assertClean(what: string, result: LoadResult): void {
  if (!isClean(result)) throw new Error(`${what} had failures: ${summary(result)}`);
}

/** The 1-minute load average: other work on the machine skews every figure, so it is shown with them. */
function loadAverage(): string {
  return os.loadavg()[0]!.toFixed(2);
}

function summary(result: LoadResult): string {
  return (
    `${Math.round(result.perSecond).toLocaleString('en-US').padStart(6)}/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  ` +
    `(${result.completed.toLocaleString('en-US')} in ${result.seconds.toFixed(1)} s; non-2xx ${result.non2xx}, errors ${result.errors}, GraphQL errors ${result.graphqlErrors})`
  );
}

function printReport(report: {
  config: BenchConfig;
  dataset: BenchDataset;
  machine: ReturnType<typeof describeMachine>;
  server: BenchDatabaseServer;
  rows: Row[];
  statementCounts: number[];
  statements: string[];
  statementSamples: string[][];
  loadAverages: string;
}): void {
  const { config, dataset, machine, rows, statementCounts, statements } = report;
  const out = [
    '',
    '## Alerts page read benchmark',
    '',
    `Code: ${describeRevision(repoRoot)}`,
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB, ${machine.platform}; Node ${machine.node}; PostgreSQL ${machine.postgres} (${report.server.description})`,
    `Dataset: ${dataset.alertCount.toLocaleString('en-US')} alerts over ${dataset.monitorCount} monitors in the measured organization, ` +
      `${dataset.noiseAlertCount.toLocaleString('en-US')} alerts over ${dataset.noiseMonitorCount} monitors in a second one`,
    `Request (API key auth, first: ${config.pageSize}): ${query.replace(/#.*\n/g, '').replace(/\s+/g, ' ').trim()}`,
    `Each run: ${config.durationSeconds} s; warm-up ${config.warmupSeconds} s; pool of ${config.poolMax} connections on both sides; API in its own process, autocannon in the benchmark's`,
    `1-minute load average: ${report.loadAverages}`,
    '',
    formatTable(rows),
    '',
    `SQL statements per request (${statementCounts.length} requests): ${statementCounts.join(', ')}`,
    ...statements.map((statement, i) => `  ${i + 1}. ${abbreviate(statement)}`),
    ...report.statementSamples
      .map((sample, i) => ({ sample, i }))
      .filter(({ sample }) => sample.length !== statements.length)
      .flatMap(({ sample, i }) => [`Request ${i + 1} sent ${sample.length}:`, ...sample.map((statement) => `  - ${abbreviate(statement)}`)]),
    'Baseline = statements "from alerts" and "from monitors" above, sent unprepared through `postgres` like drizzle does; one page = both, in sequence.',
  ];
  console.log(out.join('\n'));
}

let config: BenchConfig;
try {
  config = loadBenchConfig();
} catch (error) {
  console.error(error instanceof BenchConfigError ? error.message : error);
  process.exit(1);
}

// Bounded in time whatever happens: setup and seeding, then every warm-up, measured run and settling.
const budgetSeconds = 600 + 2 * config.warmupSeconds + config.concurrencies.length * (2 * config.durationSeconds + 90);
const watchdog = setTimeout(() => {
  console.error(`✗ the benchmark did not finish within ${budgetSeconds} s; stopping`);
  void cleanUp().finally(() => process.exit(1));
}, budgetSeconds * 1000);
watchdog.unref();

let isInterrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    isInterrupted = true;
    console.error(`\n${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main(config);
} catch (error) {
  // Once interrupted, what fails is only the run being torn down under it.
  if (!isInterrupted) console.error('✗ benchmark failed:', error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
// Everything is stopped; a handle left open by a library must not keep the process alive.
setTimeout(() => {
  console.error('a handle was still open after cleanup; exiting anyway');
  process.exit();
}, 5_000).unref();
