/**
 * Live fan-out benchmark (issue #4, item 8): N idle graphql-ws subscribers of `alertCreated` on one
 * real Vigil API process (`node src/main.ts --role=api`), then a burst of alerts, each committed in
 * its own transaction through the `postgres` driver. Measured: commit-to-receipt latency of every
 * (subscriber, alert) pair, lost and duplicated deliveries, and the API's RSS per idle connection —
 * next to a bare `ws` server broadcasting the same bytes to the same number of sockets.
 *
 *   npm run bench:live                                   # embedded PostgreSQL
 *   BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/postgres npm run bench:live
 *   BENCH_LIVE_SUBSCRIBERS=1000 BENCH_LIVE_ALERTS=20 BENCH_LIVE_ROUNDS=2 npm run bench:live
 *
 * Each subscriber count is measured in BENCH_LIVE_ROUNDS rounds (default 2), each Vigil then the bare
 * `ws` baseline on the same client processes, so the contenders are interleaved.
 *
 * Every process runs on 127.0.0.1: the server measured alone in its own, the subscribers in a few
 * client processes, and this one only writes alerts, keeps time and reports. Bounded by
 * BENCH_LIVE_TIMEOUT_SECONDS; stops everything it started, also on failure.
 */
import os from 'node:os';
import { BenchRun, loadConfigOrExit } from './lib/run.ts';
import { BenchConfigError, loadLiveBenchConfig, openFileLimits, type LiveBenchConfig } from './live/config.ts';
import { ClientPool } from './live/clients.ts';
import { freshDatabase, openAlertWriter, openDatabaseServer, seedTenant, type AlertWriter, type Commit } from './live/database.ts';
import { readCpuSeconds, readMemory, sleep } from './live/processes.ts';
import { markerFor, nowUs, type MarkerKind } from './live/protocol.ts';
import { describeMachine, formatResults, summarize, type PhaseResult } from './live/report.ts';
import { startBaselineServer, startVigilApi, type Target } from './live/targets.ts';

const SUBSCRIPTION = 'subscription { alertCreated { cursor alert { id title } } }';
/** Sockets opened, fed one alert and closed before the "before" RSS: one-time costs (lazy modules, JIT) stay out of the per-connection figure. */
const PREWARM_SOCKETS = 50;
/** Pause before reading memory, so that work still in flight (replies, timers) has finished. */
const SETTLE_MS = 3_000;
const MAX_WARM_UP_ROUNDS = 10;
const POLL_MS = 100;
/** Time allowed, after the last publish, for every pair to arrive; then whatever is missing is lost. */
const DELIVERY_TIMEOUT_MS = 120_000;
/** Time waited after the last expected receipt for duplicates that would come late. */
const DUPLICATE_WATCH_MS = 1_000;

function log(message: string): void {
  process.stderr.write(`[bench:live] ${message}\n`);
}

type Stoppable = { stop(): Promise<void> } | { end(): Promise<void> };

/** Everything started so far and not yet stopped, stopped in reverse order whatever happens. */
const running: Stoppable[] = [];
const stopOne = (resource: Stoppable) => ('stop' in resource ? resource.stop() : resource.end());
async function cleanUp(): Promise<void> {
  for (const resource of running.splice(0).reverse()) {
    try {
      await stopOne(resource);
    } catch (error) {
      log(`error while cleaning up: ${String(error)}`);
    }
  }
}
function track<T extends Stoppable>(resource: T): T {
  running.push(resource);
  return resource;
}
async function release(resource: Stoppable): Promise<void> {
  const index = running.indexOf(resource);
  if (index !== -1) running.splice(index, 1);
  await stopOne(resource);
}

/** Publishing an event on one of the servers: a committed alert for Vigil, a broadcast for the baseline. */
interface Publisher {
  /** Resolves with the moment the event counts as published (µs, CLOCK_MONOTONIC). */
  publish(kind: MarkerKind, index: number): Promise<number>;
  /** Publishes the burst; resolves with each alert's publish time. */
  burst(count: number): Promise<Float64Array>;
}

/** RSS and V8 heap after a full garbage collection: what the process holds, not when V8 last collected. */
async function retainedMemory(target: Target): Promise<{ rss: number; heap: number }> {
  await target.collectGarbage();
  await sleep(500);
  const rss = await medianRss(target.pid);
  return { rss, heap: await target.heapUsed() };
}

async function medianRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(readMemory(pid));
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

