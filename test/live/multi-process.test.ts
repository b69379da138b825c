import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../src/db/schema/index.ts';
import {
  CreateMonitorDocument,
  OnAlertCreatedDocument,
  OnAlertUpdatedDocument,
  OnScanProgressDocument,
  PauseMonitorDocument,
  ScanDetailDocument,
  ScanMonitorNowDocument,
  UpdateAlertStatusDocument,
} from '../generated/graphql.ts';
import { demoMonitorInput, globalId, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, gqlAt, spawnVigil, startExtraApp, waitUntil, type ExtraApp, type VigilProcess } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive, type LiveClient } from '../helpers/ws.ts';

/**
 * API A is the test server in this process. API B and the worker are real child processes
 * (`node src/main.ts --role=api|worker`), each with its own pool and LISTEN connection. API C is a
 * second buildApp in this process: a separate pool, LISTEN connection and hub on the same database.
 */
let apiA: TestServer;
let apiB: VigilProcess;
let worker: VigilProcess;
let apiC: ExtraApp;
let account: TestAccount;
const clients: LiveClient[] = [];

const monitorIds: Record<'probe' | 'worker' | 'shutdown', string> = { probe: '', worker: '', shutdown: '' };

beforeAll(async () => {
  apiA = await startTestServer({ scanNowCooldownSeconds: 0 });
  [apiB, apiC] = await Promise.all([spawnVigil('api', apiA.databaseUrl), startExtraApp(apiA.databaseUrl)]);
  account = await signUpAccount(apiA);
  // Created and paused before the worker starts: a new monitor's first scan is queued for the
  // scheduling worker, which finds it paused and leaves it, so only the scans the tests ask for run.
  monitorIds.probe = await monitorThroughB('Probe brand');
  monitorIds.worker = await monitorThroughB('Worker brand');
  monitorIds.shutdown = await monitorThroughB('Shutdown brand');
  worker = await spawnVigil('worker', apiA.databaseUrl, { WORKER_CONCURRENCY: '2' });
}, 90_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.all([apiB?.stop(), worker?.stop(), apiC?.stop()]);
  await apiA?.stop();
});

function live(url: string): LiveClient {
  const client = connectLive(url, account.accessToken);
  clients.push(client);
  return client;
}

