import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workerHeartbeats } from '../../src/db/schema/index.ts';
import { scanJobKey } from '../../src/services/scans.ts';
import { setMonitorNextScanAt } from '../helpers/domain.ts';
import { createMonitor, rawId, signUpAccount } from '../helpers/fixtures.ts';
import { spawnVigil, waitUntil } from '../helpers/live.ts';
import { startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ACME_THREAT_ENTRIES, creditsOf, monitorAlerts, queueScan, readScan, rssFeed, startRouteServer, type Route } from '../helpers/stubs.ts';

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


/** A real worker process whose sources may be slow: loopback allowed and a long source timeout. */
function spawnWorker(deadlineMs: number) {
  return spawnVigil('worker', server.databaseUrl, {
    WORKER_CONCURRENCY: '2',
    ALLOW_PRIVATE_ADDRESSES: '127.0.0.0/8',
    SOURCE_TIMEOUT_MS: '60000',
    SHUTDOWN_JOB_DEADLINE_MS: String(deadlineMs),
    LOG_LEVEL: 'debug',
  });
}

/**
 * A monitor on one stub feed, a worker process, and a manual scan of it that the worker has started
 * (the feed has been asked). The worker starts only once the monitor's schedule is out of the way:
 * a new monitor's first scan is queued for the scheduling worker, which then finds it not due.
 */
async function scanInFlight(feed: Route, deadlineMs: number) {
  const feeds = await startRouteServer({ '/feed': feed });
  cleanups.push(() => feeds.close());
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
  // Out of the scheduler's way: a new monitor is due at once, and a scheduled scan started first
  // would make the manual one below wait behind it.
  await setMonitorNextScanAt(server, monitorId, new Date(Date.now() + 86_400_000));
  const worker = await spawnWorker(deadlineMs);
  cleanups.push(() => worker.stop());
  const scanId = await queueScan(server, account.accessToken, monitorId);
  await waitUntil(() => feeds.hits('/feed') >= 1, 'the worker to ask the feed', 20_000);
  return { worker, feeds, account, monitorId, scanId };
}

async function scanJobs(monitorId: string) {
  return server.database.sql<{ locked_by: string | null; attempts: number; last_error: string | null; is_due: boolean }[]>`
    select locked_by, attempts, last_error, run_at <= now() as is_due from graphile_worker.jobs
    where key = ${scanJobKey(rawId(monitorId))}`;
}

describe('SIGTERM to a worker process', () => {
  it('a job still running at the deadline is released at once, and another worker completes it', async () => {
    const { worker, feeds, account, monitorId, scanId } = await scanInFlight({ isHanging: true }, 1_000);
    feeds.routes['/feed'] = { body: rssFeed(ACME_THREAT_ENTRIES) };

    const signalled = Date.now();
    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    // The deadline, then the release and a clean exit: well under the 4 hours a lost lock would take.
    expect(Date.now() - signalled).toBeLessThan(8_000);
    expect(worker.output()).toContain('released running jobs at the shutdown deadline');

    // Released, not lost: unlocked, due now, the interrupted attempt given back, with the reason
    // recorded; the worker's heartbeat is gone.
    expect(await scanJobs(monitorId)).toEqual([{ locked_by: null, attempts: 0, last_error: expect.stringContaining('1000 ms deadline'), is_due: true }]);
    expect(await server.database.db.select().from(workerHeartbeats).where(eq(workerHeartbeats.workerId, worker.workerId!))).toEqual([]);
    expect(await readScan(server, account.accessToken, scanId)).toMatchObject({ status: 'RUNNING', creditsCharged: 1 });

    const taken = Date.now();
    const next = await startTestWorker(server);
    cleanups.push(() => next.stop());
    await waitUntil(async () => (await readScan(server, account.accessToken, scanId)).status === 'SUCCEEDED', 'the other worker to finish the scan', 10_000);
    expect(Date.now() - taken).toBeLessThan(5_000);

    expect(await readScan(server, account.accessToken, scanId)).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 2, creditsCharged: 1 });
    expect((await creditsOf(server, account.accessToken)).ledger.filter(([reason]) => reason === 'SCAN')).toHaveLength(1);
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(alerts.map((a) => [a.url, a.occurrences]).sort()).toEqual(ACME_THREAT_ENTRIES.map((e) => [e.url, 1]).sort());
    expect(feeds.hits('/feed')).toBe(2);
    await waitUntil(async () => (await scanJobs(monitorId)).length === 0, 'the job to be completed', 5_000);
  });

  it('a job released on its last attempt gets that attempt back and is completed elsewhere, not failed for good', async () => {
    const feeds = await startRouteServer({ '/feed': { isHanging: true } });
    cleanups.push(() => feeds.close());
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
    await setMonitorNextScanAt(server, monitorId, new Date(Date.now() + 86_400_000));
    const scanId = await queueScan(server, account.accessToken, monitorId);
    // One attempt only: the one the shutdown interrupts.
    await server.database.sql`update graphile_worker._private_jobs set max_attempts = 1 where key = ${scanJobKey(rawId(monitorId))}`;
    const worker = await spawnWorker(1_000);
    cleanups.push(() => worker.stop());
    await waitUntil(() => feeds.hits('/feed') >= 1, 'the worker to ask the feed', 20_000);

    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await scanJobs(monitorId)).toEqual([{ locked_by: null, attempts: 0, last_error: expect.stringContaining('1000 ms deadline'), is_due: true }]);

    feeds.routes['/feed'] = { body: rssFeed(ACME_THREAT_ENTRIES) };
    const next = await startTestWorker(server);
    cleanups.push(() => next.stop());
    await waitUntil(async () => (await readScan(server, account.accessToken, scanId)).status === 'SUCCEEDED', 'the other worker to finish the scan', 10_000);
    await waitUntil(async () => (await scanJobs(monitorId)).length === 0, 'the job to be completed', 5_000);
  });

  it('a job that finishes within the deadline completes before the process exits', async () => {
    const { worker, account, monitorId, scanId } = await scanInFlight({ body: rssFeed(ACME_THREAT_ENTRIES), delayMs: 1_500 }, 15_000);

    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });

    expect(worker.output()).not.toContain('released running jobs');
    expect(await readScan(server, account.accessToken, scanId)).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 2 });
    expect(await scanJobs(monitorId)).toEqual([]);
    expect(await server.database.db.select().from(workerHeartbeats).where(eq(workerHeartbeats.workerId, worker.workerId!))).toEqual([]);
  });
});
