/**
 * Soak benchmark (issue #6, item 7): a real API process (`node src/main.ts --role=api`) under a
 * fixed-rate, open-loop mix of reads and mutations over HTTP for N minutes, while 1,000 graphql-ws
 * subscribers of `alertCreated` stay connected and alerts are created the way the scanner creates
 * them (upsertAlerts on a connection of the benchmark's own). Reports latency and errors per
 * operation, whether every subscriber got every alert of its organization exactly once, and
 * whether the API's memory stays flat.
 *
 *   node bench/soak.ts [--minutes=10] [--rate=50] [--subscribers=1000] [--alerts-per-second=1]
 *
 * Everything runs on 127.0.0.1 against the PostgreSQL of --database-url / BENCH_DATABASE_URL
 * (default postgres://root@127.0.0.1:5432/postgres), in a database of its own created for the run
 * and dropped after it. Bounded in time; stops everything it started, also on failure or Ctrl-C.
 */
import fs from 'node:fs';
import os from 'node:os';
import { describeRevision } from './lib/report.ts';
import { BenchRun, loadConfigOrExit } from './lib/run.ts';
import { shareOf } from './live/process-pool.ts';
import { readCpuSeconds, sleep } from './live/processes.ts';
import { repoRoot } from './live/config.ts';
import { startSoakApi, readMetrics, type SoakApi } from './soak/api.ts';
import { loadSoakConfig, SoakConfigError, type SoakConfig } from './soak/config.ts';
import { createSoakDatabase, ScannerWriter, seedOrganizations } from './soak/database.ts';
import { runLoad } from './soak/load.ts';
import { judgeMemory, MEMORY_SAMPLE_MS, MemoryWatch } from './soak/memory.ts';
import { MIX } from './soak/operations.ts';
import { WARM_UP_TITLE_PREFIX } from './soak/protocol.ts';
import { formatReport } from './soak/report.ts';
import { SubscriberPool } from './soak/subscribers.ts';

const RESULTS_FILE = new URL('./results-soak.md', import.meta.url);
const MAX_WARM_UP_ROUNDS = 10;
/** After the load, how long deliveries still on their way may take before what is missing counts as lost. */
const DELIVERY_GRACE_MS = 30_000;

