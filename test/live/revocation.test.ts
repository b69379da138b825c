import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMemberRoleDocument, LogOutDocument, OnAlertCreatedDocument, RemoveMemberDocument, RevokeApiKeyDocument } from '../generated/graphql.ts';
import { addTestMember, createTestApiKey, logInAs } from '../helpers/accounts.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, gqlAt, startExtraApp, waitUntil, type ExtraApp } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive, type LiveClient } from '../helpers/ws.ts';

/**
 * A WebSocket is authenticated once, in connection_init; revoking its credential must still end it
 * at once, whichever API process the revocation went through. API B is a second app on the same
 * database, so its change reaches this one only through NOTIFY.
 */
let apiA: TestServer;
let apiB: ExtraApp;
let account: TestAccount;
let monitorId: string;
const clients: LiveClient[] = [];

beforeAll(async () => {
  apiA = await startTestServer();
  apiB = await startExtraApp(apiA.databaseUrl);
  account = await signUpAccount(apiA);
  monitorId = await createMonitor(apiA, account.accessToken);
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await apiB?.stop();
  await apiA?.stop();
});

function live(credential: string): LiveClient {
  const client = connectLive(apiA.url, credential);
  clients.push(client);
  return client;
}

/** Resolves with the close event, or rejects if the socket is still open after `ms`. */
function closedWithin(client: LiveClient, ms: number): Promise<{ code: number; reason: string }> {
  return Promise.race([
    client.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the socket was still open after ${ms} ms`)), ms)),
  ]);
}

describe('open WebSockets whose credentials are revoked', () => {
  it('closes an API key subscription within 1 s of revokeApiKey here, and keeps another key of the organization receiving', async () => {
    const revokedKey = await createTestApiKey(apiA, account.accessToken, { role: 'ANALYST' });
    const otherKey = await createTestApiKey(apiA, account.accessToken, { role: 'ANALYST' });
    const doomed = live(revokedKey.secret);
    const survivor = live(otherKey.secret);
    const doomedStream = doomed.subscribe(OnAlertCreatedDocument, {});
    const survivorStream = survivor.subscribe(OnAlertCreatedDocument, {});
    await apiA.waitForSubscribers(2);
    const [before] = await createAlerts(apiA.database, account.organizationId, monitorId, [{ title: 'Before' }]);
    await doomedStream.waitFor(1);
    await survivorStream.waitFor(1);

    const revoked = await apiA.gql(RevokeApiKeyDocument, { id: revokedKey.id }, { token: account.accessToken });
    expect(revoked.data?.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
    expect(await closedWithin(doomed, 1_000)).toEqual({ code: 4403, reason: 'Credentials revoked' });

    const [after] = await createAlerts(apiA.database, account.organizationId, monitorId, [{ title: 'After' }]);
    expect((await survivorStream.waitFor(2)).map((item) => item.alertCreated.alert.id)).toEqual([before, after]);
    expect(doomedStream.received.map((item) => item.alertCreated.alert.id)).toEqual([before]);
  });

  it('closes an API key subscription within 1 s of a revocation through another API process', async () => {
    const key = await createTestApiKey(apiA, account.accessToken, { role: 'VIEWER' });
    const open = apiA.liveSubscribers();
    const client = live(key.secret);
    const stream = client.subscribe(OnAlertCreatedDocument, {});
    await apiA.waitForSubscribers(open + 1);
    await createAlerts(apiA.database, account.organizationId, monitorId, [{ title: 'Seen' }]);
    await stream.waitFor(1);

    const revoked = await gqlAt(apiB.url, RevokeApiKeyDocument, { id: key.id }, account.accessToken);
    expect(revoked.data?.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
    expect(await closedWithin(client, 1_000)).toEqual({ code: 4403, reason: 'Credentials revoked' });
  });

  it("closes a session's socket after logOut", async () => {
    const session = await logInAs(apiA, account.email);
    const open = apiA.liveSubscribers();
    const client = live(session.accessToken);
    const stream = client.subscribe(OnAlertCreatedDocument, {});
    await apiA.waitForSubscribers(open + 1);
    await createAlerts(apiA.database, account.organizationId, monitorId, [{ title: 'Seen' }]);
    await stream.waitFor(1);

    const loggedOut = await apiA.gql(LogOutDocument, { refreshToken: session.refreshToken });
    expect(loggedOut.data?.logOut).toMatchObject({ isLoggedOut: true });
    expect(await closedWithin(client, 1_000)).toEqual({ code: 4403, reason: 'Credentials revoked' });
  });

  it("closes a key's socket when its creator is demoted (to reconnect with the new role), and again when the creator is removed", async () => {
    const admin = await addTestMember(apiA, account, 'ADMIN');
    const key = await createTestApiKey(apiA, admin.accessToken, { role: 'ADMIN' });
    const before = apiA.liveSubscribers();
    const asAdmin = live(key.secret);
    asAdmin.subscribe(OnAlertCreatedDocument, {});
    await apiA.waitForSubscribers(before + 1);

    const demoted = await gqlAt(apiB.url, ChangeMemberRoleDocument, { id: admin.membershipId, role: 'VIEWER' }, account.accessToken);
    expect(demoted.data?.changeMemberRole.__typename).toBe('ChangeMemberRolePayload');
    expect(await closedWithin(asAdmin, 1_000)).toMatchObject({ code: 4403, reason: expect.stringMatching(/^Role changed/) });

    // Reconnected, it acts as a viewer; removing its creator ends it.
    await waitUntil(() => apiA.liveSubscribers() === before, 'the closed subscription to be let go');
    const asViewer = live(key.secret);
    const stream = asViewer.subscribe(OnAlertCreatedDocument, {});
    await apiA.waitForSubscribers(before + 1);
    await createAlerts(apiA.database, account.organizationId, monitorId, [{ title: 'Seen as viewer' }]);
    await stream.waitFor(1);
    const removed = await apiA.gql(RemoveMemberDocument, { id: admin.membershipId }, { token: account.accessToken });
    expect(removed.data?.removeMember.__typename).toBe('RemoveMemberPayload');
    expect(await closedWithin(asViewer, 1_000)).toEqual({ code: 4403, reason: 'Credentials revoked' });
  });
});