/**
 * Until a warm-up event has reached every socket. The API says nothing when a subscription is in
 * place, so an event that arrives is the proof; rounds repeat for sockets whose subscribe was
 * still being set up when the previous one went out.
 */
async function waitUntilAllSubscribed(pool: ClientPool, publisher: Publisher, expected: number, round: { next: number }): Promise<number> {
  const roundTimeoutMs = 5_000 + expected;
  for (let rounds = 1; rounds <= MAX_WARM_UP_ROUNDS; rounds++) {
    await publisher.publish('w', round.next++);
    const deadline = performance.now() + roundTimeoutMs;
    for (;;) {
      const progress = await pool.progress();
      if (progress.open < expected) throw new Error(`${expected - progress.open} of ${expected} sockets were closed while subscribing`);
      if (progress.warmed === expected) return rounds;
      if (performance.now() > deadline) break;
      await sleep(POLL_MS);
    }
  }
  throw new Error(`a warm-up event had not reached every socket after ${MAX_WARM_UP_ROUNDS} rounds`);
}

async function measure(
  round: number,
  target: Target & { name: PhaseResult['target'] },
  pool: ClientPool,
  publisher: Publisher,
  subscribers: number,
  burstAlerts: number,
  authorization: string,
): Promise<{ result: PhaseResult; sample: string | undefined }> {
  const connect = (total: number) => pool.connect({ url: target.url, total, authorization, query: SUBSCRIPTION, burstAlerts });
  const warmUp = { next: 0 };

  await connect(PREWARM_SOCKETS);
  await waitUntilAllSubscribed(pool, publisher, PREWARM_SOCKETS, warmUp);
  await pool.closeAll();
  await sleep(SETTLE_MS);
  const before = await retainedMemory(target);

  log(`${target.name}: connecting ${subscribers.toLocaleString('en-US')} subscribers`);
  const connectStarted = performance.now();
  await connect(subscribers);
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  const warmUpRounds = await waitUntilAllSubscribed(pool, publisher, subscribers, warmUp);
  const readySeconds = (performance.now() - connectStarted) / 1000;
  log(`${target.name}: ${subscribers} sockets acknowledged in ${connectSeconds.toFixed(1)} s, all subscribed after ${readySeconds.toFixed(1)} s (${warmUpRounds} warm-up round(s))`);
  await sleep(SETTLE_MS);
  const rssIdleUncollectedBytes = await medianRss(target.pid);
  const idle = await retainedMemory(target);

  log(`${target.name}: burst of ${burstAlerts} alerts`);
  const expectedPairs = subscribers * burstAlerts;
  await target.startLoopDelay();
  const cpuBefore = readCpuSeconds(target.pid);
  const burstStarted = performance.now();
  const publishedUs = await publisher.burst(burstAlerts);
  const deadline = performance.now() + DELIVERY_TIMEOUT_MS;
  let progress = await pool.progress();
  while (progress.burstReceipts < expectedPairs && performance.now() < deadline) {
    await sleep(POLL_MS);
    progress = await pool.progress();
  }
  const burstWallSeconds = (performance.now() - burstStarted) / 1000;
  const burstCpuSeconds = readCpuSeconds(target.pid) - cpuBefore;
  const loopDelay = await target.takeLoopDelay();
  await sleep(DUPLICATE_WATCH_MS);
  const report = await pool.report(publishedUs);
  const peakRssBytes = readMemory(target.pid, 'VmHWM');
  if (report.firstUnexpected) log(`${target.name}: unexpected message: ${report.firstUnexpected}`);
  await pool.closeAll();
  const result: PhaseResult = {
    target: target.name,
    round,
    subscribers,
    connectSeconds,
    readySeconds,
    warmUpRounds,
    rssBeforeBytes: before.rss,
    rssIdleBytes: idle.rss,
    rssIdleUncollectedBytes,
    heapBeforeBytes: before.heap,
    heapIdleBytes: idle.heap,
    peakRssBytes,
    burstCpuSeconds,
    burstWallSeconds,
    latency: summarize(report.latenciesMs),
    firstAlertToAllMs: report.lastReceiptMs[0] ?? Number.NaN,
    loopDelayMaxMs: loopDelay.maxMs,
    lost: report.lost,
    duplicates: report.duplicates,
    unexpectedMessages: report.unexpectedMessages,
    closedByServer: report.closedByServer,
    drops: report.drops.map((d) => ({
      afterBurstStartSeconds: (d.atUs - publishedUs[0]!) / 1e6,
      alertsReceived: d.alertsReceived,
      lastPingAfterBurstStartSeconds: (d.lastPingUs - publishedUs[0]!) / 1e6,
    })),
    payloadBytes: report.sample ? Buffer.byteLength(report.sample) : Number.NaN,
  };
  return { result, sample: report.sample };
}

