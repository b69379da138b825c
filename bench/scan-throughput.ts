/**
 * Scan throughput: N due monitors (demo source, rules analyzer) scanned through the real
 * graphile-worker, against graphile-worker's own no-op job rate measured in the same run.
 * Then tokens per new finding with the LLM analyzer (a local OpenAI-compatible stand-in),
 * batched versus one call per finding.
 *
 *   npm run bench:scans                       # embedded PostgreSQL
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/postgres npm run bench:scans
 *
 * Talks only to 127.0.0.1; bounded by BENCH_MONITORS and a timeout; exits by itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import postgres from 'postgres';
import { Logger as WorkerLogger, run } from 'graphile-worker';
import { loadConfig } from '../src/config.ts';
import { connectDatabase } from '../src/db/client.ts';
import { createLogger } from '../src/lib/logger.ts';
import { enqueueDueMonitors } from '../src/services/scans.ts';
import { startWorker } from '../src/worker/runner.ts';
import { openBenchServer, type BenchServer } from './lib/server.ts';

const env = process.env;
const MONITORS = Number(env.BENCH_MONITORS ?? 10_000);
const CONCURRENCY = Number(env.BENCH_WORKER_CONCURRENCY ?? 10);
const TIMEOUT_MS = Number(env.BENCH_TIMEOUT_SECONDS ?? 600) * 1000;
const LLM_MONITORS = Number(env.BENCH_LLM_MONITORS ?? 50);
const DATABASE = 'vigil_bench_scans';
const silentWorkerLogger = new WorkerLogger(() => () => {});

function log(message: string): void {
  process.stderr.write(`[bench:scans] ${message}\n`);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * graphile-worker alone: N jobs that do nothing, same concurrency, same database; with graphile's
 * defaults, or with the local queue Vigil's worker uses (WORKER_LOCAL_QUEUE_SIZE, concurrency + 1).
 */
async function measureNoopJobs(url: string, count: number, localQueueSize?: number): Promise<number> {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  await sql`select graphile_worker.add_jobs(array(
    select row('bench__noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec
    from generate_series(1, ${count})))`;
  const started = performance.now();
  const runner = await run({
    connectionString: url,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 100,
    logger: silentWorkerLogger,
    taskList: { bench__noop: async () => {} },
    preset: localQueueSize ? { worker: { localQueue: { size: localQueueSize } } } : undefined,
  });
  await waitUntil(async () => (await sql`select count(*)::int as n from graphile_worker._private_jobs`)[0]!.n === 0, TIMEOUT_MS);
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  await sql.end();
  return count / seconds;
}

async function seedMonitors(url: string, count: number, sources: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const perOrg = 100;
  const orgs = Math.ceil(count / perOrg);
  await sql.begin(async (tx) => {
    await tx`insert into organizations (name, plan, credit_balance, allows_demo_source)
      select 'Bench org ' || g, 'business', 1000000, true from generate_series(1, ${orgs}) g`;
    await tx`insert into monitors (organization_id, name, kind, terms, sources, frequency, interval_minutes, next_scan_at)
      select o.id, 'Monitor ' || o.name || ' #' || g, 'brand', array['Brand' || (row_number() over ())::text], ${sql.array([sources])}::text[],
             'interval', 60, now() - interval '1 minute'
      from organizations o cross join generate_series(1, ${perOrg}) g`;
    // Trim to exactly `count` monitors.
    await tx`delete from monitors where id in (select id from monitors offset ${count})`;
  });
  await sql.end();
}

interface ScanRun {
  seconds: number;
  scansPerSecond: number;
  alerts: number;
  findings: number;
  /** Statements Vigil's own pool sent per scan (graphile-worker's job fetches and completions not counted). */
  statementsPerScan: number;
  /** CPU of this process (worker, scheduler and the benchmark's polling) per scan, user + system. */
  workerCpuMsPerScan: number;
}

