import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OnAlertCreatedDocument, RevokeApiKeyDocument } from '../generated/graphql.ts';
import { createTestApiKey } from '../helpers/accounts.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, sleep } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
/** Access tokens live two seconds here, so expiry happens while a socket is open. */
let shortLived: TestServer;
let account: TestAccount;
let monitorId: string;

beforeAll(async () => {
  [server, shortLived] = await Promise.all([startTestServer(), startTestServer({ accessTokenTtlSeconds: 2 })]);
  account = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken);
});
afterAll(async () => {
  await server?.stop();
  await shortLived?.stop();
});

describe('authenticating a live connection in connection_init', () => {
  it('accepts an access token and an API key alike, each seeing its own organization', async () => {
    const apiKey = await createTestApiKey(server, account.accessToken, { role: 'VIEWER' });
    const withToken = connectLive(server.url, account.accessToken);
    const withKey = connectLive(server.url, apiKey.secret);
    const byToken = withToken.subscribe(OnAlertCreatedDocument, {});
    const byKey = withKey.subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(2);
    const [id] = await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'Seen by both' }]);
    expect((await byToken.waitFor(1))[0]!.alertCreated.alert).toMatchObject({ id, title: 'Seen by both' });
    expect((await byKey.waitFor(1))[0]!.alertCreated.alert).toMatchObject({ id, title: 'Seen by both' });
    await withToken.dispose();
    await withKey.dispose();
  });

  it('refuses a revoked API key with 4403', async () => {
    const apiKey = await createTestApiKey(server, account.accessToken, { role: 'ANALYST' });
    const revoked = await server.gql(RevokeApiKeyDocument, { id: apiKey.id }, { token: account.accessToken });
    expect(revoked.data?.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
    const live = connectLive(server.url, apiKey.secret);
    const subscription = live.subscribe(OnAlertCreatedDocument, {});
    expect((await live.closed).code).toBe(4403);
    expect(subscription.received).toEqual([]);
    expect(server.liveSubscribers()).toBe(0);
  });

  it('accepts the key in the `token` connection parameter too, and refuses a malformed header', async () => {
    const apiKey = await createTestApiKey(server, account.accessToken, { role: 'VIEWER' });
    const open = (connectionParams: Record<string, unknown>) =>
      new Promise<number | 'acknowledged'>((resolve) => {
        const client = createClient({
          url: `${server.url.replace(/^http/, 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          connectionParams,
          onNonLazyError: () => {},
          on: {
            connected: () => {
              resolve('acknowledged');
              void client.dispose();
            },
            closed: (event) => resolve((event as CloseEvent).code),
          },
        });
      });
    expect(await open({ token: apiKey.secret })).toBe('acknowledged');
    expect(await open({ authorization: `Basic ${apiKey.secret}` })).toBe(4403);
  });
});

describe('an access token that expires while connected', () => {
  it('closes the socket with 4401 at expiry, while an API key connection stays open', async () => {
    const owner = await signUpAccount(shortLived);
    const monitor = await createMonitor(shortLived, owner.accessToken);
    const apiKey = await createTestApiKey(shortLived, owner.accessToken, { role: 'VIEWER' });
    const startedAt = Date.now();
    const { exp } = JSON.parse(Buffer.from(owner.accessToken.split('.')[1]!, 'base64url').toString()) as { exp: number };
    const byToken = connectLive(shortLived.url, owner.accessToken);
    const byKey = connectLive(shortLived.url, apiKey.secret);
    const tokenAlerts = byToken.subscribe(OnAlertCreatedDocument, {});
    const keyAlerts = byKey.subscribe(OnAlertCreatedDocument, {});
    await shortLived.waitForSubscribers(2);
    await createAlerts(shortLived.database, owner.organizationId, monitor, [{ title: 'Before expiry' }]);
    await tokenAlerts.waitFor(1);

    const closed = await byToken.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/expired/i);
    // Not at once: only when the two-second token ran out. Measured against the token's own `exp`
    // (whole seconds), not the time the test connected, which a loaded machine pushes later.
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 50);
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    // The API key connection has no expiry and keeps receiving.
    await createAlerts(shortLived.database, owner.organizationId, monitor, [{ title: 'After expiry' }]);
    expect((await keyAlerts.waitFor(2)).map((i) => i.alertCreated.alert.title)).toEqual(['Before expiry', 'After expiry']);
    expect(tokenAlerts.received.map((i) => i.alertCreated.alert.title)).toEqual(['Before expiry']);

    // Reconnecting with the expired token is refused outright.
    await sleep(100);
    const again = connectLive(shortLived.url, owner.accessToken);
    expect((await again.closed).code).toBe(4403);
    await byKey.dispose();
  });
});