describe('several API processes and a worker on one database', () => {
  it('a subscriber on API A receives alerts the worker creates for a scan queued through API B, and updates made through B', async () => {
    const onA = live(apiA.url).subscribe(OnAlertCreatedDocument, {});
    const updatesOnA = live(apiA.url).subscribe(OnAlertUpdatedDocument, {});
    const onB = live(apiB.url!).subscribe(OnAlertCreatedDocument, {});
    const onC = live(apiC.url).subscribe(OnAlertCreatedDocument, {});
    await apiA.waitForSubscribers(2);
    await waitUntil(() => apiC.app.hub.subscriberCount === 1, 'the subscription on API C');

    // A probe through the test process's own connection proves every API is listening.
    const [probe] = await createAlerts(apiA.database, account.organizationId, monitorIds.probe, [{ title: 'Probe' }]);
    for (const stream of [onA, onB, onC]) expect((await stream.waitFor(1)).map((i) => i.alertCreated.alert.id)).toEqual([probe]);

    const monitorId = monitorIds.worker;
    const progressOnA = live(apiA.url).subscribe(OnScanProgressDocument, { monitorId });
    await apiA.waitForSubscribers(3);
    const queued = await gqlAt(apiB.url!, ScanMonitorNowDocument, { id: monitorId }, account.accessToken);
    if (queued.data?.scanMonitorNow.__typename !== 'ScanMonitorNowPayload') throw new Error(JSON.stringify(queued));
    const scanId = queued.data.scanMonitorNow.scan.id;

    // The worker process runs the scan on the DEMO source.
    await waitUntil(
      async () => (await gqlAt(apiA.url, ScanDetailDocument, { id: scanId }, account.accessToken)).data?.scan?.status === 'SUCCEEDED',
      'the worker to finish the scan',
      30_000,
    );
    const stored = await apiA.database.db
      .select({ id: alerts.id })
      .from(alerts)
      .where(and(eq(alerts.organizationId, account.organizationId), eq(alerts.monitorId, rawId(monitorId))))
      .orderBy(asc(alerts.createdSeq));
    const expected = [probe, ...stored.map((row) => globalId('Alert', row.id))];
    expect(stored.length).toBeGreaterThan(0);
    for (const stream of [onA, onB, onC]) {
      const received = await stream.waitFor(expected.length, 10_000);
      expect(received.map((i) => i.alertCreated.alert.id)).toEqual(expected);
    }
    const phases = progressOnA.received.filter((e) => e.scanProgress.scan.id === scanId).map((e) => e.scanProgress.phase);
    expect(phases).toEqual(['QUEUED', 'RUNNING', 'FETCHING', 'ANALYZING', 'SUCCEEDED']);

    // A mutation through API B reaches the subscriber on API A.
    const changed = await gqlAt(apiB.url!, UpdateAlertStatusDocument, { ids: [expected[1]!], status: 'RESOLVED' }, account.accessToken);
    expect(changed.data?.updateAlertStatus.__typename).toBe('UpdateAlertStatusPayload');
    const [update] = await updatesOnA.waitFor(1);
    expect(update!.alertUpdated).toMatchObject({ change: 'STATUS', alert: { id: expected[1], status: 'RESOLVED' } });
  }, 60_000);

  it('stopping API B closes its sockets with 1001 while API A keeps serving', async () => {
    const before = apiA.liveSubscribers();
    const onA = live(apiA.url).subscribe(OnAlertCreatedDocument, {});
    const monitorId = monitorIds.shutdown;
    await apiA.waitForSubscribers(before + 1);
    const [start] = await createAlerts(apiA.database, account.organizationId, monitorId, [{ title: 'Start' }]);
    const cursor = (await onA.waitFor(1))[0]!.alertCreated.cursor;
    // B is another process, whose subscriptions this test cannot count: resuming after A's cursor
    // makes B's replay cover an alert committed before its subscription is registered.
    const clientB = live(apiB.url!);
    const onB = clientB.subscribe(OnAlertCreatedDocument, { after: cursor });
    const [first] = await createAlerts(apiA.database, account.organizationId, monitorId, [{ title: 'Before B stopped' }]);
    expect((await onB.waitFor(1)).map((i) => i.alertCreated.alert.id)).toEqual([first]);
    await onA.waitFor(2);

    await apiB.stop();
    expect((await clientB.closed).code).toBe(1001);
    const [second] = await createAlerts(apiA.database, account.organizationId, monitorId, [{ title: 'After B stopped' }]);
    expect((await onA.waitFor(3)).map((i) => i.alertCreated.alert.id)).toEqual([start, first, second]);
  }, 30_000);
});

/**
 * Creates a monitor through API B and pauses it there: the worker's scheduler then leaves it alone
 * (its every-minute tick, or the first scan a new monitor gets, would otherwise scan it too), while
 * "scan now" still runs.
 */
async function monitorThroughB(name: string): Promise<string> {
  const result = await gqlAt(apiB.url!, CreateMonitorDocument, { input: demoMonitorInput({ name, terms: [name.split(' ')[0]!] }) }, account.accessToken);
  if (result.data?.createMonitor.__typename !== 'CreateMonitorPayload') throw new Error(`createMonitor through B failed: ${JSON.stringify(result)}`);
  const id = result.data.createMonitor.monitor.id;
  const paused = await gqlAt(apiB.url!, PauseMonitorDocument, { id }, account.accessToken);
  if (paused.data?.pauseMonitor.__typename !== 'PauseMonitorPayload') throw new Error(`pauseMonitor through B failed: ${JSON.stringify(paused)}`);
  return id;
}
