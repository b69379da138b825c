import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/client.ts';
import { creditLedger, findings, scans } from '../../src/db/schema/index.ts';
import { runMonitorScan } from '../../src/scanning/run-scan.ts';
import { MonitorScansDocument } from '../generated/graphql.ts';
import { dataOf } from '../helpers/domain.ts';
import { createMonitor, rawId, signUpAccount } from '../helpers/fixtures.ts';
import { scanDeps, scanNow, testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { adjustCreditBalance, creditsOf, monitorAlerts, queueScan, rssFeed, runScan, startOpenAiStub, startRouteServer, verdictsFor } from '../helpers/stubs.ts';

let server: TestServer;
const stubs: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});
afterAll(async () => {
  await server?.stop();
});

const PHISHING = { title: 'Acme account suspended', url: 'https://acme-login-verify.xyz/signin', text: 'Verify your Acme password now to unlock your account' };

describe('scan credits', () => {
  it('a failed scan is refunded, once: SCAN -1 then REFUND +1, balance unchanged', async () => {
    const feeds = await startRouteServer({ '/feed': { status: 500, body: 'boom' } });
    stubs.push(feeds);
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig());
    // A retried job finds the scan recorded and gives nothing back a second time.
    expect(await scanNow(server, monitorId, testScanningConfig())).toBe('nothing-to-do');

    expect(scan).toMatchObject({ outcome: 'failed', status: 'FAILED', error: expect.stringContaining('HTTP 500') });
    const credits = await creditsOf(server, account.accessToken);
    expect(credits.balance).toBe(1000);
    expect(credits.ledger).toEqual([
      ['REFUND', 1, 1000],
      ['SCAN', -1, 999],
      ['GRANT', 1000, 1000],
    ]);
    const entries = await server.database.db.select({ scanId: creditLedger.scanId }).from(creditLedger).where(eq(creditLedger.organizationId, account.organizationId));
    expect(entries.filter((e) => e.scanId === rawId(scan.id))).toHaveLength(2);
  });

  it('with no credits left the scan is skipped with a clear error: nothing fetched, nothing analyzed, nothing charged', async () => {
    const feeds = await startRouteServer({ '/feed': { body: rssFeed([PHISHING]) } });
    const openai = await startOpenAiStub((call) => ({ verdicts: verdictsFor(call, () => ({ isThreat: true, category: 'phishing', severity: 'high', confidence: 0.9, rationale: 'LLM' })) }));
    stubs.push(feeds, openai);
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
    await adjustCreditBalance(server, account.organizationId, 0);
    const base = testScanningConfig();

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ openai: { ...base.openai, apiKey: 'sk-server-key-0123456789', baseUrl: openai.baseUrl } }));

    expect(scan).toMatchObject({ outcome: 'skipped', status: 'SKIPPED', creditsCharged: 0, findingsSeen: 0, alertsCreated: 0 });
    expect(scan.error).toMatch(/^No scan credits left/);
    expect(feeds.requests).toHaveLength(0);
    expect(openai.requests).toHaveLength(0);
    expect(await monitorAlerts(server, account.accessToken, monitorId)).toEqual([]);
    expect(await server.database.db.select().from(findings).where(eq(findings.monitorId, rawId(monitorId)))).toEqual([]);
    const monitor = dataOf(await server.gql(MonitorScansDocument, { id: monitorId, first: 1 }, { token: account.accessToken })).monitor;
    expect(monitor?.lastError).toBe(scan.error);
    expect(await creditsOf(server, account.accessToken)).toEqual({
      balance: 0,
      ledger: [
        ['ADJUSTMENT', -1000, 0],
        ['GRANT', 1000, 1000],
      ],
    });
  });

  it('never goes negative: with 3 credits, 8 concurrent scans give exactly 3 that run', async () => {
    const account = await signUpAccount(server, { plan: 'pro' });
    const monitorIds: string[] = [];
    for (let i = 0; i < 8; i += 1) monitorIds.push(await createMonitor(server, account.accessToken, { name: `Brand ${i}` }));
    for (const id of monitorIds) await queueScan(server, account.accessToken, id);
    await adjustCreditBalance(server, account.organizationId, 3);
    const otherWorker = connectDatabase(server.databaseUrl, { max: 5 });
    try {
      const outcomes = await Promise.all(
        monitorIds.map((id, i) => runMonitorScan(i % 2 ? { ...scanDeps(server), db: otherWorker.db } : scanDeps(server), rawId(id))),
      );
      expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(3);
      expect(outcomes.filter((o) => o === 'skipped')).toHaveLength(5);
    } finally {
      await otherWorker.close();
    }

    const credits = await creditsOf(server, account.accessToken);
    expect(credits.balance).toBe(0);
    const spent = credits.ledger.filter(([reason]) => reason === 'SCAN');
    expect(spent.map(([, delta, after]) => [delta, after])).toEqual([
      [-1, 0],
      [-1, 1],
      [-1, 2],
    ]);
    expect(credits.ledger.reduce((sum, [, delta]) => sum + delta, 0)).toBe(credits.balance);
    const rows = await server.database.db
      .select()
      .from(scans)
      .where(and(eq(scans.organizationId, account.organizationId), inArray(scans.monitorId, monitorIds.map(rawId))));
    expect(rows.filter((s) => s.status === 'succeeded').map((s) => s.creditsCharged)).toEqual([1, 1, 1]);
    expect(rows.filter((s) => s.status === 'skipped').every((s) => s.creditsCharged === 0 && s.error?.startsWith('No scan credits left'))).toBe(true);
  });
});