async function measureScans(url: string, count: number): Promise<ScanRun> {
  await seedMonitors(url, count, 'demo');
  const config = { ...loadConfig({}), workerConcurrency: CONCURRENCY };
  let statements = 0;
  const database = connectDatabase(url, { max: CONCURRENCY + 2, onQuery: () => (statements += 1) });
  const logger = createLogger('warn');
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const worker = await startWorker({ databaseUrl: url, db: database.db, config, logger, encryptionKey: undefined, isCronEnabled: false, pollInterval: 100 });
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  // What the every-minute cron does: claim every due monitor, in batches.
  let claimed = 0;
  for (;;) {
    const batch = await enqueueDueMonitors(database.db, config.scanning.schedulerBatchSize);
    claimed += batch;
    if (batch < config.scanning.schedulerBatchSize) break;
  }
  if (claimed !== count) throw new Error(`claimed ${claimed} monitors, expected ${count}`);
  await waitUntil(async () => (await sql`select count(*)::int as n from scans where status = 'succeeded'`)[0]!.n >= count, TIMEOUT_MS);
  const seconds = (performance.now() - started) / 1000;
  const statementsPerScan = statements / count;
  const cpu = process.cpuUsage(cpuAtStart);
  const workerCpuMsPerScan = (cpu.user + cpu.system) / 1000 / count;
  const [totals] = await sql`select (select count(*)::int from alerts) as alerts, (select count(*)::int from findings) as findings,
    (select count(*)::int from scans where status <> 'succeeded') as unfinished`;
  if (totals!.unfinished !== 0) throw new Error(`${totals!.unfinished} scans did not succeed`);
  await worker.stop();
  await sql.end();
  await database.close();
  return { seconds, scansPerSecond: count / seconds, alerts: totals!.alerts, findings: totals!.findings, statementsPerScan, workerCpuMsPerScan };
}

/** An OpenAI-compatible chat-completions stand-in that counts tokens the way a tokenizer roughly would (4 chars a token). */
async function startLlmStandIn(): Promise<{ url: string; calls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: { content: string }[] };
      const user = JSON.parse(body.messages.at(-1)!.content) as { findings: { index: number; title: string }[] };
      const results = user.findings.map((f) => ({
        index: f.index,
        isThreat: /verify|password|dump|giveaway|replica|support/i.test(f.title),
        category: 'phishing',
        severity: 'high',
        confidence: 0.9,
        rationale: 'Imitates the brand to collect credentials.',
      }));
      const content = JSON.stringify({ results });
      const promptTokens = Math.ceil(body.messages.reduce((n, m) => n + m.content.length, 0) / 4) + 7 * body.messages.length;
      const completionTokens = Math.ceil(content.length / 4);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${calls}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'stand-in',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, calls: () => calls, close: () => new Promise((r) => server.close(() => r())) };
}

interface TokenRun {
  batchSize: number;
  calls: number;
  newFindings: number;
  llmFindings: number;
  tokens: number;
  secondScanTokens: number;
}

async function measureTokens(server: BenchServer, batchSize: number): Promise<TokenRun> {
  const url = await server.database(DATABASE, { isFresh: true });
  await seedMonitors(url, LLM_MONITORS, 'demo');
  const llm = await startLlmStandIn();
  const base = loadConfig({});
  const config = {
    ...base,
    workerConcurrency: CONCURRENCY,
    scanning: { ...base.scanning, openai: { ...base.scanning.openai, apiKey: 'sk-bench', baseUrl: llm.url, model: 'stand-in', batchSize } },
  };
  const database = connectDatabase(url, { max: CONCURRENCY + 2 });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const worker = await startWorker({ databaseUrl: url, db: database.db, config, logger: createLogger('warn'), encryptionKey: undefined, isCronEnabled: false, pollInterval: 100 });
  const scanAll = async (expected: number) => {
    await enqueueDueMonitors(database.db, 10_000);
    await waitUntil(async () => (await sql`select count(*)::int as n from scans where status = 'succeeded'`)[0]!.n >= expected, TIMEOUT_MS);
  };
  await scanAll(LLM_MONITORS);
  const [first] = await sql`select sum(prompt_tokens + completion_tokens)::int as tokens, sum(findings_new)::int as fresh from scans`;
  const [sentToLlm] = await sql`select count(*)::int as n from findings where suppressed_reason is null or suppressed_reason like 'analyzer:%'`;
  const callsAfterFirst = llm.calls();
  // The same content again: every finding is already seen, so nothing may reach the LLM.
  await sql`update monitors set next_scan_at = now() - interval '1 minute'`;
  await sql`update scans set queued_at = queued_at`;
  await scanAll(LLM_MONITORS * 2);
  const [second] = await sql`select coalesce(sum(prompt_tokens + completion_tokens), 0)::int as tokens from scans where id not in (
      select id from scans order by queued_at asc limit ${LLM_MONITORS})`;
  await worker.stop();
  await sql.end();
  await database.close();
  await llm.close();
  return { batchSize, calls: callsAfterFirst, newFindings: first!.fresh, llmFindings: sentToLlm!.n, tokens: first!.tokens, secondScanTokens: second!.tokens };
}