function log(message: string): void {
  process.stderr.write(`[bench:soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Everything started so far and not yet stopped, stopped in reverse order whatever happens. */
const cleanups: { name: string; run: () => Promise<void> }[] = [];
async function cleanUp(): Promise<void> {
  for (const { name, run } of cleanups.splice(0).reverse()) {
    try {
      await run();
    } catch (error) {
      log(`error while stopping ${name}: ${String(error)}`);
    }
  }
}

/** Until a warm-up alert has reached every subscriber: the proof that each subscription is live. */
async function warmUpSubscribers(pool: SubscriberPool, scanner: ScannerWriter, organizations: Awaited<ReturnType<typeof seedOrganizations>>, expected: number): Promise<number> {
  let round = 0;
  for (let rounds = 1; rounds <= MAX_WARM_UP_ROUNDS; rounds++) {
    for (const organization of organizations) await scanner.create(organization, `${WARM_UP_TITLE_PREFIX.slice('Soak '.length)}${round++}`);
    const deadline = performance.now() + 10_000 + expected * 5;
    for (;;) {
      const progress = await pool.progress();
      if (progress.open < expected) throw new Error(`${expected - progress.open} of ${expected} subscribers were closed while subscribing`);
      if (progress.warmed === expected) return rounds;
      if (performance.now() > deadline) break;
      await sleep(200);
    }
  }
  throw new Error(`a warm-up alert had not reached every subscriber after ${MAX_WARM_UP_ROUNDS} rounds`);
}

async function main(config: SoakConfig): Promise<boolean> {
  const loadAtStart = os.loadavg();
  const database = await createSoakDatabase(config.databaseUrl, config.databaseName);
  if (!config.keepDatabase) cleanups.push({ name: 'the database', run: () => database.drop() });
  log(`database ${config.databaseName} created and migrated (PostgreSQL ${database.version})`);

  const seedStarted = performance.now();
  const organizations = await seedOrganizations(database.url, config);
  log(`seeded ${config.organizations} organizations × (${config.monitorsPerOrganization} monitors, ${config.alertsPerOrganization.toLocaleString('en-US')} alerts) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const api: SoakApi = await startSoakApi(database.url, config.rateLimitPoints);
  cleanups.push({ name: 'the API', run: () => api.stop() });
  log(`Vigil API (node src/main.ts --role=api) at ${api.url}, pid ${api.pid}`);

  const pool = await SubscriberPool.start(config.subscribers);
  cleanups.push({ name: 'the subscribers', run: () => pool.stop() });
  const groups = organizations.map((organization, organizationIndex) => ({
    organizationIndex,
    authorization: `Bearer ${organization.subscriberApiKey}`,
    count: shareOf(config.subscribers, organizations.length, organizationIndex),
  }));
  const connectStarted = performance.now();
  await pool.connect(api.url, groups);
  const scanner = new ScannerWriter(database.url);
  cleanups.push({ name: 'the scanner connection', run: () => scanner.end() });
  const warmUpRounds = await warmUpSubscribers(pool, scanner, organizations, config.subscribers);
  const activeAtStart = (await readMetrics(api.url)).activeSubscriptions;
  log(`${config.subscribers} subscribers (graphql-ws clients in ${pool.size} process(es)) live after ${((performance.now() - connectStarted) / 1000).toFixed(1)} s, ${warmUpRounds} warm-up round(s); the API counts ${activeAtStart} subscriptions`);

  log(`load: ${config.rate} ops/s + ${config.alertsPerSecond} alert(s)/s for ${config.minutes} min (warm-up ${config.warmUpMs / 1000} s)`);
  const loadStarted = performance.now();
  const memory = new MemoryWatch(api, loadStarted);
  const cpuBefore = readCpuSeconds(api.pid);
  const subscriberCpuBefore = pool.pids.reduce((sum, pid) => sum + readCpuSeconds(pid), 0);
  await memory.sample();
  const sampler = setInterval(() => void memory.sample(), MEMORY_SAMPLE_MS);
  const pending: Promise<unknown>[] = [];
  const timers = [
    setTimeout(() => pending.push(memory.checkpoint('warm-up end')), config.warmUpMs),
    setTimeout(() => pending.push(memory.checkpoint('middle')), config.warmUpMs + (config.durationMs - config.warmUpMs) / 2),
  ];
  let lastProgressLog = 0;
  const load = await runLoad({
    url: api.url,
    organizations,
    rate: config.rate,
    alertsPerSecond: config.alertsPerSecond,
    durationMs: config.durationMs,
    scanner,
    onTick: (elapsedMs) => {
      if (elapsedMs - lastProgressLog < 60_000) return;
      lastProgressLog = elapsedMs;
      const last = memory.samples.at(-1);
      log(`${(elapsedMs / 60_000).toFixed(0)} min: RSS ${last ? (last.rssBytes / 2 ** 20).toFixed(0) : '?'} MiB, heap ${last ? (last.heapUsedBytes / 2 ** 20).toFixed(0) : '?'} MiB, load ${os.loadavg()[0]!.toFixed(2)}`);
    },
  });
  timers.forEach(clearTimeout);
  clearInterval(sampler);
  await Promise.all(pending);
  await memory.checkpoint('end');
  const apiCpuSeconds = readCpuSeconds(api.pid) - cpuBefore;
  const subscriberCpuSeconds = pool.pids.reduce((sum, pid) => sum + readCpuSeconds(pid), 0) - subscriberCpuBefore;
  const loadAtEnd = os.loadavg();
  log(`load done in ${(load.elapsedMs / 1000).toFixed(1)} s; waiting for the last deliveries`);

  const expected = load.createdAlerts;
  let report = await pool.report(expected);
  const graceEnd = performance.now() + DELIVERY_GRACE_MS;
  while (report.lost > 0 && performance.now() < graceEnd) {
    await sleep(1_000);
    report = await pool.report(expected);
  }
  const progress = await pool.progress();
  const activeAtEnd = await readMetrics(api.url).then((m) => m.activeSubscriptions, () => Number.NaN);
  await pool.closeAll();

  const verdict = judgeMemory(memory, config.warmUpMs);
  const httpErrors = load.stats.reduce((sum, s) => sum + s.errors, 0);
  const closedByServer = Object.values(report.closedByServer).reduce((a, b) => a + b, 0);
  const errorsTotal =
    httpErrors + report.errors + report.lost + report.duplicates + report.unexpected + closedByServer + report.reconnects + (config.subscribers - progress.open);
  const perSecond = load.elapsedMs / 1000;
  const header = [
    `## Soak: ${config.minutes} min, ${config.rate} ops/s, ${config.subscribers.toLocaleString('en-US')} subscribers`,
    '',
    `- Command: \`node bench/soak.ts --minutes=${config.minutes} --rate=${config.rate} --subscribers=${config.subscribers} --alerts-per-second=${config.alertsPerSecond}${config.rateLimitPoints === 100_000_000 ? '' : ` --rate-limit-points=${config.rateLimitPoints}`}\`; run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; code ${describeRevision(repoRoot)}`,
    `- Machine: ${os.availableParallelism()} × ${os.cpus()[0]?.model.trim() ?? 'unknown'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; PostgreSQL ${database.version} on 127.0.0.1 (TCP)`,
    `- 1-minute load average: ${loadAtStart[0]!.toFixed(2)} at the start, ${loadAtEnd[0]!.toFixed(2)} at the end of the load — the 2 CPUs were shared with other engineers' work (test runs) during the run, and with this run's own PostgreSQL, subscriber process and load generator`,
    `- API: \`node src/main.ts --role=api\`, NODE_ENV=production, LOG_LEVEL=warn, DB_POOL_MAX=10, ${config.rateLimitPoints > 0 ? `RATE_LIMIT_POINTS=${config.rateLimitPoints} (every operation charged, none refused)` : 'RATE_LIMIT_POINTS=0 (rate limiting off)'}, GRAPHQL_INTROSPECTION=false, plus \`--inspect=127.0.0.1:0\` for the forced GCs at the memory checkpoints; ` +
      `CPU used during the load ${apiCpuSeconds.toFixed(0)} s (${((apiCpuSeconds / perSecond) * 100).toFixed(0)}% of one core); subscriber process ${subscriberCpuSeconds.toFixed(0)} s`,
    `- Data: ${config.organizations} organizations, each ${config.monitorsPerOrganization} monitors, ${config.alertsPerOrganization.toLocaleString('en-US')} alerts over 30 days, an owner, an analyst API key (the load) and a viewer API key (the subscribers)`,
    `- Load: open loop, operations dispatched by the clock at ${config.rate}/s whatever the answers, in the repeating mix ${MIX.join(', ')} ` +
      `(organizations in turn); latency counted from when each was due. alertsPage = \`alerts(first: 50)\` with each monitor (bench/operations/alerts-page.graphql); alertStats = 30 days by DAY; monitors = \`monitors(first: 20)\`; ` +
      `updateAlertStatus toggles one alert NEW ↔ ACKNOWLEDGED (a pool of 200 per organization, one change per alert at a time); addAlertNote adds a note. ` +
      `Plus ${config.alertsPerSecond} alert(s)/s created with \`upsertAlerts\` in a transaction on the benchmark's own connection (as the scanner does), organizations in turn`,
    `- Subscribers: ${config.subscribers.toLocaleString('en-US')} graphql-ws clients (\`createClient\`, ws, retryAttempts 0), ${groups.map((g) => g.count).join(' / ')} per organization, each \`alertCreated { cursor alert { id title } }\`, open from before the load to after it; ` +
      `delivery latency from the COMMIT acknowledgement of upsertAlerts' transaction to receipt. The API counted ${activeAtStart} subscriptions at the start and ${activeAtEnd} at the end`,
    `- Memory: VmRSS from /proc and \`vigil_process_nodejs_heap_size_used_bytes\` from /metrics every ${MEMORY_SAMPLE_MS / 1000} s; at the end of the warm-up (${config.warmUpMs / 1000} s), the middle and the end also after a forced full GC`,
  ];
  const text = formatReport({
    header,
    load,
    subscribers: report,
    subscribersRequested: config.subscribers,
    openAtEnd: progress.open,
    memory,
    verdict,
    apiWarnings: api.warnings(),
    errorsTotal,
  });
  fs.writeFileSync(RESULTS_FILE, `# Soak benchmark results\n\nWritten by \`node bench/soak.ts\`; see BENCHMARKS.md.\n\n${text}\n`);
  console.log(text);
  log(`results written to bench/results-soak.md`);
  return errorsTotal === 0 && verdict?.isFlat === true;
}

const config = loadConfigOrExit(loadSoakConfig, SoakConfigError);
const run = new BenchRun({
  log,
  cleanUp,
  timeoutMs: config.timeoutMs,
  timeoutReason: `did not finish within ${config.timeoutMs / 60_000} min`,
  signals: ['SIGINT', 'SIGTERM'],
});
run.start(() => main(config).then((isPassing) => (isPassing ? 0 : 1)));
