import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddAlertNoteDocument, LiveAlertUpdatedDetailedDocument, OnAlertCreatedDocument, UpdateAlertStatusDocument } from '../generated/graphql.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, sleep } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive, type LiveClient } from '../helpers/ws.ts';

let server: TestServer;
let acme: TestAccount;
let globex: TestAccount;
let acmeLogin: string;
let acmePayments: string;
let globexMonitor: string;
const clients: LiveClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  acme = await signUpAccount(server);
  globex = await signUpAccount(server);
  acmeLogin = await createMonitor(server, acme.accessToken, { name: 'Acme login' });
  acmePayments = await createMonitor(server, acme.accessToken, { name: 'Acme payments' });
  globexMonitor = await createMonitor(server, globex.accessToken, { name: 'Globex brand' });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.stop();
});

function live(token: string): LiveClient {
  const client = connectLive(server.url, token);
  clients.push(client);
  return client;
}

const titles = (items: { alertCreated: { alert: { title: string } } }[]) => items.map((i) => i.alertCreated.alert.title);

describe('alertCreated filters', () => {
  it('delivers each subscription only the alerts its filter matches, and nothing across organizations', async () => {
    const acmeClient = live(acme.accessToken);
    const byMonitor = acmeClient.subscribe(OnAlertCreatedDocument, { filter: { monitorIds: [acmeLogin] } });
    const bySeverity = acmeClient.subscribe(OnAlertCreatedDocument, { filter: { minSeverity: 'HIGH' } });
    const byCategory = acmeClient.subscribe(OnAlertCreatedDocument, { filter: { categories: ['PHISHING', 'DATA_LEAK'] } });
    const combined = acmeClient.subscribe(OnAlertCreatedDocument, { filter: { monitorIds: [acmePayments], minSeverity: 'MEDIUM', categories: ['FRAUD'] } });
    const acmeAskingForGlobex = acmeClient.subscribe(OnAlertCreatedDocument, { filter: { monitorIds: [globexMonitor] } });
    const globexClient = live(globex.accessToken);
    const globexAll = globexClient.subscribe(OnAlertCreatedDocument, {});
    const globexAskingForAcme = globexClient.subscribe(OnAlertCreatedDocument, { filter: { monitorIds: [acmeLogin] } });
    await server.waitForSubscribers(7);

    await createAlerts(server.database, acme.organizationId, acmeLogin, [
      { title: 'a1 login low phishing', severity: 'low', category: 'phishing' },
      { title: 'a2 login critical fraud', severity: 'critical', category: 'fraud' },
      { title: 'a6 login medium trademark', severity: 'medium', category: 'trademark' },
    ]);
    await createAlerts(server.database, acme.organizationId, acmePayments, [
      { title: 'a3 payments high data_leak', severity: 'high', category: 'data_leak' },
      { title: 'a4 payments medium fraud', severity: 'medium', category: 'fraud' },
      { title: 'a5 payments low fraud', severity: 'low', category: 'fraud' },
    ]);
    await createAlerts(server.database, globex.organizationId, globexMonitor, [{ title: 'g1 globex critical phishing', severity: 'critical', category: 'phishing' }]);
    // Sentinels: once a subscription has its sentinel, everything committed before it was dispatched.
    await createAlerts(server.database, acme.organizationId, acmeLogin, [{ title: 'end login', severity: 'critical', category: 'phishing' }]);
    await createAlerts(server.database, acme.organizationId, acmePayments, [{ title: 'end payments', severity: 'critical', category: 'fraud' }]);

    expect(titles(await byMonitor.waitFor(4))).toEqual(['a1 login low phishing', 'a2 login critical fraud', 'a6 login medium trademark', 'end login']);
    expect(titles(await bySeverity.waitFor(4))).toEqual(['a2 login critical fraud', 'a3 payments high data_leak', 'end login', 'end payments']);
    expect(titles(await byCategory.waitFor(3))).toEqual(['a1 login low phishing', 'a3 payments high data_leak', 'end login']);
    expect(titles(await combined.waitFor(2))).toEqual(['a4 payments medium fraud', 'end payments']);
    expect(titles(await globexAll.waitFor(1))).toEqual(['g1 globex critical phishing']);
    await sleep(300);
    // Nothing more arrives after the sentinels, and naming another organization's monitor shows nothing of it.
    expect(byMonitor.received).toHaveLength(4);
    expect(bySeverity.received).toHaveLength(4);
    expect(byCategory.received).toHaveLength(3);
    expect(combined.received).toHaveLength(2);
    expect(globexAll.received).toHaveLength(1);
    expect(acmeAskingForGlobex.received).toEqual([]);
    expect(globexAskingForAcme.received).toEqual([]);
    expect(byMonitor.received.every((i) => i.alertCreated.alert.monitor.id === acmeLogin)).toBe(true);
    expect(combined.received[0]!.alertCreated.alert).toMatchObject({ severity: 'MEDIUM', category: 'FRAUD', monitor: { id: acmePayments } });
  });

  it('rejects a filter naming something that is not a monitor', async () => {
    const client = live(acme.accessToken);
    const bad = client.subscribe(OnAlertCreatedDocument, { filter: { monitorIds: ['not-a-global-id'] } });
    await expect(bad.waitFor(1, 5_000)).rejects.toThrow(/ended/);
    expect(JSON.stringify(bad.errors)).toMatch(/monitorIds/);
  });
});

