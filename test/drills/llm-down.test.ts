/**
 * Drill: the LLM endpoint goes down and comes back. Scans are queued through the GraphQL API and
 * run by a real graphile-worker pool whose OpenAI settings never change; only the endpoint does:
 * refusing connections, answering 500, hanging past the client's timeout, then answering again.
 * (test/scanning/openai.test.ts covers the analyzer's answers one scan at a time, in-process.)
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { testScanningConfig, startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { monitorAlerts, queueScan, readScan, rssFeed, startRouteServer, waitFor, type FeedEntry, type RouteServer } from '../helpers/stubs.ts';
import { startSwitchableLlm, type LlmMode, type SwitchableLlm } from './helpers/llm.ts';

let server: TestServer;
let worker: WorkerHandle;
let llm: SwitchableLlm;
let feeds: RouteServer;
let account: TestAccount;
let monitorId: string;

/** The LLM's opinion, worded so a test can tell it from the rules'. */
function llmJudge(finding: { url: string }) {
  if (finding.url.includes('paste.example')) return { isThreat: true, category: 'data_leak', severity: 'critical', confidence: 0.97, rationale: 'LLM: credential dump' };
  return { isThreat: true, category: 'impersonation', severity: 'high', confidence: 0.88, rationale: 'LLM: fake Acme login page' };
}

/** Two findings the rules take for threats, never seen before (the analyzer cache is keyed by content). */
function freshFindings(tag = randomBytes(4).toString('hex')): FeedEntry[] {
  return [
    { title: 'Acme account suspended', url: `https://acme-login-verify.xyz/signin/${tag}`, text: 'Verify your Acme password now to unlock your account' },
    { title: 'Acme customer database dump', url: `https://paste.example.net/raw/${tag}`, text: 'Leaked Acme credentials from a breach' },
  ];
}

/** Puts `entries` in the feed, queues a scan through the API and waits for the worker to finish it. */
async function scanThroughWorker(monitor: string, entries: FeedEntry[]) {
  feeds.routes['/feed'] = { body: rssFeed(entries) };
  const scanId = await queueScan(server, account.accessToken, monitor);
  const scan = await waitFor(() => readScan(server, account.accessToken, scanId), (s) => !['QUEUED', 'RUNNING'].includes(s.status), 20_000);
  const urls = new Set(entries.map((e) => e.url));
  const alerts = (await monitorAlerts(server, account.accessToken, monitor)).filter((a) => a.url && urls.has(a.url));
  return { scan, alerts };
}

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
  llm = await startSwitchableLlm(llmJudge);
  feeds = await startRouteServer({ '/feed': { body: rssFeed([]) } });
  account = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken, { name: 'Acme brand', sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
  const base = testScanningConfig().openai;
  worker = await startTestWorker(server, {
    // One retry, a one-second timeout: the outage costs a scan seconds, not minutes.
    scanning: testScanningConfig({ openai: { ...base, apiKey: 'sk-drill-0123456789', baseUrl: llm.baseUrl, model: 'gpt-drill', timeoutMs: 1_000, maxRetries: 1 } }),
  });
});

afterAll(async () => {
  await worker?.stop();
  await llm?.close();
  await feeds?.close();
  await server?.stop();
});

describe('drill: the LLM is down', () => {
  const outages: { name: string; mode: LlmMode | 'refused' }[] = [
    { name: 'refusing connections', mode: 'refused' },
    { name: 'answering 500', mode: 'error-500' },
    { name: 'hanging past the timeout', mode: 'hang' },
  ];

  it.each(outages)('$name: the scan still completes, the rules judge, alerts are marked unverified and the scan says why', async ({ mode }) => {
    if (mode === 'refused') await llm.stop();
    else llm.mode = mode;
    const callsBefore = llm.calls.length;
    const entries = freshFindings();

    const { scan, alerts } = await scanThroughWorker(monitorId, entries);

    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsNew: 2, alertsCreated: 2, promptTokens: 0, costUsd: 0 });
    expect(scan.error).toContain('LLM unavailable: 2 findings judged by the rules instead (alerts marked unverified)');
    expect(alerts.map((a) => [a.url, a.category, a.isUnverified]).sort()).toEqual(
      [
        [entries[0]!.url, 'PHISHING', true],
        [entries[1]!.url, 'DATA_LEAK', true],
      ].sort(),
    );
    expect(alerts.every((a) => a.rationale?.startsWith('Rules'))).toBe(true);
    // The worker really tried: the request and the SDK's one retry, or nothing reached a closed port.
    expect(llm.calls.length - callsBefore).toBe(mode === 'refused' ? 0 : 2);
    await llm.start();
    llm.mode = 'up';
  });

  it('once it is back, new findings are judged by the LLM again, and nothing judged during the outage was remembered as its verdict', async () => {
    // Met during the outage by the first monitor…
    const duringOutage = freshFindings();
    await llm.stop();
    const first = await scanThroughWorker(monitorId, duringOutage);
    expect(first.alerts.every((a) => a.isUnverified)).toBe(true);
    await llm.start();
    const callsBefore = llm.calls.length;

    // …then, with the LLM back: new findings on the same monitor, and the outage's content met by
    // a second monitor with the same terms (same verdict-cache scope).
    const fresh = freshFindings();
    const back = await scanThroughWorker(monitorId, fresh);
    const twin = await createMonitor(server, account.accessToken, { name: 'Acme brand (twin)', sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
    const again = await scanThroughWorker(twin, duringOutage);

    for (const { scan, alerts } of [back, again]) {
      expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 2, error: null });
      expect(scan.promptTokens).toBeGreaterThan(0);
      expect(alerts.map((a) => [a.category, a.isUnverified, a.rationale]).sort()).toEqual(
        [
          ['DATA_LEAK', false, 'LLM: credential dump'],
          ['IMPERSONATION', false, 'LLM: fake Acme login page'],
        ].sort(),
      );
    }
    expect(llm.calls.slice(callsBefore).map((c) => [c.mode, c.findings.length])).toEqual([
      ['up', 2],
      ['up', 2],
    ]);
    // Alerts made during the outage stay as they were: unverified, the rules' category.
    expect((await scanThroughWorker(monitorId, duringOutage)).alerts.every((a) => a.isUnverified && a.rationale?.startsWith('Rules'))).toBe(true);
  });
});
