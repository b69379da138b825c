import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDetailDocument, AlertsPageDocument } from './generated/graphql.ts';
import { createMonitor, fireAlert, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server, { plan: 'pro' });
});
afterAll(() => server?.stop());

/** Statements the API sent while answering one request. */
async function statementsFor(run: () => Promise<unknown>): Promise<string[]> {
  server.queries.length = 0;
  await run();
  return [...server.queries];
}

describe('nested queries run a constant number of SQL statements', () => {
  it('an alerts page with each alert’s monitor costs the same for 2 alerts as for 50', async () => {
    const monitorIds: string[] = [];
    for (let i = 0; i < 5; i += 1) monitorIds.push(await createMonitor(server, account.accessToken, { name: `Monitor ${i}` }));
    for (let i = 0; i < 2; i += 1) await fireAlert(server, account, monitorIds[i % 5]!);

    const small = await statementsFor(() => server.gql(AlertsPageDocument, { first: 50 }, { token: account.accessToken }));
    for (let i = 0; i < 48; i += 1) await fireAlert(server, account, monitorIds[i % 5]!);
    let page: Awaited<ReturnType<typeof server.gql<unknown, unknown>>> | undefined;
    const large = await statementsFor(async () => {
      page = await server.gql(AlertsPageDocument, { first: 50 }, { token: account.accessToken });
    });

    expect((page?.data as { alerts: { edges: unknown[] } }).alerts.edges).toHaveLength(50);
    // Membership lookup, the page, one batched monitor load.
    expect(large).toHaveLength(3);
    expect(large.length).toBe(small.length);
  });

  it('an alert with its history, notes and people is a fixed handful of statements', async () => {
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Detail monitor' });
    const { id } = await fireAlert(server, account, monitorId);
    const statements = await statementsFor(() => server.gql(AlertDetailDocument, { id }, { token: account.accessToken }));
    // Membership, alert, then monitor / history / notes batched in one tick, then users.
    expect(statements.length).toBeLessThanOrEqual(6);
  });
});
