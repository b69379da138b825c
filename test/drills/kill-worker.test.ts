import { eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alerts, scans, workerHeartbeats } from '../../src/db/schema/index.ts';
import { scanJobKey } from '../../src/services/scans.ts';
import { setMonitorNextScanAt } from '../helpers/domain.ts';
import { createMonitor, rawId, signUpAccount } from '../helpers/fixtures.ts';
import { spawnVigil, waitUntil, type VigilProcess } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ACME_THREAT_ENTRIES, creditsOf, monitorAlerts, queueScan, readScan, rssFeed, startRouteServer } from '../helpers/stubs.ts';

/**
 * Drill: a worker process is killed with SIGKILL in the middle of a scan — no shutdown code runs,
 * the job stays locked by the dead worker. Another worker notices the silent heartbeat, releases
 * the job and finishes the same scan: within seconds (not graphile-worker's 4 hours), with every
 * alert created exactly once and the scan charged once.
 */
let server: TestServer;
const processes: VigilProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await server?.stop();
});

const ENTRIES = [
  ...ACME_THREAT_ENTRIES,
  { title: 'Acme SSO portal (unofficial)', url: 'https://acme-sso-login.top/portal', text: 'Sign in to Acme with your corporate password' },
];

const DEAD_AFTER_SECONDS = 5;

async function spawnWorker(): Promise<VigilProcess> {
  const worker = await spawnVigil('worker', server.databaseUrl, {
    WORKER_CONCURRENCY: '2',
    ALLOW_PRIVATE_ADDRESSES: '127.0.0.0/8',
    // Only the kill ends the first attempt; the feed never answers it.
    SOURCE_TIMEOUT_MS: '60000',
    WORKER_HEARTBEAT_SECONDS: '1',
    WORKER_DEAD_AFTER_SECONDS: String(DEAD_AFTER_SECONDS),
  });
  processes.push(worker);
  return worker;
}

describe('drill: kill -9 a worker mid-scan', () => {
  it('another worker picks the scan up within seconds and finishes it once: no alert lost, none duplicated', async () => {
    const feeds = await startRouteServer({ '/feed': { isHanging: true } });
    cleanups.push(() => feeds.close());
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
    // A new monitor is due at once: left so, a worker's startup scheduler may start a scheduled scan
    // before the manual one below is queued, which then waits behind it. This drill is about the
    // manual scan alone, so the schedule is moved out of its way.
    await setMonitorNextScanAt(server, monitorId, new Date(Date.now() + 86_400_000));

    const doomed = await spawnWorker();
    const scanId = await queueScan(server, account.accessToken, monitorId);
    // At least once: how many requests the feed gets is not what this drill is about.
    await waitUntil(() => feeds.hits('/feed') >= 1, 'the worker to ask the feed', 20_000).catch(async (error: Error) => {
      // Say what the worker and its queue were doing, so a failure here can be understood from the log alone.
      const jobs = await server.database.sql`select task_identifier, key, run_at, locked_at, locked_by, attempts, last_error from graphile_worker.jobs`;
      const scanRows = await server.database.sql`select status, trigger, queued_at, started_at, error from scans`;
      throw new Error(`${error.message}\njobs: ${JSON.stringify(jobs)}\nscans: ${JSON.stringify(scanRows)}\nworker output:\n${doomed.output()}`);
    });
    expect(await readScan(server, account.accessToken, scanId)).toMatchObject({ status: 'RUNNING', creditsCharged: 1 });

    doomed.kill('SIGKILL');
    expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();
    // The heartbeat named the right id: the job is locked by exactly the worker that died.
    const jobKey = scanJobKey(rawId(monitorId));
    const [locked] = await server.database.sql<{ locked_by: string | null }[]>`select locked_by from graphile_worker.jobs where key = ${jobKey}`;
    expect(locked?.locked_by).toBe(doomed.workerId);
    expect(await server.database.db.select({ workerId: workerHeartbeats.workerId }).from(workerHeartbeats)).toEqual([{ workerId: doomed.workerId }]);

    feeds.routes['/feed'] = { body: rssFeed(ENTRIES) };
    const rescuer = await spawnWorker();
    await waitUntil(async () => (await readScan(server, account.accessToken, scanId)).status !== 'RUNNING', 'the rescuing worker to finish the scan', 20_000);
    const pickupMs = Date.now() - killedAt;

    expect(pickupMs).toBeLessThan(15_000);
    expect(await readScan(server, account.accessToken, scanId)).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 3, alertsUpdated: 0, creditsCharged: 1 });
    expect(rescuer.output()).toContain('released the jobs of workers that stopped beating');
    expect(await server.database.db.select({ workerId: workerHeartbeats.workerId }).from(workerHeartbeats)).toEqual([{ workerId: rescuer.workerId }]);

    // Exactly the expected alerts, each once; one scan, charged once.
    const seen = await monitorAlerts(server, account.accessToken, monitorId);
    expect(seen.map((a) => [a.url, a.occurrences]).sort()).toEqual(ENTRIES.map((e) => [e.url, 1]).sort());
    const stored = await server.database.db.select({ url: alerts.url }).from(alerts).where(eq(alerts.monitorId, rawId(monitorId)));
    expect(stored.map((a) => a.url).sort()).toEqual(ENTRIES.map((e) => e.url).sort());
    const allScans = await server.database.db.select({ id: scans.id }).from(scans).where(inArray(scans.monitorId, [rawId(monitorId)]));
    expect(allScans.map((s) => s.id)).toEqual([rawId(scanId)]);
    expect((await creditsOf(server, account.accessToken)).ledger.filter(([reason]) => reason !== 'GRANT')).toEqual([['SCAN', -1, 999]]);
    await waitUntil(async () => (await server.database.sql`select 1 from graphile_worker.jobs where key = ${jobKey}`).length === 0, 'the job to be completed', 5_000);
  });
});
