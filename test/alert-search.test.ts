import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchAlertsDocument, type SearchAlertsQuery } from './generated/graphql.ts';
import { dataOf } from './helpers/domain.ts';
import { createMonitor, fireAlert, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * `alerts(filter: { text })`: a case-insensitive substring of the title, summary or URL, whatever
 * characters it holds, paged like any other list and never reaching into another organization.
 */
let server: TestServer;
let account: TestAccount;
let monitorId: string;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken);
});
afterAll(() => server?.stop());

async function fire(who: TestAccount, monitor: string, title: string, extra: { summary?: string; url?: string } = {}): Promise<string> {
  return (await fireAlert(server, who, monitor, { title, summary: extra.summary ?? 'Nothing of note', url: extra.url ?? null })).id;
}

/** Every title the search finds, newest first, paging `pageSize` at a time to the end. */
async function searchAll(who: TestAccount, text: string, pageSize = 50): Promise<string[]> {
  const titles: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const { alerts }: SearchAlertsQuery = dataOf(await server.gql(SearchAlertsDocument, { text, first: pageSize, after }, { token: who.accessToken }));
    titles.push(...alerts.edges.map((edge) => edge.node.title));
    if (!alerts.pageInfo.hasNextPage) return titles;
    after = alerts.pageInfo.endCursor;
  }
  throw new Error('the search did not end within 20 pages');
}

describe('searching alerts by text', () => {
  it('finds a substring of the title, summary or URL, in any case, newest first', async () => {
    await fire(account, monitorId, 'Cloned sign-in page for Zorblax Bank');
    await fire(account, monitorId, 'Unrelated press mention', { summary: 'A forum thread quotes zORBLAXian staff' });
    await fire(account, monitorId, 'Look-alike domain', { url: 'https://secure-zorblax.example/login' });
    await fire(account, monitorId, 'Something else entirely');

    expect(await searchAll(account, 'ZORBLAX')).toEqual(['Look-alike domain', 'Unrelated press mention', 'Cloned sign-in page for Zorblax Bank']);
    // Inside words, across a hyphen: a substring, not a word.
    expect(await searchAll(account, 'rblax.exa')).toEqual(['Look-alike domain']);
    expect(await searchAll(account, 'n-in pa')).toEqual(['Cloned sign-in page for Zorblax Bank']);
  });

  it('takes %, _ and \\ literally', async () => {
    await fire(account, monitorId, 'Qvx discount 100% off');
    await fire(account, monitorId, 'Qvx discount 1000 off');
    await fire(account, monitorId, 'Qvx file qvx_payroll.xlsx');
    await fire(account, monitorId, 'Qvx file qvxapayroll.xlsx');
    await fire(account, monitorId, 'Qvx path C:\\qvxdump');
    await fire(account, monitorId, 'Qvx path C:qvxdump');

    expect(await searchAll(account, '0% off')).toEqual(['Qvx discount 100% off']);
    expect(await searchAll(account, 'qvx_pay')).toEqual(['Qvx file qvx_payroll.xlsx']);
    expect(await searchAll(account, ':\\qvx')).toEqual(['Qvx path C:\\qvxdump']);
    expect(await searchAll(account, '%%%')).toEqual([]);
  });

  it('answers a term found nowhere with an empty page', async () => {
    const { alerts } = dataOf(await server.gql(SearchAlertsDocument, { text: 'nowhere-to-be-found-xyz', first: 10 }, { token: account.accessToken }));
    expect(alerts.edges).toEqual([]);
    expect(alerts.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it('pages through the matches with cursors: each once, none missing', async () => {
    const expected: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      expected.unshift(`Wombatcorp impostor ${i}`);
      await fire(account, monitorId, `Wombatcorp impostor ${i}`);
      await fire(account, monitorId, `Bystander ${i}`);
    }
    expect(await searchAll(account, 'wombatcorp', 3)).toEqual(expected);
    expect(await searchAll(account, 'wombatcorp', 2)).toEqual(expected);
  });

  it('never finds another organization’s alerts', async () => {
    const other = await signUpAccount(server);
    const otherMonitor = await createMonitor(server, other.accessToken);
    await fire(other, otherMonitor, 'Theirs: Quokkasoft typosquat');
    await fire(account, monitorId, 'Ours: Quokkasoft typosquat');

    expect(await searchAll(account, 'quokkasoft')).toEqual(['Ours: Quokkasoft typosquat']);
    expect(await searchAll(other, 'quokkasoft')).toEqual(['Theirs: Quokkasoft typosquat']);
  });
});
