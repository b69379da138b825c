import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnAlertCreatedDocument, type OnAlertCreatedSubscription } from '../generated/graphql.ts';
import { addTestMember, createTestApiKey } from '../helpers/accounts.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, sleep } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive, type LiveClient } from '../helpers/ws.ts';

/**
 * Live events are executed once per group of subscribers that agree on document, variables,
 * organization and role, and the group shares the result and its serialized payload. What each
 * subscriber receives must still be exactly what it would get on its own.
 *
 * No field reachable from a subscription has role-dependent visibility today (role only decides who
 * may subscribe); role is part of the group all the same, so subscribers of different roles are
 * asserted to land in different groups and each receive their own, complete results.
 */
let server: TestServer;
let acme: TestAccount;
let globex: TestAccount;
let acmeMonitor: string;
let globexMonitor: string;
const clients: LiveClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  acme = await signUpAccount(server);
  globex = await signUpAccount(server);
  acmeMonitor = await createMonitor(server, acme.accessToken, { name: 'Acme login' });
  globexMonitor = await createMonitor(server, globex.accessToken, { name: 'Globex brand' });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.stop();
});

function live(credential: string): LiveClient {
  const client = connectLive(server.url, credential);
  clients.push(client);
  return client;
}

async function sharingCounters(): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const counters: Record<string, number> = {};
  for (const match of text.matchAll(/^(vigil_live_(?:executions|payloads)_total)\{outcome="(\w+)"\} (\d+)$/gm)) counters[`${match[1]}:${match[2]}`] = Number(match[3]);
  return counters;
}

const seen = (items: OnAlertCreatedSubscription[]) => items.map((i) => `${i.alertCreated.alert.title} @ ${i.alertCreated.alert.monitor.name}`);

describe('alertCreated executed once per group of equal subscribers', () => {
  it('gives every subscriber exactly what it may see, whatever its organization or role, and shares work only within a group', async () => {
    const analyst = await addTestMember(server, acme, 'ANALYST');
    const viewer = await addTestMember(server, acme, 'VIEWER');
    const viewerKey = await createTestApiKey(server, acme.accessToken, { role: 'VIEWER' });

    const acmeOwner = live(acme.accessToken).subscribe(OnAlertCreatedDocument, {});
    const acmeOwnerHighOnly = live(acme.accessToken).subscribe(OnAlertCreatedDocument, { filter: { minSeverity: 'HIGH' } });
    const acmeAnalyst = live(analyst.accessToken).subscribe(OnAlertCreatedDocument, {});
    const acmeViewer = live(viewer.accessToken).subscribe(OnAlertCreatedDocument, {});
    const acmeViewerKey = live(viewerKey.secret).subscribe(OnAlertCreatedDocument, {});
    // Same document, same variables and the same role as Acme's owner: only the organization differs.
    const globexOwner = live(globex.accessToken).subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(6);
    const before = await sharingCounters();

    await createAlerts(server.database, acme.organizationId, acmeMonitor, [
      { title: 'acme low', severity: 'low' },
      { title: 'acme critical', severity: 'critical' },
    ]);
    await createAlerts(server.database, globex.organizationId, globexMonitor, [{ title: 'globex high', severity: 'high' }]);

    const acmeAll = ['acme low @ Acme login', 'acme critical @ Acme login'];
    for (const subscription of [acmeOwner, acmeAnalyst, acmeViewer, acmeViewerKey]) expect(seen(await subscription.waitFor(2))).toEqual(acmeAll);
    expect(seen(await acmeOwnerHighOnly.waitFor(1))).toEqual(['acme critical @ Acme login']);
    expect(seen(await globexOwner.waitFor(1))).toEqual(['globex high @ Globex brand']);
    // Nothing more arrives: no duplicate from a shared result, nothing across organizations.
    await sleep(300);
    expect(seen(acmeOwner.received)).toEqual(acmeAll);
    expect(seen(acmeAnalyst.received)).toEqual(acmeAll);
    expect(seen(acmeViewer.received)).toEqual(acmeAll);
    expect(seen(acmeViewerKey.received)).toEqual(acmeAll);
    expect(seen(acmeOwnerHighOnly.received)).toEqual(['acme critical @ Acme login']);
    expect(seen(globexOwner.received)).toEqual(['globex high @ Globex brand']);
    const cursors = (items: OnAlertCreatedSubscription[]) => items.map((i) => i.alertCreated.cursor);
    expect(cursors(acmeViewer.received)).toEqual(cursors(acmeOwner.received));
    for (const subscription of [acmeOwner, acmeOwnerHighOnly, acmeAnalyst, acmeViewer, acmeViewerKey, globexOwner]) expect(subscription.errors).toEqual([]);

    // Groups: "acme low" reaches owner, analyst and viewer (a member and a key: one group of two) —
    // 3 executions; "acme critical" also reaches the owner's filtered subscription — 4; "globex
    // high" — 1. Only the two viewers share: one payload each time, sent twice.
    const after = await sharingCounters();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    expect(delta('vigil_live_executions_total:executed')).toBe(8);
    expect(delta('vigil_live_payloads_total:serialized')).toBe(8);
    expect(delta('vigil_live_payloads_total:reused')).toBe(2);
  });

  it('executes a live event once for replaying subscribers that agree, once they have caught up', async () => {
    const subscribed = server.liveSubscribers();
    const start = live(globex.accessToken).subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(subscribed + 1);
    await createAlerts(server.database, globex.organizationId, globexMonitor, [{ title: 'globex cursor' }]);
    const cursor = (await start.waitFor(1))[0]!.alertCreated.cursor;
    await createAlerts(server.database, globex.organizationId, globexMonitor, [{ title: 'globex missed' }]);

    // `after` makes each a stream of its own (a replay has its own beginning) ...
    const resumedA = live(globex.accessToken).subscribe(OnAlertCreatedDocument, { after: cursor });
    const resumedB = live(globex.accessToken).subscribe(OnAlertCreatedDocument, { after: cursor });
    for (const resumed of [resumedA, resumedB]) expect(seen(await resumed.waitFor(1))).toEqual(['globex missed @ Globex brand']);
    const before = await sharingCounters();
    await createAlerts(server.database, globex.organizationId, globexMonitor, [{ title: 'globex live' }]);
    for (const resumed of [resumedA, resumedB]) expect(seen(await resumed.waitFor(2))).toEqual(['globex missed @ Globex brand', 'globex live @ Globex brand']);
    expect(seen((await start.waitFor(3)).slice(1))).toEqual(['globex missed @ Globex brand', 'globex live @ Globex brand']);

    // ... but the live event is executed once for both of them (and once for the plain subscriber's group).
    const after = await sharingCounters();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    expect(delta('vigil_live_executions_total:executed')).toBe(2);
    expect(delta('vigil_live_executions_total:shared')).toBe(1);
  });
});
