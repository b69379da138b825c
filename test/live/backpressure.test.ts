import { DEFAULT_PROTECTIONS } from '../../src/http/protections.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnAlertCreatedDocument, OnScanProgressDocument, ScanMonitorNowDocument } from '../generated/graphql.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, openRawLiveSocket, startExtraApp, waitUntil, type ExtraApp } from '../helpers/live.ts';
import { scanNow } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

const CAPACITY = 8;

let server: TestServer;
/** An API on the same database whose subscriptions may hold only a few waiting events. */
let small: ExtraApp;
let account: TestAccount;
let monitorId: string;

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
  // The heavy subscription uses 120 aliases to make each event large: allowed on this server only.
  small = await startExtraApp(server.databaseUrl, { liveQueueCapacity: CAPACITY, keepAliveMs: 60_000, protections: { ...DEFAULT_PROTECTIONS, maxAliases: 200 } });
  account = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken);
});
afterAll(async () => {
  await small?.stop();
  await server?.stop();
});

/** About 600 kB per event: the alert's 5,000-character summary, 120 times over. */
const HEAVY_SUBSCRIPTION = `subscription { alertCreated { cursor alert { id ${Array.from({ length: 120 }, (_, i) => `s${i}: summary`).join(' ')} } } }`;

describe('a client that stops reading', () => {
  // Timing-dependent (socket buffers fill at a rate set by the machine's load); one retry keeps a
  // loaded CI machine from failing it while a real regression still fails twice.
  it('is closed with 4413 while a healthy subscriber on the same server keeps receiving', { retry: 1, timeout: 60_000 }, async () => {
    const healthy = connectLive(small.url, account.accessToken);
    const healthyAlerts = healthy.subscribe(OnAlertCreatedDocument, {});
    const slow = await openRawLiveSocket(small.url, account.accessToken);
    slow.subscribe('heavy', HEAVY_SUBSCRIPTION);
    await waitUntil(() => small.app.hub.subscriberCount === 2, 'both subscriptions to register');
    slow.pauseReading();

    // Alerts one at a time until the server gives up on the slow client (bounded: 150 at most).
    let created = 0;
    while (small.app.hub.subscriberCount === 2 && created < 150) {
      await createAlerts(small.database, account.organizationId, monitorId, [{ summary: 'x'.repeat(5_000) }]);
      created += 1;
      await healthyAlerts.waitFor(created);
    }
    expect(small.app.hub.subscriberCount).toBe(1);
    slow.resumeReading();
    const closed = await slow.closed;
    expect(closed.code).toBe(4413);
    expect(closed.reason).toMatch(/resume with the last cursor/);
    // It got some events, but far from all of them.
    expect(slow.received.get('heavy')?.length ?? 0).toBeLessThan(created);

    await createAlerts(small.database, account.organizationId, monitorId, [{ title: 'After the cut-off' }]);
    const all = await healthyAlerts.waitFor(created + 1);
    expect(all.at(-1)!.alertCreated.alert.title).toBe('After the cut-off');
    expect(new Set(all.map((i) => i.alertCreated.alert.id)).size).toBe(created + 1);
    await healthy.dispose();
  });

  // Timing-dependent like the test above; one retry for a loaded machine.
  it('is cut off alone when it shares its stream with a subscriber that reads', { retry: 1, timeout: 60_000 }, async () => {
    await waitUntil(() => small.app.hub.subscriberCount === 0, "the previous test's subscriptions to end");
    // Same document, variables, organization and role: one shared stream, two members.
    const reader = await openRawLiveSocket(small.url, account.accessToken);
    reader.subscribe('heavy', HEAVY_SUBSCRIPTION);
    const slow = await openRawLiveSocket(small.url, account.accessToken);
    slow.subscribe('heavy', HEAVY_SUBSCRIPTION);
    await waitUntil(() => small.app.hub.subscriberCount === 2, 'both subscriptions to register');
    slow.pauseReading();

    const readerCount = () => reader.received.get('heavy')?.length ?? 0;
    let created = 0;
    while (small.app.hub.subscriberCount === 2 && created < 150) {
      await createAlerts(small.database, account.organizationId, monitorId, [{ summary: 'x'.repeat(5_000) }]);
      created += 1;
      await waitUntil(() => readerCount() >= created, `the reader to receive alert ${created}`);
    }
    expect(small.app.hub.subscriberCount).toBe(1);
    slow.resumeReading();
    expect((await slow.closed).code).toBe(4413);
    expect(slow.received.get('heavy')?.length ?? 0).toBeLessThan(created);

    await createAlerts(small.database, account.organizationId, monitorId, [{ title: 'After the cut-off' }]);
    await waitUntil(() => readerCount() === created + 1, 'the reader to receive the next alert');
    const titles = (reader.received.get('heavy') as { data: { alertCreated: { alert: { id: string } } } }[]).map((p) => p.data.alertCreated.alert.id);
    expect(new Set(titles).size).toBe(created + 1);
    reader.terminate();
  });

  it('a replay far longer than the queue is paced by the client, not cut off', async () => {
    // The previous test's subscriptions end asynchronously: wait, so the count below is this one's.
    await waitUntil(() => small.app.hub.subscriberCount === 0, "the previous test's subscriptions to end");
    const live = connectLive(small.url, account.accessToken);
    const first = live.subscribe(OnAlertCreatedDocument, {});
    await waitUntil(() => small.app.hub.subscriberCount === 1, 'the subscription to register');
    await createAlerts(small.database, account.organizationId, monitorId, [{ title: 'Start' }]);
    const cursor = (await first.waitFor(1))[0]!.alertCreated.cursor;
    first.dispose();
    const missed = Array.from({ length: CAPACITY * 12 }, (_, i) => ({ title: `Missed ${i}` }));
    await createAlerts(small.database, account.organizationId, monitorId, missed);

    const resumed = live.subscribe(OnAlertCreatedDocument, { after: cursor });
    const received = await resumed.waitFor(missed.length, 20_000);
    expect(received.map((i) => i.alertCreated.alert.title)).toEqual(missed.map((m) => m.title));
    expect(resumed.errors).toEqual([]);
    await createAlerts(small.database, account.organizationId, monitorId, [{ title: 'Live again' }]);
    expect((await resumed.waitFor(missed.length + 1)).at(-1)!.alertCreated.alert.title).toBe('Live again');
    await live.dispose();
  }, 60_000);
});

