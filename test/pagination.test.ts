import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertTitlesDocument, MonitorNamesDocument, type AlertOrder, type AlertTitlesQueryVariables, type MonitorOrder } from './generated/graphql.ts';
import { alertTitles, dataOf, errorCodes, monitorNames, walkConnection } from './helpers/domain.ts';
import { createMonitor, fireAlert, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const SEVERITIES = ['low', 'critical', 'medium', 'high', 'low', 'critical', 'medium'] as const;

/** An organization with one monitor and seven alerts, `Alert 1` the oldest, severities mixed. */
async function organizationWithAlerts() {
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken);
  for (const [i, severity] of SEVERITIES.entries()) await fireAlert(server, account, monitorId, { title: `Alert ${i + 1}`, severity });
  let added = 0;
  const addAlert = async (severity: 'low' | 'critical' = 'low') => {
    added += 1;
    await fireAlert(server, account, monitorId, { title: `New ${added}`, severity });
  };
  return { account, addAlert };
}

function alertPages(account: TestAccount, orderBy: AlertOrder, size: number, direction: 'forward' | 'backward') {
  return async (cursor: string | null) => {
    const variables = direction === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor };
    const data = dataOf(await server.gql(AlertTitlesDocument, { ...variables, orderBy }, { token: account.accessToken }));
    return { edges: data.alerts.edges.map((e) => ({ cursor: e.cursor, node: e.node.title })), pageInfo: data.alerts.pageInfo };
  };
}

function monitorPages(account: TestAccount, orderBy: MonitorOrder, size: number, direction: 'forward' | 'backward') {
  return async (cursor: string | null) => {
    const variables = direction === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor };
    const data = dataOf(await server.gql(MonitorNamesDocument, { ...variables, orderBy }, { token: account.accessToken }));
    return { edges: data.monitors.edges.map((e) => ({ cursor: e.cursor, node: e.node.name })), pageInfo: data.monitors.pageInfo };
  };
}

