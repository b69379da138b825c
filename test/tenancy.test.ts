import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddAlertNoteCheckedDocument,
  DeleteMonitorDocument,
  LookUpByIdsDocument,
  PauseMonitorDocument,
  ResumeMonitorDocument,
  UpdateAlertStatusDocument,
  UpdateMonitorDocument,
} from './generated/graphql.ts';
import { alertTitles, dataOf, expectMember, monitorNames, readAlert, readMonitor } from './helpers/domain.ts';
import { createMonitor, fireAlert, globalId, rawId, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let acme: TestAccount;
let rival: TestAccount;
let acmeMonitor: string;
let acmePausedMonitor: string;
let acmeAlert: string;
let rivalMonitor: string;
let rivalAlert: string;

beforeAll(async () => {
  server = await startTestServer();
  acme = await signUpAccount(server);
  rival = await signUpAccount(server);
  acmeMonitor = await createMonitor(server, acme.accessToken, { name: 'Acme brand', terms: ['acme'] });
  acmePausedMonitor = await createMonitor(server, acme.accessToken, { name: 'Acme paused' });
  await server.gql(PauseMonitorDocument, { id: acmePausedMonitor }, { token: acme.accessToken });
  acmeAlert = (await fireAlert(server, acme, acmeMonitor, { title: 'Acme phishing kit' })).id;
  rivalMonitor = await createMonitor(server, rival.accessToken, { name: 'Rival brand', terms: ['rival'] });
  rivalAlert = (await fireAlert(server, rival, rivalMonitor, { title: 'Rival phishing kit', url: 'https://rival-login.example/' })).id;
});
afterAll(() => server?.stop());

/** Everything Acme can see of its monitors and alert, to prove the rival's attempts changed nothing. */
async function acmeSnapshot() {
  return {
    monitor: await readMonitor(server, acme.accessToken, acmeMonitor),
    paused: await readMonitor(server, acme.accessToken, acmePausedMonitor),
    alert: await readAlert(server, acme.accessToken, acmeAlert),
  };
}

describe("another organization's IDs, replayed or guessed", () => {
  it('resolve to null through monitor, alert and node, exactly like IDs that do not exist', async () => {
    const asAcme = dataOf(await server.gql(LookUpByIdsDocument, { monitorId: acmeMonitor, alertId: acmeAlert }, { token: acme.accessToken }));
    expect(asAcme).toEqual({
      monitor: { id: acmeMonitor, name: 'Acme brand' },
      alert: { id: acmeAlert, title: 'Acme phishing kit' },
      monitorNode: { __typename: 'Monitor', id: acmeMonitor },
      alertNode: { __typename: 'Alert', id: acmeAlert },
    });

    const nothing = { monitor: null, alert: null, monitorNode: null, alertNode: null };
    const replayed = await server.gql(LookUpByIdsDocument, { monitorId: acmeMonitor, alertId: acmeAlert }, { token: rival.accessToken });
    expect(replayed).toMatchObject({ data: nothing });
    expect(replayed.errors).toBeUndefined();
    const guessed = await server.gql(
      LookUpByIdsDocument,
      { monitorId: globalId('Monitor', randomUUID()), alertId: globalId('Alert', randomUUID()) },
      { token: rival.accessToken },
    );
    expect(guessed).toMatchObject({ data: nothing });
    // Uppercase hex is the same UUID: still another organization's, still nothing.
    const shouted = { monitorId: globalId('Monitor', rawId(acmeMonitor).toUpperCase()), alertId: globalId('Alert', rawId(acmeAlert).toUpperCase()) };
    expect(await server.gql(LookUpByIdsDocument, shouted, { token: rival.accessToken })).toMatchObject({ data: nothing });
  });

  it('never show up in lists, whatever the filter', async () => {
    expect(await monitorNames(server, rival.accessToken)).toEqual(['Rival brand']);
    expect(await monitorNames(server, rival.accessToken, { filter: { text: 'acme' } })).toEqual([]);
    expect(await monitorNames(server, rival.accessToken, { filter: { statuses: ['PAUSED'] } })).toEqual([]);
    expect(await alertTitles(server, rival.accessToken)).toEqual(['Rival phishing kit']);
    expect(await alertTitles(server, rival.accessToken, { filter: { monitorIds: [acmeMonitor] } })).toEqual([]);
    expect(await alertTitles(server, rival.accessToken, { filter: { monitorIds: [acmeMonitor, rivalMonitor] } })).toEqual(['Rival phishing kit']);
    expect(await alertTitles(server, rival.accessToken, { filter: { text: 'acme' } })).toEqual([]);
    expect(await alertTitles(server, rival.accessToken, { orderBy: 'SEVERITY', filter: { minSeverity: 'LOW' } })).toEqual(['Rival phishing kit']);
    // And the owner still sees its own.
    expect(await monitorNames(server, acme.accessToken, { orderBy: { field: 'NAME', direction: 'ASC' } })).toEqual(['Acme brand', 'Acme paused']);
    expect(await alertTitles(server, acme.accessToken)).toEqual(['Acme phishing kit']);
  });

  it('answer NotFoundError to every mutation and change nothing', async () => {
    const before = await acmeSnapshot();
    const token = { token: rival.accessToken };
    const results = [
      ['Monitor', acmeMonitor, dataOf(await server.gql(UpdateMonitorDocument, { id: acmeMonitor, input: { name: 'Owned', terms: ['x'] } }, token)).updateMonitor],
      ['Monitor', acmeMonitor, dataOf(await server.gql(PauseMonitorDocument, { id: acmeMonitor }, token)).pauseMonitor],
      ['Monitor', acmePausedMonitor, dataOf(await server.gql(ResumeMonitorDocument, { id: acmePausedMonitor }, token)).resumeMonitor],
      ['Monitor', acmeMonitor, dataOf(await server.gql(DeleteMonitorDocument, { id: acmeMonitor }, token)).deleteMonitor],
      ['Alert', acmeAlert, dataOf(await server.gql(UpdateAlertStatusDocument, { ids: [acmeAlert], status: 'FALSE_POSITIVE', note: 'x' }, token)).updateAlertStatus],
      ['Alert', acmeAlert, dataOf(await server.gql(AddAlertNoteCheckedDocument, { alertId: acmeAlert, body: 'We were here' }, token)).addAlertNote],
    ] as const;
    for (const [resource, id, result] of results) {
      expect(result).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', resource, id: rawId(id) });
    }
    expect(await acmeSnapshot()).toEqual(before);
    expect(before.alert).toMatchObject({ status: 'NEW', notes: [], history: [{ fromStatus: null, toStatus: 'NEW' }] });
    expect(before.paused).toMatchObject({ status: 'PAUSED' });
  });

  it('a bulk status change mixing own and foreign alerts changes neither', async () => {
    const before = await readAlert(server, rival.accessToken, rivalAlert);
    const result = dataOf(
      await server.gql(UpdateAlertStatusDocument, { ids: [rivalAlert, acmeAlert], status: 'ACKNOWLEDGED' }, { token: rival.accessToken }),
    ).updateAlertStatus;
    expect(expectMember(result, 'NotFoundError')).toMatchObject({ resource: 'Alert', id: rawId(acmeAlert) });
    expect(await readAlert(server, rival.accessToken, rivalAlert)).toEqual(before);
    expect(await readAlert(server, acme.accessToken, acmeAlert)).toMatchObject({ status: 'NEW', acknowledgedAt: null });
  });

  it('a foreign ID and a made-up one get the same answer', async () => {
    const made = globalId('Monitor', randomUUID());
    const foreign = dataOf(await server.gql(PauseMonitorDocument, { id: acmeMonitor }, { token: rival.accessToken })).pauseMonitor;
    const missing = dataOf(await server.gql(PauseMonitorDocument, { id: made }, { token: rival.accessToken })).pauseMonitor;
    const shape = (value: typeof foreign) => JSON.stringify(value).replace(/[0-9a-f-]{36}/g, '<id>');
    expect(shape(foreign)).toEqual(shape(missing));
  });

  it("the scanner cannot file an alert under another organization's monitor", async () => {
    await expect(fireAlert(server, rival, acmeMonitor, { title: 'Cross-tenant alert' })).rejects.toThrow(/Monitor .* was not found/);
    expect(await alertTitles(server, acme.accessToken)).toEqual(['Acme phishing kit']);
  });

  it("one organization's monitors do not count against another's plan", async () => {
    const full = await signUpAccount(server);
    for (let i = 1; i <= 5; i += 1) await createMonitor(server, full.accessToken, { name: `Full ${i}` });
    const neighbour = await signUpAccount(server);
    for (let i = 1; i <= 5; i += 1) await createMonitor(server, neighbour.accessToken, { name: `Neighbour ${i}` });
    expect(await monitorNames(server, neighbour.accessToken, { orderBy: { field: 'NAME', direction: 'ASC' } })).toEqual([
      'Neighbour 1', 'Neighbour 2', 'Neighbour 3', 'Neighbour 4', 'Neighbour 5',
    ]);
  });
});
