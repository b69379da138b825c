import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsWithVerificationDocument, MonitorScansDocument, ScanMonitorNowDocument, UsageDocument } from '../generated/graphql.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';

let server: TestServer;
let worker: WorkerHandle;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  worker = await startTestWorker(server);
  account = await signUpAccount(server);
});
afterAll(async () => {
  await worker?.stop();
  await server?.stop();
});

async function waitFor<T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('scan now, through the real worker', () => {
  it('queues a scan, the worker runs it on the demo source, alerts appear and a credit is spent', async () => {
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Demo brand', terms: ['Acme'] });
    const queued = await server.gql(ScanMonitorNowDocument, { id: monitorId }, { token: account.accessToken });
    expect(queued.data?.scanMonitorNow.__typename).toBe('ScanMonitorNowPayload');

    const scans = await waitFor(
      () => server.gql(MonitorScansDocument, { id: monitorId, first: 5 }, { token: account.accessToken }),
      (r) => r.data?.monitor?.scans.edges[0]?.node.status === 'SUCCEEDED',
    );
    const scan = scans.data!.monitor!.scans.edges[0]!.node;
    expect(scan).toMatchObject({ trigger: 'MANUAL', status: 'SUCCEEDED', findingsSeen: 6, findingsNew: 6, creditsCharged: 1, promptTokens: 0 });
    expect(scan.alertsCreated + scan.findingsSuppressed).toBe(6);
    expect(scan.suppressedFindings.nodes).toHaveLength(scan.findingsSuppressed);
    expect(scan.suppressedFindings.nodes.every((f) => f.reason.length > 0)).toBe(true);
    expect(scans.data!.monitor!.lastScanAt).not.toBeNull();

    const alerts = await server.gql(AlertsWithVerificationDocument, { first: 50 }, { token: account.accessToken });
    expect(alerts.data!.alerts.edges).toHaveLength(scan.alertsCreated);
    expect(alerts.data!.alerts.edges.every((e) => e.node.source === 'DEMO' && !e.node.isUnverified)).toBe(true);

    const usage = await server.gql(UsageDocument, { first: 5 }, { token: account.accessToken });
    expect(usage.data!.usage.creditBalance).toBe(999);
    expect(usage.data!.usage.ledger.edges.map((e) => [e.node.reason, e.node.delta, e.node.balanceAfter])).toEqual([
      ['SCAN', -1, 999],
      ['GRANT', 1000, 1000],
    ]);
  });

  it('a second "scan now" within the cooldown is refused with the time to wait', async () => {
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Cooldown brand' });
    const first = await server.gql(ScanMonitorNowDocument, { id: monitorId }, { token: account.accessToken });
    expect(first.data?.scanMonitorNow.__typename).toBe('ScanMonitorNowPayload');
    await waitFor(
      () => server.gql(MonitorScansDocument, { id: monitorId, first: 1 }, { token: account.accessToken }),
      (r) => r.data?.monitor?.scans.edges[0]?.node.status === 'SUCCEEDED',
    );
    const second = await server.gql(ScanMonitorNowDocument, { id: monitorId }, { token: account.accessToken });
    expect(second.data?.scanMonitorNow).toMatchObject({ __typename: 'ScanCooldownError', code: 'SCAN_COOLDOWN' });
    const retryAfter = (second.data?.scanMonitorNow as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });
});
