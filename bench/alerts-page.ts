/**
 * Read benchmark (issues #2 and 14): how many alerts pages — 50 newest alerts, each with its
 * monitor — the real API serves per second, authenticated by an API key, next to two contenders on
 * the same database, in interleaved rounds: PostGraphile V5 (amber preset, the same tables, no
 * authentication) and raw node:http + postgres.js running the very statements the API sent. Each
 * server runs in its own process, so the CPU time per request is its own. Run with
 * `npm run bench:reads`; see BENCHMARKS.md for the knobs.
 */
import fs from 'node:fs';
import os from 'node:os';
import postgres from 'postgres';
import { parseApiKey } from '../src/auth/tokens.ts';
import { decodeGlobalId } from '../src/lib/global-id.ts';
import type { BenchAlertsPageQuery } from '../test/generated/graphql.ts';
import { startApiServer } from './lib/api-server.ts';
import { BenchConfigError, loadBenchConfig, repoRoot, type BenchConfig } from './lib/config.ts';
import { openBenchDatabase, type BenchDatabaseServer } from './lib/database.ts';
import { runHttpLoad, type LoadResult } from './lib/load.ts';
import type { PeerStatement } from './lib/peer-protocol.ts';
import { startPeerServer } from './lib/peer-server.ts';
import { abbreviate, describeMachine, describeRevision } from './lib/report.ts';
import { createApiKey, findSeededDataset, seedDataset, type BenchDataset } from './lib/seed.ts';

const STATEMENT_SAMPLES = 5;
const query = fs.readFileSync(new URL('./operations/alerts-page.graphql', import.meta.url), 'utf8');
const postGraphileQuery = fs.readFileSync(new URL('./operations/postgraphile-alerts-page.graphql.txt', import.meta.url), 'utf8');

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

const CONTENDERS = ['vigil', 'postgraphile', 'raw'] as const;
type Contender = (typeof CONTENDERS)[number];
const CONTENDER_NAMES: Record<Contender, string> = { vigil: 'Vigil', postgraphile: 'PostGraphile V5', raw: 'raw http + postgres.js' };

interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** One contender's measured run: the load result and the server process's CPU time per request. */
interface Measured {
  contender: Contender;
  round: number;
  result: LoadResult;
  cpuMsPerRequest: number;
  load: string;
}

