import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitorStatsDocument, ScanMonitorNowDocument, UsageForPeriodDocument } from '../generated/graphql.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { scanNow } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let account: TestAccount;
let monitorId: string;

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
  account = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken, { name: 'Stats monitor' });
  for (let i = 0; i < 2; i += 1) {
    const queued = await server.gql(ScanMonitorNowDocument, { id: monitorId }, { token: account.accessToken });
    expect(queued.data?.scanMonitorNow.__typename).toBe('ScanMonitorNowPayload');
    expect(await scanNow(server, monitorId)).toBe('succeeded');
  }
});
afterAll(() => server?.stop());

describe('monitorStats', () => {
  it('adds up the monitor’s scans, findings, suppressions, alerts and credits', async () => {
    const result = await server.gql(MonitorStatsDocument, { id: monitorId }, { token: account.accessToken });
    const stats = result.data!.monitorStats;
    expect(stats.scans).toEqual([{ status: 'SUCCEEDED', count: 2 }]);
    // Six findings a scan, three of them recurring: 6 + 3 distinct.
    expect(stats.findings).toBe(9);
    expect(stats.alerts + stats.suppressedFindings).toBe(9);
    expect(stats.creditsSpent).toBe(2);
    expect(stats.lastError).toBeNull();
  });

  it('is not found for another organization', async () => {
    const stranger = await signUpAccount(server);
    const result = await server.gql(MonitorStatsDocument, { id: monitorId }, { token: stranger.accessToken });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('usage(period)', () => {
  it('reports this month’s scans, tokens, cost and credits', async () => {
    const result = await server.gql(UsageForPeriodDocument, {}, { token: account.accessToken });
    expect(result.data!.usage).toMatchObject({
      period: new Date().toISOString().slice(0, 7),
      creditBalance: 998,
      scans: 2,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      creditsSpent: 2,
    });
  });

  it('is empty for a month without scans and rejects a malformed period', async () => {
    const past = await server.gql(UsageForPeriodDocument, { period: '2020-01' }, { token: account.accessToken });
    expect(past.data!.usage).toMatchObject({ period: '2020-01', scans: 0, creditsSpent: 0 });
    const bad = await server.gql(UsageForPeriodDocument, { period: '2026-13' }, { token: account.accessToken });
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
  });
});