function vigilPublisher(writer: AlertWriter, commits: Commit[]): Publisher {
  return {
    publish: async (kind, index) => (await writer.commit(markerFor(kind, index))).ackUs,
    async burst(count) {
      const published = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const commit = await writer.commit(markerFor('a', i));
        commits.push(commit);
        published[i] = commit.ackUs;
      }
      return published;
    },
  };
}

/**
 * The baseline broadcasts Vigil's own message for the alert (same bytes, marker swapped) and
 * replays the burst on Vigil's schedule: alert i goes out as long after alert 0 as its commit did.
 */
function baselinePublisher(broadcast: (text: string) => void, template: string, schedule: number[]): Publisher {
  const templateMarker = markerFor('a', 0);
  const textFor = (kind: MarkerKind, index: number) => template.replace(templateMarker, markerFor(kind, index));
  return {
    async publish(kind, index) {
      const text = textFor(kind, index);
      const at = nowUs();
      broadcast(text);
      return at;
    },
    async burst(count) {
      const published = new Float64Array(count);
      const startedUs = nowUs();
      for (let i = 0; i < count; i++) {
        const dueUs = startedUs + (schedule[i] ?? 0);
        const waitMs = (dueUs - nowUs()) / 1000;
        if (waitMs >= 1) await sleep(Math.floor(waitMs));
        while (nowUs() < dueUs) await new Promise<void>((resolve) => setImmediate(resolve));
        const text = textFor('a', i);
        published[i] = nowUs();
        broadcast(text);
      }
      return published;
    },
  };
}

async function measureSubscriberCount(
  round: number,
  config: LiveBenchConfig,
  adminUrl: string,
  subscribers: number,
): Promise<{ vigil: PhaseResult; baseline: PhaseResult; commitRttMs: number[] }> {
  const url = await freshDatabase(adminUrl, config.databaseName);
  const tenant = await seedTenant(url);
  const authorization = `Bearer ${tenant.apiKey}`;
  const pool = track(await ClientPool.start(config.clientProcesses(subscribers)));
  log(`N = ${subscribers}: fresh database ${config.databaseName}, ${pool.size} client processes`);

  const api = track(await startVigilApi(url));
  log(`Vigil API (node src/main.ts --role=api) at ${api.url}, pid ${api.pid}`);
  const writer = track(await openAlertWriter(url, tenant));
  const commits: Commit[] = [];
  let vigil: { result: PhaseResult; sample: string | undefined };
  try {
    vigil = await measure(round, { ...api, name: 'Vigil' }, pool, vigilPublisher(writer, commits), subscribers, config.burstAlerts, authorization);
  } catch (error) {
    if (!run.isAborting) log(`the API's log:\n${api.output()}`);
    throw error;
  }
  await release(writer);
  await release(api);
  if (!vigil.sample) throw new Error('no burst message reached any Vigil subscriber: nothing to model the baseline payload on');

  const baselineServer = track(await startBaselineServer());
  log(`bare ws server at ${baselineServer.url}, pid ${baselineServer.pid}`);
  const schedule = commits.map((c) => c.ackUs - commits[0]!.ackUs);
  const baseline = await measure(
    round,
    { ...baselineServer, name: 'bare ws' },
    pool,
    baselinePublisher(baselineServer.broadcast, vigil.sample, schedule),
    subscribers,
    config.burstAlerts,
    authorization,
  );
  await release(baselineServer);
  await release(pool);
  return { vigil: vigil.result, baseline: baseline.result, commitRttMs: commits.map((c) => (c.ackUs - c.sentUs) / 1000) };
}

