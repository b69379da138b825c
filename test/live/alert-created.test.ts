import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertAlert } from '../../src/services/alerts.ts';
import { OnAlertCreatedDocument, OnAlertUpdatedDocument, UpdateAlertStatusDocument } from '../generated/graphql.ts';
import { createMonitor, fireAlert, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
let account: TestAccount;
let other: TestAccount;
let monitorId: string;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  other = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken);
});
afterAll(() => server?.stop());

describe('alertCreated over graphql-ws', () => {
  it('delivers an alert after its transaction commits, and never one that rolled back', async () => {
    const live = connectLive(server.url, account.accessToken);
    const mine = live.subscribe(OnAlertCreatedDocument, {});
    const foreign = connectLive(server.url, other.accessToken);
    const theirs = foreign.subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(2);

    await server.database.db
      .transaction(async (tx) => {
        await upsertAlert(tx, {
          organizationId: account.organizationId,
          monitorId: rawId(monitorId),
          fingerprint: 'rolled-back',
          title: 'Never committed',
          category: 'phishing',
          severity: 'high',
          confidence: 0.9,
        });
        throw new Error('roll back');
      })
      .catch(() => {});
    await fireAlert(server, account, monitorId, { title: 'Committed alert' });

    const [first] = await mine.waitFor(1);
    expect(first!.alertCreated.alert.title).toBe('Committed alert');
    expect(first!.alertCreated.alert.monitor.id).toBe(monitorId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mine.received).toHaveLength(1);
    expect(theirs.received).toHaveLength(0);
    await live.dispose();
    await foreign.dispose();
  });

  it('closes a connection without valid credentials with 4403', async () => {
    const live = connectLive(server.url, 'not-a-token');
    expect((await live.closed).code).toBe(4403);
    const anonymous = connectLive(server.url, undefined);
    expect((await anonymous.closed).code).toBe(4403);
  });

  it('alertUpdated announces status changes made through the API', async () => {
    const { id } = await fireAlert(server, account, monitorId, { title: 'To acknowledge' });
    const live = connectLive(server.url, account.accessToken);
    const updates = live.subscribe(OnAlertUpdatedDocument, {});
    await server.waitForSubscribers(1);
    const result = await server.gql(UpdateAlertStatusDocument, { ids: [id], status: 'ACKNOWLEDGED' }, { token: account.accessToken });
    expect(result.data?.updateAlertStatus.__typename).toBe('UpdateAlertStatusPayload');
    const [update] = await updates.waitFor(1);
    expect(update!.alertUpdated).toMatchObject({ change: 'STATUS', alert: { id, status: 'ACKNOWLEDGED' } });
    await live.dispose();
  });
});