async function main(config: BenchConfig): Promise<void> {
  // Read before anything runs: the code measured is the code loaded now, whatever is edited later.
  const revision = describeRevision(repoRoot);
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
    log(`seeding ${config.alertCount.toLocaleString('en-US')} alerts over ${config.organizationCount} organizations into a fresh ${config.databaseName}…`);
    await admin.end({ timeout: 5 });
    await server.recreate();
    admin = postgres(server.url, { max: 1, onnotice: () => {} });
    organizationId = await seedDataset(admin, config);
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  log(`${isFreshlySeeded ? 'seeded' : 'reused the dataset of an earlier run'} in ${seedSeconds.toFixed(1)} s`);
  const apiKey = await createApiKey(admin, organizationId);
  const dataset: BenchDataset = {
    organizationId,
    apiKey,
    alertCount: config.alertCount,
    organizationCount: config.organizationCount,
    alertsPerOrganization: config.alertsPerOrganization,
    monitorsPerOrganization: config.monitorsPerOrganization,
    isFreshlySeeded,
    seedSeconds,
  };
  const [{ server_version: postgresVersion }] = (await admin`show server_version`) as unknown as [{ server_version: string }];
  const machine = describeMachine(postgresVersion);
  const loadAtStart = loadAverage();

  const api = await startApiServer({ databaseUrl: server.url, poolMax: config.poolMax });
  cleanups.push(() => api.stop());
  log(`Vigil API (buildApp) listening at ${api.url} in process ${api.pid}, pool of ${config.poolMax}`);
  const vigilRequest: HttpRequest = {
    url: `${api.url}/graphql`,
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${dataset.apiKey}`,
    },
    body: JSON.stringify({ query, variables: { first: config.pageSize }, operationName: 'BenchAlertsPage' }),
  };
  const apiPage = await checkApiPage(vigilRequest, config.pageSize);
  log(`Vigil page checked: ${apiPage.alertIds.length} alerts over ${apiPage.monitorIds.length} monitors, no GraphQL errors`);

  // Per-request statements, one request at a time, so nothing else lands in the log. The key was
  // looked up (and its use stamped) by the request above; these are the steady state.
  const statementSamples: string[][] = [];
  for (let i = 0; i < STATEMENT_SAMPLES; i += 1) {
    statementSamples.push(await api.statementsDuring(() => checkApiPage(vigilRequest, config.pageSize)));
  }
  const statementCounts = statementSamples.map((statements) => statements.length);
  const statements = statementSamples.at(-1)!;
  log(`SQL statements per Vigil request: ${statementCounts.join(', ')}`);

  const postGraphile = await startPeerServer({ kind: 'postgraphile', databaseUrl: server.url, poolMax: config.poolMax });
  cleanups.push(() => postGraphile.stop());
  const postGraphileRequest: HttpRequest = {
    url: `${postGraphile.url}/graphql`,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query: postGraphileQuery, variables: { organizationId, first: config.pageSize }, operationName: 'PostGraphileAlertsPage' }),
  };
  await checkPostGraphilePage(postGraphile.url, organizationId, config.pageSize, apiPage);
  log(`PostGraphile V5 listening at ${postGraphile.url} in process ${postGraphile.pid}: the same ${config.pageSize} alerts and monitors`);

  const raw = await startPeerServer({
    kind: 'raw',
    databaseUrl: server.url,
    poolMax: config.poolMax,
    statements: replayable(statements, { apiKey, organizationId, pageSize: config.pageSize, monitorIds: apiPage.monitorIds }),
  });
  cleanups.push(() => raw.stop());
  const rawRequest: HttpRequest = { url: `${raw.url}/graphql`, headers: vigilRequest.headers, body: vigilRequest.body };
  await checkStatus(rawRequest);
  log(`raw contender listening at ${raw.url} in process ${raw.pid}, replaying Vigil's ${statements.length} statements, prepared`);

  const contenders: Record<Contender, { request: HttpRequest; cpuMs: () => Promise<number>; settle: () => Promise<void> }> = {
    vigil: { request: vigilRequest, cpuMs: () => api.cpuMs(), settle: () => api.settle() },
    postgraphile: { request: postGraphileRequest, cpuMs: () => postGraphile.cpuMs(), settle: () => pause(500) },
    raw: { request: rawRequest, cpuMs: () => raw.cpuMs(), settle: () => pause(500) },
  };
  const warmupConcurrency = Math.min(10, Math.max(...config.concurrencies));
  if (config.warmupSeconds > 0) {
    for (const contender of CONTENDERS) {
      log(`warming up ${CONTENDER_NAMES[contender]} (${config.warmupSeconds} s at ${warmupConcurrency})`);
      assertClean(`${contender} warm-up`, await runHttpLoad({ ...contenders[contender].request, concurrency: warmupConcurrency, durationSeconds: config.warmupSeconds }));
      await contenders[contender].settle();
    }
  }

  const measured: Measured[] = [];
  for (let round = 1; round <= config.rounds; round += 1) {
    for (const concurrency of config.concurrencies) {
      // Who goes first rotates, so no contender always runs on the machine the previous one warmed.
      const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round - 1) % CONTENDERS.length]!);
      for (const contender of order) {
        const { request, cpuMs, settle } = contenders[contender];
        const cpuBefore = await cpuMs();
        const result = await runHttpLoad({ ...request, concurrency, durationSeconds: config.durationSeconds });
        const cpuAfter = await cpuMs();
        const entry = { contender, round, result, cpuMsPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.completed), load: loadAverage() };
        measured.push(entry);
        log(`round ${round} ${CONTENDER_NAMES[contender].padEnd(24)} c=${String(concurrency).padEnd(3)} ${summary(result)}  CPU ${entry.cpuMsPerRequest.toFixed(2)} ms/req  load ${entry.load}`);
        await settle();
      }
    }
  }

  // The per-request floor: `{ __typename }` with the same API key (answered from the credential
  // cache: no statement) against node:http answering a constant body (no statement either).
  const floorServer = await startPeerServer({ kind: 'raw', databaseUrl: server.url, poolMax: 1, statements: [] });
  cleanups.push(() => floorServer.stop());
  const trivialBody = JSON.stringify({ query: '{ __typename }' });
  const floors: Record<FloorContender, { request: HttpRequest; cpuMs: () => Promise<number> }> = {
    vigil: { request: { ...vigilRequest, body: trivialBody }, cpuMs: () => api.cpuMs() },
    raw: { request: { ...rawRequest, url: `${floorServer.url}/graphql`, body: trivialBody }, cpuMs: () => floorServer.cpuMs() },
  };
  const floorConcurrency = Math.min(10, Math.max(...config.concurrencies));
  const floorMeasured: FloorMeasured[] = [];
  for (let round = 1; round <= config.rounds; round += 1) {
    for (const contender of round % 2 === 1 ? FLOOR_CONTENDERS : [...FLOOR_CONTENDERS].reverse()) {
      const { request, cpuMs } = floors[contender];
      const cpuBefore = await cpuMs();
      const result = await runHttpLoad({ ...request, concurrency: floorConcurrency, durationSeconds: config.durationSeconds });
      const cpuAfter = await cpuMs();
      const entry = { contender, round, result, cpuMsPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.completed), load: loadAverage() };
      floorMeasured.push(entry);
      log(`floor ${round} ${FLOOR_NAMES[contender].padEnd(32)} c=${String(floorConcurrency).padEnd(3)} ${summary(result)}  CPU ${entry.cpuMsPerRequest.toFixed(3)} ms/req  load ${entry.load}`);
      await pause(500);
    }
  }

  printReport({ config, revision, dataset, machine, server, measured, loadAverages: `${loadAtStart} at the start, ${loadAverage()} at the end`, statementCounts, statements });
  printFloor(floorMeasured, floorConcurrency);
  const failed = [...measured, ...floorMeasured].filter(({ result }) => !isClean(result));
  if (failed.length > 0) {
    console.error(`\n✗ ${failed.length} run(s) had failed requests: the figures above are not valid.`);
    process.exitCode = 1;
  }
}

