import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scans } from '../../src/db/schema/index.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { scanNow, startTestWorker, testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ACME_THREAT_ENTRIES, creditsOf, monitorAlerts, queueScan, readScan, rssFeed, startRouteServer, waitFor, type RouteServer } from '../helpers/stubs.ts';

const CHILD_SCRIPT = fileURLToPath(new URL('./fixtures/scan-in-child.ts', import.meta.url));

let server: TestServer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await server?.stop();
});


async function monitorWithFeed(): Promise<{ account: TestAccount; monitorId: string; feeds: RouteServer }> {
  const feeds = await startRouteServer({ '/feed': { isHanging: true } });
  cleanups.push(() => feeds.close());
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
  return { account, monitorId, feeds };
}

/** Starts the scan in a child process and returns once it is RUNNING and waiting on the feed. */
async function startScanInChild(account: TestAccount, monitorId: string, scanId: string, feeds: RouteServer): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD_SCRIPT, server.databaseUrl, rawId(monitorId)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  const state = await waitFor(
    async () => ({ status: (await readScan(server, account.accessToken, scanId)).status, hits: feeds.hits('/feed'), exit: child.exitCode }),
    (s) => (s.status === 'RUNNING' && s.hits === 1) || s.exit !== null,
    20_000,
  );
  expect(state, stderr).toEqual({ status: 'RUNNING', hits: 1, exit: null });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  const [code, signal] = await once(child, 'exit');
  expect([code, signal]).toEqual([null, 'SIGKILL']);
}

describe('a worker killed in the middle of a scan', () => {
  it('leaves the scan RUNNING and charged once; the retry completes that same scan without charging again', async () => {
    const { account, monitorId, feeds } = await monitorWithFeed();
    const scanId = await queueScan(server, account.accessToken, monitorId);
    await kill(await startScanInChild(account, monitorId, scanId, feeds));

    expect(await readScan(server, account.accessToken, scanId)).toMatchObject({ status: 'RUNNING', creditsCharged: 1 });
    expect((await creditsOf(server, account.accessToken)).ledger).toEqual([
      ['SCAN', -1, 999],
      ['GRANT', 1000, 1000],
    ]);

    feeds.routes['/feed'] = { body: rssFeed(ACME_THREAT_ENTRIES) };
    expect(await scanNow(server, monitorId, testScanningConfig())).toBe('succeeded');

    expect(await readScan(server, account.accessToken, scanId)).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 2, creditsCharged: 1, error: null });
    const credits = await creditsOf(server, account.accessToken);
    expect(credits.balance).toBe(999);
    expect(credits.ledger).toEqual([
      ['SCAN', -1, 999],
      ['GRANT', 1000, 1000],
    ]);

    // The job being retried once more (graphile-worker may run it again) changes nothing.
    expect(await scanNow(server, monitorId, testScanningConfig())).toBe('nothing-to-do');
    const rows = await server.database.db.select().from(scans).where(inArray(scans.monitorId, [rawId(monitorId)]));
    expect(rows.map((s) => s.id)).toEqual([rawId(scanId)]);
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(alerts.map((a) => [a.url, a.occurrences]).sort()).toEqual(ACME_THREAT_ENTRIES.map((e) => [e.url, 1]).sort());
  });

  it('a real worker picking the job up afterwards finishes the interrupted scan', async () => {
    const { account, monitorId, feeds } = await monitorWithFeed();
    const scanId = await queueScan(server, account.accessToken, monitorId);
    await kill(await startScanInChild(account, monitorId, scanId, feeds));
    feeds.routes['/feed'] = { body: rssFeed(ACME_THREAT_ENTRIES) };

    const worker = await startTestWorker(server);
    cleanups.push(() => worker.stop());
    const scan = await waitFor(
      () => readScan(server, account.accessToken, scanId),
      (s) => s.status !== 'RUNNING',
    );

    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 2, creditsCharged: 1 });
    expect((await creditsOf(server, account.accessToken)).balance).toBe(999);
  });
});

describe('a scan requested while another scan of the monitor is running', () => {
  let worker: WorkerHandle;
  beforeAll(async () => {
    worker = await startTestWorker(server, { scanning: testScanningConfig({ sourceTimeoutMs: 10_000 }) });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('still runs: the monitor is not left with a waiting scan that no job will ever take', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const feeds = await startRouteServer({ '/feed': { body: rssFeed(ACME_THREAT_ENTRIES), gate } });
    cleanups.push(() => feeds.close());
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });

    const first = await queueScan(server, account.accessToken, monitorId);
    await waitFor(async () => feeds.hits('/feed'), (hits) => hits >= 1);
    const second = await queueScan(server, account.accessToken, monitorId);
    expect(second).not.toBe(first);
    // The second job has reached the feed too while the first scan is still held there.
    expect(await waitFor(async () => feeds.hits('/feed'), (hits) => hits >= 2, 5_000)).toBeGreaterThanOrEqual(2);
    release();

    const finished = await waitFor(
      async () => Promise.all([first, second].map((id) => readScan(server, account.accessToken, id))),
      (both) => both.every((s) => s.status === 'SUCCEEDED'),
      10_000,
    );
    expect(finished.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(finished.map((s) => s.alertsCreated + s.alertsUpdated)).toEqual([2, 0]);
    expect((await creditsOf(server, account.accessToken)).ledger.filter(([reason]) => reason === 'SCAN')).toHaveLength(2);
    expect((await monitorAlerts(server, account.accessToken, monitorId)).map((a) => a.occurrences)).toEqual([1, 1]);
  });
});