describe('alertUpdated filters', () => {
  it('delivers status changes and notes only for matching alerts, and never to another organization', async () => {
    const [loginLow, loginCritical] = await createAlerts(server.database, acme.organizationId, acmeLogin, [
      { title: 'u1 login low phishing', severity: 'low', category: 'phishing' },
      { title: 'u2 login critical fraud', severity: 'critical', category: 'fraud' },
    ]);
    const [paymentsHigh, paymentsLow] = await createAlerts(server.database, acme.organizationId, acmePayments, [
      { title: 'u3 payments high data_leak', severity: 'high', category: 'data_leak' },
      { title: 'u4 payments low fraud', severity: 'low', category: 'fraud' },
    ]);
    const acmeClient = live(acme.accessToken);
    const byMonitor = acmeClient.subscribe(LiveAlertUpdatedDetailedDocument, { filter: { monitorIds: [acmeLogin] } });
    const bySeverity = acmeClient.subscribe(LiveAlertUpdatedDetailedDocument, { filter: { minSeverity: 'HIGH' } });
    const byCategory = acmeClient.subscribe(LiveAlertUpdatedDetailedDocument, { filter: { categories: ['FRAUD'] } });
    const globexClient = live(globex.accessToken);
    const globexAll = globexClient.subscribe(LiveAlertUpdatedDetailedDocument, {});
    const globexAskingForAcme = globexClient.subscribe(LiveAlertUpdatedDetailedDocument, { filter: { monitorIds: [acmeLogin] } });
    await server.waitForSubscribers(5);

    const acknowledged = await server.gql(
      UpdateAlertStatusDocument,
      { ids: [loginLow!, loginCritical!, paymentsHigh!, paymentsLow!], status: 'ACKNOWLEDGED' },
      { token: acme.accessToken },
    );
    expect(acknowledged.data?.updateAlertStatus.__typename).toBe('UpdateAlertStatusPayload');
    const noted = await server.gql(AddAlertNoteDocument, { alertId: paymentsHigh!, body: 'Takedown requested' }, { token: acme.accessToken });
    expect(noted.data?.addAlertNote.__typename).toBe('AddAlertNotePayload');
    // A Globex change: its subscriber sees it, Acme's never do.
    const [globexAlert] = await createAlerts(server.database, globex.organizationId, globexMonitor, [{ title: 'g2', severity: 'critical', category: 'fraud' }]);
    await server.gql(UpdateAlertStatusDocument, { ids: [globexAlert!], status: 'RESOLVED' }, { token: globex.accessToken });

    type Update = { alertUpdated: { change: string; alert: { id: string; status: string; notes: { nodes: { body: string }[] } } } };
    const summary = (items: Update[]) => items.map((i) => `${i.alertUpdated.alert.id}:${i.alertUpdated.change}`).sort();
    expect(summary(await byMonitor.waitFor(2))).toEqual([`${loginLow}:STATUS`, `${loginCritical}:STATUS`].sort());
    expect(summary(await bySeverity.waitFor(3))).toEqual([`${loginCritical}:STATUS`, `${paymentsHigh}:STATUS`, `${paymentsHigh}:NOTE`].sort());
    expect(summary(await byCategory.waitFor(2))).toEqual([`${loginCritical}:STATUS`, `${paymentsLow}:STATUS`].sort());
    expect(summary(await globexAll.waitFor(1))).toEqual([`${globexAlert}:STATUS`]);
    await sleep(300);
    expect(byMonitor.received).toHaveLength(2);
    expect(bySeverity.received).toHaveLength(3);
    expect(byCategory.received).toHaveLength(2);
    expect(globexAll.received).toHaveLength(1);
    expect(globexAskingForAcme.received).toEqual([]);
    expect(byMonitor.received.every((i) => i.alertUpdated.alert.status === 'ACKNOWLEDGED')).toBe(true);
    const note = bySeverity.received.find((i) => i.alertUpdated.change === 'NOTE');
    expect(note!.alertUpdated.alert.notes.nodes.map((n) => n.body)).toEqual(['Takedown requested']);
  });
});