/**
 * Vigil's statements with the parameters it gave them, for the raw contender: the key's lookup by
 * its prefix, the page by organization and size (+1, to know whether a next page exists), and —
 * when the API still batches monitors separately — the page's monitors.
 */
function replayable(statements: string[], page: { apiKey: string; organizationId: string; pageSize: number; monitorIds: string[] }): PeerStatement[] {
  return statements.map((text) => {
    const count = new Set([...text.matchAll(/\$(\d+)/g)].map((m) => m[1])).size;
    const parameters = /\bfrom "api_keys"/i.test(text)
      ? [parseApiKey(page.apiKey)!.prefix]
      : /^select\b[\s\S]*\bfrom "monitors"/i.test(text) && !/\bfrom "alerts"/i.test(text)
        ? [page.organizationId, ...page.monitorIds]
        : [page.organizationId, page.pageSize + 1];
    if (parameters.length !== count) {
      throw new Error(`cannot replay a statement with ${count} parameters for the raw contender (expected ${parameters.length}):\n${text}`);
    }
    return { text, parameters };
  });
}

const FLOOR_CONTENDERS = ['vigil', 'raw'] as const;
type FloorContender = (typeof FLOOR_CONTENDERS)[number];
const FLOOR_NAMES: Record<FloorContender, string> = { vigil: 'Vigil `{ __typename }` (API key)', raw: 'node:http, constant body' };