describe('scanProgress(scanId)', () => {
  it('delivers queued, running and succeeded in order, then completes', async () => {
    const monitor = await createMonitor(server, account.accessToken, { name: 'Progress brand' });
    const queued = await server.gql(ScanMonitorNowDocument, { id: monitor }, { token: account.accessToken });
    if (queued.data?.scanMonitorNow.__typename !== 'ScanMonitorNowPayload') throw new Error(JSON.stringify(queued));
    const scanId = queued.data.scanMonitorNow.scan.id;
    const live = connectLive(server.url, account.accessToken);
    const progress = live.subscribe(OnScanProgressDocument, { scanId });
    await progress.waitFor(1);

    await scanNow(server, monitor);
    await waitUntil(() => progress.isComplete(), 'the stream to complete');
    const events = progress.received;
    // A manual scan also reports each source it reads and how far the analysis got.
    expect(events.map((e) => e.scanProgress.phase)).toEqual(['QUEUED', 'RUNNING', 'FETCHING', 'ANALYZING', 'SUCCEEDED']);
    expect(events[2]!.scanProgress.source).toBe('DEMO');
    expect(events[3]!.scanProgress).toMatchObject({ done: 0, total: 6 });
    expect(events.every((e) => e.scanProgress.scan.id === scanId)).toBe(true);
    const final = events.at(-1)!.scanProgress.scan;
    expect(final.status).toBe('SUCCEEDED');
    expect(final.alertsCreated).toBeGreaterThan(0);
    expect(progress.errors).toEqual([]);

    // Subscribing to a finished scan answers with where it ended, and completes at once.
    const late = live.subscribe(OnScanProgressDocument, { scanId });
    await waitUntil(() => late.isComplete(), 'the late stream to complete');
    expect(late.received.map((e) => e.scanProgress.phase)).toEqual(['SUCCEEDED']);
    await live.dispose();
  });

  it('stops following a scan as soon as the client unsubscribes', async () => {
    await waitUntil(() => server.liveSubscribers() === 0, 'earlier subscriptions to end');
    const monitor = await createMonitor(server, account.accessToken, { name: 'Abandoned brand' });
    const queued = await server.gql(ScanMonitorNowDocument, { id: monitor }, { token: account.accessToken });
    if (queued.data?.scanMonitorNow.__typename !== 'ScanMonitorNowPayload') throw new Error(JSON.stringify(queued));
    const live = connectLive(server.url, account.accessToken);
    const progress = live.subscribe(OnScanProgressDocument, { scanId: queued.data.scanMonitorNow.scan.id });
    await progress.waitFor(1);
    expect(server.liveSubscribers()).toBe(1);
    progress.dispose();
    // The scan is still queued, so no event would come along to end the stream by itself.
    await waitUntil(() => server.liveSubscribers() === 0, 'the server to drop the subscription', 3_000);
    await live.dispose();
  });
});

describe('shutting down', () => {
  it('closes every live socket with 1001 and finishes promptly', async () => {
    const doomed = await startExtraApp(server.databaseUrl);
    const subscribed = connectLive(doomed.url, account.accessToken);
    const alertsStream = subscribed.subscribe(OnAlertCreatedDocument, {});
    const idle = connectLive(doomed.url, account.accessToken);
    await waitUntil(() => doomed.app.hub.subscriberCount === 1, 'the subscription to register');
    await idle.client.subscribe({ query: '{ __typename }' }, { next: () => {}, error: () => {}, complete: () => {} });
    const startedAt = Date.now();
    await doomed.stop();
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    const [first, second] = await Promise.all([subscribed.closed, idle.closed]);
    expect(first.code).toBe(1001);
    expect(second.code).toBe(1001);
    // The client reports the close to the subscription as its end.
    expect(alertsStream.isComplete()).toBe(true);
    expect(doomed.app.hub.subscriberCount).toBe(0);
  });
});