describe('walking the alerts connection', () => {
  let account: TestAccount;
  beforeAll(async () => {
    ({ account } = await organizationWithAlerts());
  });

  it.each<[AlertOrder, string[]]>([
    ['NEWEST', ['Alert 7', 'Alert 6', 'Alert 5', 'Alert 4', 'Alert 3', 'Alert 2', 'Alert 1']],
    ['OLDEST', ['Alert 1', 'Alert 2', 'Alert 3', 'Alert 4', 'Alert 5', 'Alert 6', 'Alert 7']],
    ['SEVERITY', ['Alert 6', 'Alert 2', 'Alert 4', 'Alert 7', 'Alert 3', 'Alert 5', 'Alert 1']],
  ])('%s: forward with first/after and backward with last/before give the whole list once', async (orderBy, expected) => {
    expect(await alertTitles(server, account.accessToken, { orderBy })).toEqual(expected);

    const forward = await walkConnection('forward', alertPages(account, orderBy, 3, 'forward'));
    expect(forward.nodes).toEqual(expected);
    expect(forward.pages.map((p) => [p.hasPreviousPage, p.hasNextPage])).toEqual([
      [false, true],
      [true, true],
      [true, false],
    ]);

    const backward = await walkConnection('backward', alertPages(account, orderBy, 3, 'backward'));
    expect(backward.nodes).toEqual(expected);
    expect(backward.pages.map((p) => [p.hasPreviousPage, p.hasNextPage])).toEqual([
      [true, false],
      [true, true],
      [false, true],
    ]);
  });

  it('a page of exactly the rest says there is no next page', async () => {
    const firstPage = await alertPages(account, 'NEWEST', 4, 'forward')(null);
    const rest = await alertPages(account, 'NEWEST', 3, 'forward')(firstPage.pageInfo.endCursor);
    expect(rest.edges.map((e) => e.node)).toEqual(['Alert 3', 'Alert 2', 'Alert 1']);
    expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});

describe('cursors stay correct while alerts are inserted between pages', () => {
  it('NEWEST forward: new alerts land before the cursor and never shift the pages', async () => {
    const { account, addAlert } = await organizationWithAlerts();
    const walk = await walkConnection('forward', alertPages(account, 'NEWEST', 3, 'forward'), async () => {
      await addAlert();
      await addAlert();
    });
    expect(walk.nodes).toEqual(['Alert 7', 'Alert 6', 'Alert 5', 'Alert 4', 'Alert 3', 'Alert 2', 'Alert 1']);
    expect(await alertTitles(server, account.accessToken)).toHaveLength(11);
  });

  it('OLDEST forward: every earlier alert comes once, then the new ones in order', async () => {
    const { account, addAlert } = await organizationWithAlerts();
    const walk = await walkConnection('forward', alertPages(account, 'OLDEST', 3, 'forward'), () => addAlert());
    expect(walk.nodes).toEqual(['Alert 1', 'Alert 2', 'Alert 3', 'Alert 4', 'Alert 5', 'Alert 6', 'Alert 7', 'New 1', 'New 2']);
  });

  it('SEVERITY forward: a critical alert sorting to the top mid-walk duplicates nothing', async () => {
    const { account, addAlert } = await organizationWithAlerts();
    const walk = await walkConnection('forward', alertPages(account, 'SEVERITY', 3, 'forward'), () => addAlert('critical'));
    expect(walk.nodes).toEqual(['Alert 6', 'Alert 2', 'Alert 4', 'Alert 7', 'Alert 3', 'Alert 5', 'Alert 1']);
  });

  it('NEWEST backward: walking toward the newest picks up what was added on the way', async () => {
    const { account, addAlert } = await organizationWithAlerts();
    const walk = await walkConnection('backward', alertPages(account, 'NEWEST', 3, 'backward'), () => addAlert());
    expect(walk.nodes).toEqual(['New 2', 'New 1', 'Alert 7', 'Alert 6', 'Alert 5', 'Alert 4', 'Alert 3', 'Alert 2', 'Alert 1']);
  });
});

describe('walking the monitors connection', () => {
  let account: TestAccount;
  beforeAll(async () => {
    account = await signUpAccount(server, { plan: 'pro' });
    for (const name of ['Delta', 'Alpha', 'Foxtrot', 'Charlie', 'Echo', 'Bravo']) await createMonitor(server, account.accessToken, { name });
  });

  it.each<[string, MonitorOrder, string[]]>([
    ['NAME ASC', { field: 'NAME', direction: 'ASC' }, ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot']],
    ['NAME DESC', { field: 'NAME', direction: 'DESC' }, ['Foxtrot', 'Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha']],
    ['CREATED_AT ASC', { field: 'CREATED_AT', direction: 'ASC' }, ['Delta', 'Alpha', 'Foxtrot', 'Charlie', 'Echo', 'Bravo']],
    ['CREATED_AT DESC', { field: 'CREATED_AT', direction: 'DESC' }, ['Bravo', 'Echo', 'Charlie', 'Foxtrot', 'Alpha', 'Delta']],
    ['NEXT_SCAN_AT ASC', { field: 'NEXT_SCAN_AT', direction: 'ASC' }, ['Delta', 'Alpha', 'Foxtrot', 'Charlie', 'Echo', 'Bravo']],
  ])('%s: both ways, pages of 4, give the whole list once', async (_label, orderBy, expected) => {
    const forward = await walkConnection('forward', monitorPages(account, orderBy, 4, 'forward'));
    expect(forward.nodes).toEqual(expected);
    expect(forward.pages).toHaveLength(2);
    const backward = await walkConnection('backward', monitorPages(account, orderBy, 4, 'backward'));
    expect(backward.nodes).toEqual(expected);
  });

  it('NAME ASC forward while monitors are added before and after the cursor', async () => {
    const owner = await signUpAccount(server, { plan: 'pro' });
    for (const name of ['B1', 'B2', 'B3', 'B4', 'B5', 'B6']) await createMonitor(server, owner.accessToken, { name });
    const walk = await walkConnection('forward', monitorPages(owner, { field: 'NAME', direction: 'ASC' }, 2, 'forward'), async (page) => {
      if (page >= 2) return;
      await createMonitor(server, owner.accessToken, { name: `A${page}` });
      await createMonitor(server, owner.accessToken, { name: `Z${page}` });
    });
    expect(walk.nodes).toEqual(['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'Z0', 'Z1']);
    expect(await monitorNames(server, owner.accessToken, { orderBy: { field: 'NAME', direction: 'ASC' } })).toEqual([
      'A0', 'A1', 'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'Z0', 'Z1',
    ]);
  });
});

describe('bad page arguments are refused with VALIDATION_ERROR', () => {
  let account: TestAccount;
  let cursors: { newest: string; oldest: string; severity: string; monitorsByName: string; monitorsByCreation: string };
  beforeAll(async () => {
    ({ account } = await organizationWithAlerts());
    const alertCursor = async (orderBy: AlertOrder) => (await alertPages(account, orderBy, 1, 'forward')(null)).pageInfo.endCursor!;
    const monitorCursor = async (orderBy: MonitorOrder) => (await monitorPages(account, orderBy, 1, 'forward')(null)).pageInfo.endCursor!;
    cursors = {
      newest: await alertCursor('NEWEST'),
      oldest: await alertCursor('OLDEST'),
      severity: await alertCursor('SEVERITY'),
      monitorsByName: await monitorCursor({ field: 'NAME', direction: 'ASC' }),
      monitorsByCreation: await monitorCursor({ field: 'CREATED_AT', direction: 'DESC' }),
    };
  });

  const alerts = (variables: AlertTitlesQueryVariables) =>
    server.gql(AlertTitlesDocument, variables, { token: account.accessToken });

  it('first or last above 100, or negative', async () => {
    for (const variables of [{ first: 101 }, { last: 101 }, { first: -1 }]) {
      const response = await alerts(variables);
      expect(errorCodes(response)).toEqual(['VALIDATION_ERROR']);
      expect(response.data).toBeNull();
    }
    const monitors = await server.gql(MonitorNamesDocument, { first: 101 }, { token: account.accessToken });
    expect(errorCodes(monitors)).toEqual(['VALIDATION_ERROR']);
    expect(dataOf(await alerts({ first: 100 })).alerts.edges).toHaveLength(7);
  });

  it('a malformed or forged cursor', async () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      'not-a-cursor',
      forged({ hello: 'world' }),
      forged(['alerts.newest', ["2025-01-01 00:00:00+00'; drop table alerts; --", '00000000-0000-0000-0000-000000000000']]),
      forged(['alerts.newest', ['2025-01-01 00:00:00+00']]),
      forged(['alerts.newest', ['2025-01-01 00:00:00+00', 'not-a-uuid']]),
    ];
    for (const after of bad) expect(errorCodes(await alerts({ first: 2, after }))).toEqual(['VALIDATION_ERROR']);
    for (const before of bad) expect(errorCodes(await alerts({ last: 2, before }))).toEqual(['VALIDATION_ERROR']);
  });

  it('a cursor from another ordering or another list', async () => {
    const refused = [
      await alerts({ first: 2, after: cursors.newest, orderBy: 'OLDEST' }),
      await alerts({ first: 2, after: cursors.oldest, orderBy: 'NEWEST' }),
      await alerts({ first: 2, after: cursors.severity, orderBy: 'NEWEST' }),
      await alerts({ last: 2, before: cursors.newest, orderBy: 'SEVERITY' }),
      await alerts({ first: 2, after: cursors.monitorsByCreation }),
      await server.gql(MonitorNamesDocument, { first: 2, after: cursors.newest }, { token: account.accessToken }),
      await server.gql(MonitorNamesDocument, { first: 2, after: cursors.monitorsByName, orderBy: { field: 'NAME', direction: 'DESC' } }, { token: account.accessToken }),
      await server.gql(MonitorNamesDocument, { first: 2, after: cursors.monitorsByCreation, orderBy: { field: 'NEXT_SCAN_AT', direction: 'DESC' } }, { token: account.accessToken }),
    ];
    expect(refused.map(errorCodes)).toEqual(refused.map(() => ['VALIDATION_ERROR']));
    // The same cursors work with the ordering they came from.
    expect(await alertTitles(server, account.accessToken, { after: cursors.newest, orderBy: 'NEWEST' })).toHaveLength(6);
    expect(await alertTitles(server, account.accessToken, { after: cursors.severity, orderBy: 'SEVERITY' })).toHaveLength(6);
  });
});
