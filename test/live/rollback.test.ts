import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../src/db/schema/index.ts';
import { addAlertNote, upsertAlert } from '../../src/services/alerts.ts';
import type { Viewer } from '../../src/services/viewer.ts';
import { AddAlertNoteDocument, LiveAlertUpdatedDetailedDocument, OnAlertCreatedDocument } from '../generated/graphql.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, sleep, waitUntil } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
let account: TestAccount;
let monitorId: string;
let viewer: Viewer;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken);
  viewer = { organizationId: account.organizationId, role: 'owner', userId: rawId(account.userId), apiKeyId: null, expiresAt: null };
});
afterAll(() => server?.stop());

const rolledBack = (work: Parameters<TestServer['database']['db']['transaction']>[0]) =>
  server.database.db.transaction(async (tx) => {
    await work(tx);
    throw new Error('roll back');
  }).catch((error: Error) => {
    if (error.message !== 'roll back') throw error;
  });

describe('changes that roll back announce nothing', () => {
  it('alertUpdated: a status change, a repeat occurrence and a note that roll back never arrive; the committed note does', async () => {
    const [alertId] = await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'Watched', fingerprint: 'watched-fp' }]);
    const live = connectLive(server.url, account.accessToken);
    const updates = live.subscribe(LiveAlertUpdatedDetailedDocument, {});
    const created = live.subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(2);

    await rolledBack((tx) => tx.update(alerts).set({ status: 'acknowledged', updatedAt: sql`now()` }).where(eq(alerts.id, rawId(alertId!))));
    await rolledBack((tx) =>
      upsertAlert(tx, {
        organizationId: account.organizationId,
        monitorId: rawId(monitorId),
        fingerprint: 'watched-fp',
        title: 'Watched, seen again',
        category: 'phishing',
        severity: 'critical',
        confidence: 1,
      }),
    );
    await rolledBack((tx) => addAlertNote(tx, viewer, rawId(alertId!), 'Never written'));
    await rolledBack((tx) =>
      upsertAlert(tx, {
        organizationId: account.organizationId,
        monitorId: rawId(monitorId),
        fingerprint: 'never-created',
        title: 'Never created',
        category: 'fraud',
        severity: 'high',
        confidence: 1,
      }),
    );
    const noted = await server.gql(AddAlertNoteDocument, { alertId: alertId!, body: 'Committed note' }, { token: account.accessToken });
    expect(noted.data?.addAlertNote.__typename).toBe('AddAlertNotePayload');

    const [update] = await updates.waitFor(1);
    expect(update!.alertUpdated).toMatchObject({
      change: 'NOTE',
      alert: { id: alertId, status: 'NEW', occurrences: 1, severity: 'HIGH', notes: { nodes: [{ body: 'Committed note' }] } },
    });
    await sleep(300);
    expect(updates.received).toHaveLength(1);
    expect(created.received).toEqual([]);
    await live.dispose();
  });

  it('a rolled-back alert takes no place in the replay order either', async () => {
    // The previous test's subscriptions end asynchronously; counting them as this one's would
    // let the first alert be written before this subscription is registered.
    await waitUntil(() => server.liveSubscribers() === 0, "the previous test's subscriptions to end");
    const live = connectLive(server.url, account.accessToken);
    const first = live.subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(1);
    await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'Before' }]);
    const cursor = (await first.waitFor(1))[0]!.alertCreated.cursor;
    first.dispose();

    await rolledBack((tx) =>
      upsertAlert(tx, {
        organizationId: account.organizationId,
        monitorId: rawId(monitorId),
        fingerprint: 'rolled-back-between',
        title: 'Rolled back between',
        category: 'phishing',
        severity: 'high',
        confidence: 1,
      }),
    );
    await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'After' }]);
    const resumed = live.subscribe(OnAlertCreatedDocument, { after: cursor });
    expect((await resumed.waitFor(1)).map((i) => i.alertCreated.alert.title)).toEqual(['After']);
    await sleep(200);
    expect(resumed.received).toHaveLength(1);
    await live.dispose();
  });
});

describe('every event shows the alert as that change committed it', () => {
  it('a second note on the same alert shows both notes, not the first event’s cached list', async () => {
    const [alertId] = await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'Noted twice' }]);
    const live = connectLive(server.url, account.accessToken);
    const updates = live.subscribe(LiveAlertUpdatedDetailedDocument, {});
    await server.waitForSubscribers(1);
    await server.gql(AddAlertNoteDocument, { alertId: alertId!, body: 'First note' }, { token: account.accessToken });
    await updates.waitFor(1);
    await server.gql(AddAlertNoteDocument, { alertId: alertId!, body: 'Second note' }, { token: account.accessToken });
    const [first, second] = await updates.waitFor(2);
    expect(first!.alertUpdated.alert.notes.nodes.map((n) => n.body)).toEqual(['First note']);
    expect(second!.alertUpdated.alert.notes.nodes.map((n) => n.body)).toEqual(['First note', 'Second note']);
    await live.dispose();
  });
});