async function main(config: LiveBenchConfig): Promise<void> {
  // Other work on the machine shares its cores with every process here: said in the report.
  const loadAtStart = os.loadavg()[0]!;
  const limits = openFileLimits();
  const largest = Math.max(...config.subscriberCounts);
  if (limits.hard < largest + 256) {
    throw new Error(
      `the hard open-file limit is ${limits.hard}, but a server holding ${largest} sockets needs about ${largest + 256}: ` +
        `raise it (e.g. \`ulimit -Hn 65536\` as root, or LimitNOFILE) or lower BENCH_LIVE_SUBSCRIBERS`,
    );
  }
  const server = track(await openDatabaseServer(config, log));
  log(`database: ${server.description}, PostgreSQL ${server.version}`);

  const results: PhaseResult[] = [];
  const notes: string[] = [];
  // Rounds interleave the contenders (Vigil, bare ws, Vigil, bare ws, …): a change in the machine's
  // load during the run weighs on both rather than on one.
  for (let round = 1; round <= config.rounds; round++) for (const subscribers of config.subscriberCounts) {
    log(`round ${round} of ${config.rounds}, N = ${subscribers}`);
    const { vigil, baseline, commitRttMs } = await measureSubscriberCount(round, config, server.adminUrl, subscribers);
    results.push(vigil, baseline);
    const sortedRtt = [...commitRttMs].sort((a, b) => a - b);
    const mibOf = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    notes.push(
      `- round ${round}, N = ${subscribers.toLocaleString('en-US')}: ${vigil.payloadBytes}-byte messages; COMMIT round trip p50 ${sortedRtt[Math.floor(sortedRtt.length / 2)]!.toFixed(2)} ms ` +
        `(latency counts from the COMMIT acknowledgement); warm-up rounds until every socket was subscribed: Vigil ${vigil.warmUpRounds}, bare ws ${baseline.warmUpRounds}; ` +
        `unexpected messages: Vigil ${vigil.unexpectedMessages}, bare ws ${baseline.unexpectedMessages}; ` +
        `RSS with N idle before the forced GC: Vigil ${mibOf(vigil.rssIdleUncollectedBytes)}, bare ws ${mibOf(baseline.rssIdleUncollectedBytes)}`,
    );
    const range = (values: number[]) => {
      const known = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      return known.length ? `${known[0]!.toFixed(1)} and ${known.at(-1)!.toFixed(1)}` : 'never (no ping received) and never';
    };
    for (const r of [vigil, baseline]) {
      if (r.drops.length === 0) continue;
      const times = r.drops.map((d) => d.afterBurstStartSeconds).sort((a, b) => a - b);
      const complete = r.drops.filter((d) => d.alertsReceived === config.burstAlerts).length;
      notes.push(
        `- round ${round}, N = ${subscribers.toLocaleString('en-US')}, ${r.target}: the server dropped ${r.drops.length} sockets (close codes ${JSON.stringify(r.closedByServer)}) between ${times[0]!.toFixed(1)} s and ${times.at(-1)!.toFixed(1)} s ` +
          `after the first commit of the burst; ${complete} of them had already received all ${config.burstAlerts} alerts; ` +
          `their last keep-alive ping had arrived between ${range(r.drops.map((d) => d.lastPingAfterBurstStartSeconds))} s after that commit`,
      );
    }
    log(`round ${round}, N = ${subscribers}: Vigil p50 ${vigil.latency.p50.toFixed(1)} ms p99 ${vigil.latency.p99.toFixed(1)} ms; bare ws p50 ${baseline.latency.p50.toFixed(1)} ms p99 ${baseline.latency.p99.toFixed(1)} ms`);
  }

  console.log(`## Live fan-out: ${config.burstAlerts} alerts to N idle alertCreated subscribers\n`);
  console.log(describeMachine(server.version, limits).join('\n'));
  console.log(`- database: ${server.description}`);
  console.log(`- 1-minute load average: ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end (this run's own processes included)\n`);
  console.log(formatResults(results, config.burstAlerts));
  console.log(`\n${notes.join('\n')}`);

  // Sockets the server dropped are reported, not failed on: what a subscriber must get is every alert once.
  const failures = results.filter((r) => r.lost > 0 || r.duplicates > 0 || r.unexpectedMessages > 0);
  if (failures.length > 0) {
    throw new Error(`deliveries were lost, duplicated or wrong: ${failures.map((r) => `${r.target} round ${r.round} N=${r.subscribers}`).join(', ')}`);
  }
}

const config = loadConfigOrExit(loadLiveBenchConfig, BenchConfigError);
const run = new BenchRun({
  log,
  cleanUp,
  timeoutMs: config.timeoutMs,
  timeoutReason: `timed out after ${config.timeoutMs / 1000} s (BENCH_LIVE_TIMEOUT_SECONDS)`,
  signals: ['SIGINT'],
});
run.start(() => main(config).then(() => 0));
