import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.ts';
import { startOpsServer, type OpsServer } from '../../src/worker/ops-server.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { createMonitor, signUpAccount } from '../helpers/fixtures.ts';
import { waitUntil } from '../helpers/live.ts';
import { startTestWorker, testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { queueScan, readScan, rssFeed, startOpenAiStub, startRouteServer, verdictsFor, type OpenAiStub, type RouteServer } from '../helpers/stubs.ts';

let server: TestServer;
let openai: OpenAiStub;
let feeds: RouteServer;
let worker: WorkerHandle;
let ops: OpsServer;

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
  openai = await startOpenAiStub((call) => ({
    verdicts: verdictsFor(call, () => ({ isThreat: true, category: 'phishing', severity: 'high', confidence: 0.9, rationale: 'LLM: fake login' })),
    usage: { prompt_tokens: 1_200, completion_tokens: 300 },
  }));
  const tag = randomBytes(4).toString('hex');
  feeds = await startRouteServer({
    '/feed': { body: rssFeed([{ title: 'Acme account suspended', url: `https://acme-login-verify.xyz/${tag}`, text: 'Verify your Acme password now' }]) },
  });
  const base = testScanningConfig().openai;
  const metrics = createMetrics({ database: server.database });
  worker = await startTestWorker(server, {
    metrics,
    scanning: testScanningConfig({ openai: { ...base, apiKey: 'sk-test-0123456789abcdefghij', baseUrl: openai.baseUrl, priceInputPerMTok: 2, priceOutputPerMTok: 10 } }),
  });
  ops = await startOpsServer({ database: server.database, metrics, readiness: { workerMaxAgeSeconds: 30 }, port: 0, host: '127.0.0.1' });
});
afterEach(async () => {
  await server.database.sql`delete from graphile_worker._private_jobs`;
});
afterAll(async () => {
  await ops?.stop();
  await worker?.stop();
  await Promise.all([openai?.close(), feeds?.close()]);
  await server?.stop();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${ops.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** The value of one sample, e.g. `vigil_jobs_total{task="monitor__scan",outcome="success"}`; 0 when absent. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

describe('the worker’s /health, /ready and /metrics', () => {
  it('answers /health and /ready like the API', async () => {
    expect(await (await fetch(`${ops.url}/health`)).json()).toEqual({ status: 'ok' });
    const response = await fetch(`${ops.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ isReady: true, database: 'ok', migrations: 'current', worker: 'ok' });
    expect((await fetch(`${ops.url}/nothing`)).status).toBe(404);
  });

  it('a scan job moves the job counter, the scan duration and the LLM usage', async () => {
    const before = await scrape();
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
    const scanId = await queueScan(server, account.accessToken, monitorId);
    await waitUntil(async () => (await readScan(server, account.accessToken, scanId)).status === 'SUCCEEDED', 'the scan to succeed', 15_000);
    const scan = await readScan(server, account.accessToken, scanId);
    expect(scan).toMatchObject({ promptTokens: 1_200, completionTokens: 300 });

    const success = 'vigil_jobs_total{task="monitor__scan",outcome="success"}';
    // The job is counted once graphile-worker reports it done, a moment after the scan is recorded.
    await waitUntil(async () => sample(await scrape(), success) === sample(before, success) + 1, 'the job to be counted', 5_000);
    const after = await scrape();
    const delta = (name: string) => sample(after, name) - sample(before, name);
    expect(delta('vigil_scan_duration_seconds_count{status="succeeded"}')).toBe(1);
    expect(delta('vigil_scan_duration_seconds_sum{status="succeeded"}')).toBeGreaterThan(0);
    expect(delta('vigil_llm_tokens_total{kind="prompt"}')).toBe(1_200);
    expect(delta('vigil_llm_tokens_total{kind="completion"}')).toBe(300);
    expect(delta('vigil_llm_cost_usd_total')).toBeCloseTo(scan.costUsd, 9);
    expect(scan.costUsd).toBeCloseTo((1_200 * 2 + 300 * 10) / 1_000_000, 9);
  });

  it('a job that fails for good is counted as failed, one that will be retried as retry', async () => {
    const before = await scrape();
    await server.database.sql`select graphile_worker.add_job('monitor__scan', '{"monitorId":"not-a-uuid"}'::json, max_attempts := 1)`;
    await server.database.sql`select graphile_worker.add_job('monitor__scan', '{"monitorId":"also-not-a-uuid"}'::json, max_attempts := 2)`;
    const failed = 'vigil_jobs_total{task="monitor__scan",outcome="failed"}';
    const retry = 'vigil_jobs_total{task="monitor__scan",outcome="retry"}';
    await waitUntil(
      async () => {
        const text = await scrape();
        return sample(text, failed) - sample(before, failed) === 1 && sample(text, retry) - sample(before, retry) === 1;
      },
      'one failed and one retried job',
      5_000,
    );
  });
});
