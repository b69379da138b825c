import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsPageDocument, ViewerDocument } from './generated/graphql.ts';
import { createMonitor, fireAlert, signUpAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('a first session', () => {
  it('signs up, creates a monitor and lists its alerts', async () => {
    const account = await signUpAccount(server);
    const viewer = await server.gql(ViewerDocument, {}, { token: account.accessToken });
    expect(viewer.data?.viewer).toMatchObject({ role: 'OWNER', organization: { plan: 'FREE', creditBalance: 1000 } });

    const monitorId = await createMonitor(server, account.accessToken);
    await fireAlert(server, account, monitorId, { title: 'acme-login.example imitates the sign-in page' });
    const page = await server.gql(AlertsPageDocument, { first: 10 }, { token: account.accessToken });
    expect(page.data?.alerts.edges.map((e) => [e.node.title, e.node.monitor.id])).toEqual([
      ['acme-login.example imitates the sign-in page', monitorId],
    ]);
  });
});
