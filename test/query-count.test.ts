import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertDetailDocument,
  AlertsPageDocument,
  AlertsPageNestedDocument,
  BenchAlertsPageDocument,
  CreateApiKeyDocument,
  UpdateAlertStatusDocument,
} from './generated/graphql.ts';
import { createMonitor, fireAlert, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let account: TestAccount;
let apiKey: string;
const monitorIds: string[] = [];
const alertIds: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server, { plan: 'pro' });
  for (let i = 0; i < 5; i += 1) monitorIds.push(await createMonitor(server, account.accessToken, { name: `Monitor ${i}` }));
  for (let i = 0; i < 2; i += 1) alertIds.push((await fireAlert(server, account, monitorIds[i % 5]!)).id);
  apiKey = await createKey();
  // The key's first use looks it up; the counts below are of the requests after that one.
  await server.gql(BenchAlertsPageDocument, { first: 1 }, { token: apiKey });
});
afterAll(() => server?.stop());

/**
 * Statements the API sent while answering one request. postgres.js reads the array types once on
 * each new connection of the pool; that is the connection's cost, not the request's.
 */
async function statementsFor(run: () => Promise<unknown>): Promise<string[]> {
  server.queries.length = 0;
  await run();
  return server.queries.filter((statement) => !/^\s*select b\.oid, b\.typarray\s+from pg_catalog\.pg_type/.test(statement));
}

async function fillTo(count: number): Promise<void> {
  while (alertIds.length < count) alertIds.push((await fireAlert(server, account, monitorIds[alertIds.length % 5]!)).id);
}

async function createKey(): Promise<string> {
  const created = await server.gql(CreateApiKeyDocument, { input: { name: 'counting', role: 'VIEWER' } }, { token: account.accessToken });
  const payload = created.data?.createApiKey;
  if (payload?.__typename !== 'CreateApiKeyPayload') throw new Error(`no API key: ${JSON.stringify(created)}`);
  return payload.secret;
}

describe('an alerts page costs 1 SQL statement once its credential is known, 2 the first time', () => {
  it('with an API key: the page with each alert’s monitor — for 2 alerts as for 50', async () => {
    const small = await statementsFor(() => server.gql(BenchAlertsPageDocument, { first: 50 }, { token: apiKey }));
    await fillTo(50);
    let page: Awaited<ReturnType<typeof server.gql<unknown, unknown>>> | undefined;
    const large = await statementsFor(async () => {
      page = await server.gql(BenchAlertsPageDocument, { first: 50 }, { token: apiKey });
    });

    const nodes = (page?.data as { alerts: { nodes: { monitor: { name: string } }[] } }).alerts.nodes;
    expect(nodes).toHaveLength(50);
    expect(nodes.every((node) => node.monitor.name.startsWith('Monitor '))).toBe(true);
    expect(large).toHaveLength(1);
    // One statement reads the page and its monitors, scoped to the organization.
    expect(large[0]).toMatch(/from alerts a where a\.organization_id = \$1/);
    expect(large[0]).toMatch(/\) p join monitors m on m\.organization_id = p\.organization_id and m\.id = p\.monitor_id/);
    expect(small).toHaveLength(1);
  });

  it('with an API key used for the first time: the key (its use stamped in the same statement), then the page', async () => {
    const fresh = await createKey();
    const cold = await statementsFor(() => server.gql(BenchAlertsPageDocument, { first: 50 }, { token: fresh }));
    expect(cold).toHaveLength(2);
    expect(cold[0]).toMatch(/from api_keys k/);
    expect(cold[0]).toMatch(/update api_keys set last_used_at = now\(\)/);
    const warm = await statementsFor(() => server.gql(BenchAlertsPageDocument, { first: 50 }, { token: fresh }));
    expect(warm).toHaveLength(1);
  });

  it('with a session: the membership the first time, then the page alone — cursors included when asked for', async () => {
    await fillTo(50);
    const other = await signUpAccount(server, { plan: 'pro' });
    const cold = await statementsFor(() => server.gql(AlertsPageDocument, { first: 50 }, { token: other.accessToken }));
    expect(cold).toHaveLength(2);
    expect(cold[0]).toMatch(/from "memberships"/);
    const warm = await statementsFor(() => server.gql(AlertsPageDocument, { first: 50 }, { token: other.accessToken }));
    expect(warm).toHaveLength(1);
    expect(warm[0]).toMatch(/from alerts a where a\.organization_id = \$1/);
  });
});

describe('nested queries run a constant number of SQL statements', () => {
  it('an alerts page with people, notes and history costs the same for 3 alerts as for 30', async () => {
    await fillTo(50);
    const nested = (first: number) => statementsFor(() => server.gql(AlertsPageNestedDocument, { first }, { token: account.accessToken }));
    const acknowledged = await server.gql(UpdateAlertStatusDocument, { ids: alertIds, status: 'ACKNOWLEDGED', note: 'seen' }, { token: account.accessToken });
    expect(acknowledged.data?.updateAlertStatus.__typename).toBe('UpdateAlertStatusPayload');
    await nested(3); // the mutation dropped the organization's cached credentials (auth-cache-fence.ts)
    const small = await nested(3);
    const large = await nested(30);
    // The page (monitor columns joined); then notes, history and the acknowledgers, each batched;
    // the credential is known by now.
    expect(large).toHaveLength(4);
    expect(small).toHaveLength(large.length);
  });

  it('an alert with its history, notes and people is a fixed handful of statements', async () => {
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Detail monitor' });
    const { id } = await fireAlert(server, account, monitorId);
    const statements = await statementsFor(() => server.gql(AlertDetailDocument, { id }, { token: account.accessToken }));
    // Alert, then monitor / history / notes batched in one tick, then users.
    expect(statements.length).toBeLessThanOrEqual(5);
  });
});