interface FloorMeasured {
  contender: FloorContender;
  round: number;
  result: LoadResult;
  cpuMsPerRequest: number;
  load: string;
}

function printFloor(measured: FloorMeasured[], concurrency: number): void {
  const lines = [
    '',
    `Per-request floor (c=${concurrency}, no SQL statement on either side):`,
    '',
    '| Request | req/s (median of rounds) | p50 ms | p99 ms | CPU ms/request |',
    '|---|--:|--:|--:|--:|',
  ];
  for (const contender of FLOOR_CONTENDERS) {
    const runs = measured.filter((m) => m.contender === contender);
    lines.push(
      `| ${FLOOR_NAMES[contender]} | ${Math.round(median(runs.map((r) => r.result.perSecond))).toLocaleString('en-US')} | ` +
        `${median(runs.map((r) => r.result.p50Ms)).toFixed(2)} | ${median(runs.map((r) => r.result.p99Ms)).toFixed(2)} | ${median(runs.map((r) => r.cpuMsPerRequest)).toFixed(3)} |`,
    );
  }
  console.log(lines.join('\n'));
}

interface ApiPage {
  alertIds: string[];
  monitorIds: string[];
  hasNextPage: boolean;
}

/** One request, fully checked: HTTP status, GraphQL errors, page size and every alert's monitor. */
async function checkApiPage(request: HttpRequest, pageSize: number): Promise<ApiPage> {
  const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: BenchAlertsPageQuery | null; errors?: unknown[] };
  if (response.status !== 200 || body.errors || !body.data) {
    throw new Error(`the alerts page failed (HTTP ${response.status}): ${text.slice(0, 2_000)}`);
  }
  const nodes = body.data.alerts.nodes;
  if (nodes.length !== pageSize) throw new Error(`expected ${pageSize} alerts, got ${nodes.length}`);
  if (nodes.some((node) => !node.monitor.name)) throw new Error('an alert came back without its monitor');
  return {
    alertIds: nodes.map((node) => decodeGlobalId(node.id)!.id),
    monitorIds: [...new Set(nodes.map((node) => decodeGlobalId(node.monitor.id)!.id))],
    hasNextPage: body.data.alerts.pageInfo.hasNextPage,
  };
}

