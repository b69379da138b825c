import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveAlertIdsDocument } from '../generated/graphql.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, cursorSeq, waitUntil } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive, type LiveClient, type Subscription } from '../helpers/ws.ts';

const ORGANIZATIONS = 5;
const SOCKETS_PER_ORGANIZATION = 200;
const ALERTS_PER_ORGANIZATION = 10;

let server: TestServer;
let tenants: { account: TestAccount; monitorId: string }[];
const clients: LiveClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  tenants = [];
  for (let i = 0; i < ORGANIZATIONS; i++) {
    const account = await signUpAccount(server);
    tenants.push({ account, monitorId: await createMonitor(server, account.accessToken) });
  }
});
afterAll(async () => {
  // Closed in slices so a thousand close handshakes do not all land at once.
  for (let i = 0; i < clients.length; i += 200) await Promise.all(clients.slice(i, i + 200).map((c) => c.dispose()));
  await server?.stop();
}, 60_000);

describe('a thousand live subscribers', () => {
  it('each receives exactly its own organization’s burst of alerts, in commit order, within a minute', async () => {
    const subscriptions: { tenant: number; stream: Subscription<{ alertCreated: { cursor: string; alert: { id: string; title: string } } }> }[] = [];
    // One socket per subscriber, all on 127.0.0.1, opened in slices of 100.
    for (let slice = 0; slice < ORGANIZATIONS * SOCKETS_PER_ORGANIZATION; slice += 100) {
      for (let i = slice; i < slice + 100; i++) {
        const tenant = i % ORGANIZATIONS;
        const client = connectLive(server.url, tenants[tenant]!.account.accessToken);
        clients.push(client);
        subscriptions.push({ tenant, stream: client.subscribe(LiveAlertIdsDocument, {}) });
      }
      await server.waitForSubscribers(slice + 100, 30_000);
    }
    expect(server.liveSubscribers()).toBe(1_000);

    const startedAt = Date.now();
    const created = await Promise.all(
      tenants.map(({ account, monitorId }, tenant) =>
        createAlerts(
          server.database,
          account.organizationId,
          monitorId,
          Array.from({ length: ALERTS_PER_ORGANIZATION }, (_, n) => ({ title: `org ${tenant} alert ${n}` })),
        ),
      ),
    );
    await Promise.all(subscriptions.map(({ stream }) => stream.waitFor(ALERTS_PER_ORGANIZATION, 60_000)));
    const elapsedMs = Date.now() - startedAt;
    expect(elapsedMs).toBeLessThan(60_000);

    // Every organization's writes were sequential, so its commit order is the order created.
    for (const { tenant, stream } of subscriptions) {
      expect(stream.received.map((i) => i.alertCreated.alert.id)).toEqual(created[tenant]);
      const seqs = stream.received.map((i) => cursorSeq(i.alertCreated.cursor));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(stream.errors).toEqual([]);
    }
    // Nothing extra trickles in afterwards.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(subscriptions.every(({ stream }) => stream.received.length === ALERTS_PER_ORGANIZATION)).toBe(true);
    expect(subscriptions.reduce((sum, { stream }) => sum + stream.received.length, 0)).toBe(1_000 * ALERTS_PER_ORGANIZATION);

    // Every subscriber leaving frees the hub.
    for (let i = 0; i < clients.length; i += 200) await Promise.all(clients.slice(i, i + 200).map((c) => c.dispose()));
    await waitUntil(() => server.liveSubscribers() === 0, 'every subscription to end', 20_000);
  }, 120_000);
});