async function main(): Promise<void> {
  const server = await openBenchServer();
  try {
    log(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
    // A fresh, migrated database for each measure: each starts from the same point.
    const loadAtStart = os.loadavg();
    const localQueueSize = CONCURRENCY + 1;
    // The no-op rates before and after the scans: on a shared machine the load moves during a run,
    // so the ratios divide by the mean of the two.
    const noopRates = async () => {
      log(`baseline: ${MONITORS} no-op graphile-worker jobs, concurrency ${CONCURRENCY}`);
      const plain = await measureNoopJobs(await server.database(DATABASE, { isFresh: true }), MONITORS);
      log(`baseline: ${MONITORS} no-op graphile-worker jobs, concurrency ${CONCURRENCY}, local queue ${localQueueSize}`);
      const localQueue = await measureNoopJobs(await server.database(DATABASE, { isFresh: true }), MONITORS, localQueueSize);
      return { plain, localQueue };
    };
    const noopBefore = await noopRates();
    log(`scans: ${MONITORS} due monitors, demo source, rules analyzer`);
    const scans = await measureScans(await server.database(DATABASE, { isFresh: true }), MONITORS);
    const loadAfterScans = os.loadavg();
    const noopAfter = await noopRates();
    log(`tokens: ${LLM_MONITORS} monitors with the LLM analyzer, batched and one finding per call`);
    const batched = await measureTokens(server, 10);
    const single = await measureTokens(server, 1);

    const noopPlain = (noopBefore.plain + noopAfter.plain) / 2;
    const noopLocalQueue = (noopBefore.localQueue + noopAfter.localQueue) / 2;
    const rate = (before: number, after: number) => `${before.toFixed(0)} / ${after.toFixed(0)} jobs/s`;
    const rows = [
      ['graphile-worker no-op jobs, before / after the scans (baseline)', rate(noopBefore.plain, noopAfter.plain), `${(MONITORS / noopPlain).toFixed(1)} s for ${MONITORS} (mean)`],
      [`graphile-worker no-op jobs, local queue ${localQueueSize} (as Vigil's worker)`, rate(noopBefore.localQueue, noopAfter.localQueue), `${(MONITORS / noopLocalQueue).toFixed(1)} s for ${MONITORS} (mean)`],
      ['scans (demo source, rules analyzer)', `${scans.scansPerSecond.toFixed(0)} scans/s`, `${scans.seconds.toFixed(1)} s for ${MONITORS}`],
      ['ratio scans / no-op jobs', (scans.scansPerSecond / noopPlain).toFixed(2), ''],
      ['ratio scans / no-op jobs with the local queue', (scans.scansPerSecond / noopLocalQueue).toFixed(2), ''],
    ];
    console.log('\n| Measure | Rate | Total |\n|---|---|---|');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    console.log(`\nScans produced ${scans.findings} findings and ${scans.alerts} alerts; Vigil sent ${scans.statementsPerScan.toFixed(2)} statements per scan; the worker process used ${scans.workerCpuMsPerScan.toFixed(2)} ms of CPU per scan.`);
    const loads = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
    console.log(`Load average (1, 5, 15 min) at the start: ${loads(loadAtStart)}; after the scans: ${loads(loadAfterScans)}.`);
    console.log('\n| LLM batching | Calls | New findings | Judged by the LLM | Tokens | Tokens per new finding | Tokens on the second scan (half its findings recur, unanalyzed) |\n|---|---|---|---|---|---|---|');
    for (const t of [batched, single]) {
      console.log(`| ${t.batchSize === 1 ? 'one finding per call' : `${t.batchSize} findings per call`} | ${t.calls} | ${t.newFindings} | ${t.llmFindings} | ${t.tokens} | ${(t.tokens / t.newFindings).toFixed(1)} | ${t.secondScanTokens} |`);
    }
    console.log(`\nBatched tokens / one-per-call tokens: ${(batched.tokens / single.tokens).toFixed(2)}`);
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