/** PostGraphile's page, asked once more with row ids: it must be the same alerts and monitors. */
async function checkPostGraphilePage(url: string, organizationId: string, pageSize: number, apiPage: ApiPage): Promise<void> {
  const withRowIds = postGraphileQuery.replace(/nodes \{/, 'nodes {\n      rowId').replace(/monitorByOrganizationIdAndMonitorId \{/, 'monitorByOrganizationIdAndMonitorId {\n        rowId');
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: withRowIds, variables: { organizationId, first: pageSize } }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const body = JSON.parse(text) as {
    data?: { allAlerts: { nodes: { rowId: string; monitorByOrganizationIdAndMonitorId: { rowId: string; name: string } }[]; pageInfo: { hasNextPage: boolean } } };
    errors?: unknown[];
  };
  if (response.status !== 200 || body.errors || !body.data) throw new Error(`PostGraphile's page failed (HTTP ${response.status}): ${text.slice(0, 2_000)}`);
  const nodes = body.data.allAlerts.nodes;
  const alertIds = nodes.map((node) => node.rowId);
  const monitorIds = new Set(nodes.map((node) => node.monitorByOrganizationIdAndMonitorId.rowId));
  const isSame =
    alertIds.join() === apiPage.alertIds.join() &&
    monitorIds.size === apiPage.monitorIds.length &&
    apiPage.monitorIds.every((id) => monitorIds.has(id)) &&
    body.data.allAlerts.pageInfo.hasNextPage === apiPage.hasNextPage;
  if (!isSame) throw new Error('PostGraphile does not read the same page as the API');
}

async function checkStatus(request: HttpRequest): Promise<void> {
  const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the raw contender failed (HTTP ${response.status}): ${text.slice(0, 2_000)}`);
}

function isClean(result: LoadResult): boolean {
  return result.non2xx === 0 && result.errors === 0 && result.graphqlErrors === 0;
}

function assertClean(what: string, result: LoadResult): void {
  if (!isClean(result)) throw new Error(`${what} had failures: ${summary(result)}`);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function printReport(report: {
  config: BenchConfig;
  revision: string;
  dataset: BenchDataset;
  machine: ReturnType<typeof describeMachine>;
  server: BenchDatabaseServer;
  measured: Measured[];
  statementCounts: number[];
  statements: string[];
  loadAverages: string;
}): void {
  const { config, dataset, machine, measured, statementCounts, statements } = report;
  const table: string[] = [
    '| c | Contender | req/s (median of rounds) | p50 ms | p99 ms | CPU ms/request | Vigil req/s ÷ this (per round) |',
    '|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const concurrency of config.concurrencies) {
    const ofRound = (contender: Contender, round: number) => measured.find((m) => m.contender === contender && m.round === round && m.result.concurrency === concurrency)!;
    for (const contender of CONTENDERS) {
      const runs = measured.filter((m) => m.contender === contender && m.result.concurrency === concurrency);
      const ratios = runs.map((run) => ofRound('vigil', run.round).result.perSecond / run.result.perSecond);
      table.push(
        `| ${concurrency} | ${CONTENDER_NAMES[contender]} | ${Math.round(median(runs.map((r) => r.result.perSecond))).toLocaleString('en-US')} | ` +
          `${median(runs.map((r) => r.result.p50Ms)).toFixed(2)} | ${median(runs.map((r) => r.result.p99Ms)).toFixed(2)} | ` +
          `${median(runs.map((r) => r.cpuMsPerRequest)).toFixed(2)} | ` +
          `${contender === 'vigil' ? '–' : `${median(ratios).toFixed(2)}× (${ratios.map((r) => r.toFixed(2)).join(', ')})`} |`,
      );
    }
  }
  const out = [
    '',
    '## Alerts page read benchmark',
    '',
    `Code: ${report.revision}`,
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB, ${machine.platform}; Node ${machine.node}; PostgreSQL ${machine.postgres} (${report.server.description})`,
    `Dataset: ${dataset.alertCount.toLocaleString('en-US')} alerts over ${dataset.organizationCount} organizations ` +
      `(${dataset.alertsPerOrganization.toLocaleString('en-US')} and ${dataset.monitorsPerOrganization} monitors each, interleaved in time); the measured organization is one of them`,
    `Vigil request (API key auth, first: ${config.pageSize}): ${query.replace(/#.*\n/g, '').replace(/\s+/g, ' ').trim()}`,
    `PostGraphile request (no auth): ${postGraphileQuery.replace(/#.*\n/g, '').replace(/\s+/g, ' ').trim()}`,
    `Rounds: ${config.rounds}, interleaved (Vigil, PostGraphile, raw; the first rotates each round), ${config.durationSeconds} s each, autocannon in the benchmark's process; ` +
      `warm-up ${config.warmupSeconds} s each; pool of ${config.poolMax} connections for every server; each server in its own process, CPU = its process.cpuUsage() over the run ÷ responses`,
    `1-minute load average: ${report.loadAverages}`,
    '',
    ...table,
    '',
    `SQL statements per Vigil request (${statementCounts.length} requests): ${statementCounts.join(', ')}`,
    ...statements.map((statement, i) => `  ${i + 1}. ${abbreviate(statement, 160)}`),
    'Raw = node:http + postgres.js sending exactly those statements (prepared) with the same parameters, answering with their rows as JSON.',
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
const budgetSeconds = 600 + 3 * config.warmupSeconds + config.rounds * config.concurrencies.length * 3 * (config.durationSeconds + 30);
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
