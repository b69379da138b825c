import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROTECTIONS } from '../../src/http/protections.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, openRawLiveSocket, sleep, startExtraApp, waitUntil, type ExtraApp } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

/**
 * WebSocket keep-alive: a peer that stopped answering pings is cut off; a peer that is only behind
 * — its events queued ahead of the ping in the server's buffers — is not, as long as it reads.
 */
const KEEP_ALIVE_MS = 1_000;

let server: TestServer;
let app: ExtraApp;
let account: TestAccount;
let monitorId: string;

beforeAll(async () => {
  server = await startTestServer();
  // Room for a large backlog (the slow-consumer cut is not what this is about), and big events.
  app = await startExtraApp(server.databaseUrl, { keepAliveMs: KEEP_ALIVE_MS, liveQueueCapacity: 10_000, protections: { ...DEFAULT_PROTECTIONS, maxAliases: 200 } });
  account = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken);
});
afterAll(async () => {
  await app?.stop();
  await server?.stop();
});

/** About 600 kB per event: the alert's 5,000-character summary, 120 times over. */
const HEAVY_SUBSCRIPTION = `subscription { alertCreated { cursor alert { id ${Array.from({ length: 120 }, (_, i) => `s${i}: summary`).join(' ')} } } }`;

describe('WebSocket keep-alive', () => {
  it('terminates a peer that stops answering pings, and keeps one that answers', { timeout: 20_000 }, async () => {
    const healthy = connectLive(app.url, account.accessToken);
    const mute = await openRawLiveSocket(app.url, account.accessToken, { autoPong: false });
    const started = Date.now();
    const closed = await mute.closed;
    // Terminated (no close frame) after one interval to ping and one to wait for the pong.
    expect(closed.code).toBe(1006);
    expect(Date.now() - started).toBeLessThan(6 * KEEP_ALIVE_MS);
    await sleep(2 * KEEP_ALIVE_MS);
    const stillOpen = await Promise.race([healthy.closed.then(() => false), sleep(100).then(() => true)]);
    expect(stillOpen).toBe(true);
    await healthy.dispose();
  });

  // Timing-dependent (the backlog must be queued within one interval of a ping); one retry keeps a
  // loaded CI machine from failing it while a real regression still fails twice.
  it('keeps a subscriber whose events are queued ahead of the ping for longer than the interval, once it reads again', { retry: 1, timeout: 60_000 }, async () => {
    const behind = await openRawLiveSocket(app.url, account.accessToken);
    behind.subscribe('heavy', HEAVY_SUBSCRIPTION);
    await waitUntil(() => app.app.hub.subscriberCount === 1, 'the subscription to register');
    // Just after a ping has been answered, so the next comes an interval later, behind the backlog.
    await behind.nextPing();
    behind.pauseReading();
    // About 18 MB of events in one commit: far more than the kernel's socket buffers, so the rest
    // (and the next ping behind it) waits in the server's own write buffer.
    const count = 30;
    await createAlerts(app.database, account.organizationId, monitorId, Array.from({ length: count }, () => ({ summary: 'x'.repeat(5_000) })));
    // Longer than two intervals, shorter than three: graphql-ws's keep-alive would have terminated it.
    await sleep(2.5 * KEEP_ALIVE_MS);
    behind.resumeReading();
    await Promise.race([
      waitUntil(() => (behind.received.get('heavy')?.length ?? 0) === count, 'every queued event to arrive', 30_000),
      behind.closed.then(({ code }) => {
        throw new Error(`closed with ${code} after ${behind.received.get('heavy')?.length ?? 0} of ${count} events`);
      }),
    ]);
    // Still connected after several more intervals, with its pongs answered.
    const isClosed = await Promise.race([behind.closed.then(() => true), sleep(3 * KEEP_ALIVE_MS).then(() => false)]);
    expect(isClosed).toBe(false);
    expect(app.app.hub.subscriberCount).toBe(1);
    behind.terminate();
    await waitUntil(() => app.app.hub.subscriberCount === 0, 'the subscription to end');
  });
});
