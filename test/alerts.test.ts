import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddAlertNoteCheckedDocument,
  AlertTitlesDocument,
  UpdateAlertStatusDocument,
  type AlertStatus,
  type AlertTitlesQueryVariables,
} from './generated/graphql.ts';
import { alertTitles, dataOf, errorCodes, expectMember, readAlert, setAlertCreatedAt } from './helpers/domain.ts';
import { createMonitor, fireAlert, globalId, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function setStatus(account: TestAccount, ids: string[], status: AlertStatus, note?: string) {
  return dataOf(await server.gql(UpdateAlertStatusDocument, { ids, status, note }, { token: account.accessToken })).updateAlertStatus;
}

async function accountWithMonitor() {
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken);
  return { account, monitorId };
}

describe('alerts raised by the scanner', () => {
  it('the same fingerprint twice is one alert with two occurrences and a fresher verdict', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const first = await fireAlert(server, account, monitorId, { fingerprint: 'acme-login.example', title: 'First verdict' });
    const before = (await readAlert(server, account.accessToken, first.id))!;
    const second = await fireAlert(server, account, monitorId, { fingerprint: 'acme-login.example', title: 'Second verdict', severity: 'critical' });

    expect([first.outcome, second.outcome, second.id]).toEqual(['created', 'updated', first.id]);
    const alert = (await readAlert(server, account.accessToken, first.id))!;
    expect(alert).toMatchObject({ title: 'Second verdict', severity: 'CRITICAL', occurrences: 2, status: 'NEW', firstSeenAt: before.firstSeenAt });
    expect(Date.parse(alert.lastSeenAt)).toBeGreaterThan(Date.parse(before.lastSeenAt));
    expect(alert.history.nodes.map((h) => [h.fromStatus, h.toStatus])).toEqual([[null, 'NEW']]);
    expect(await alertTitles(server, account.accessToken)).toEqual(['Second verdict']);
  });

  it('a resolved alert that fires again reopens as NEW, and history says so', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId, { fingerprint: 'fake-shop' });
    expectMember(await setStatus(account, [id], 'RESOLVED', 'Taken down'), 'UpdateAlertStatusPayload');

    const again = await fireAlert(server, account, monitorId, { fingerprint: 'fake-shop' });
    expect(again).toEqual({ id, outcome: 'reopened' });
    const alert = (await readAlert(server, account.accessToken, id))!;
    expect(alert).toMatchObject({ status: 'NEW', occurrences: 2, resolvedAt: null, resolvedBy: null });
    expect(alert.history.nodes.map(({ fromStatus, toStatus, note, actor }) => ({ fromStatus, toStatus, note, actor: actor?.email ?? null }))).toEqual([
      { fromStatus: null, toStatus: 'NEW', note: null, actor: null },
      { fromStatus: 'NEW', toStatus: 'RESOLVED', note: 'Taken down', actor: account.email },
      { fromStatus: 'RESOLVED', toStatus: 'NEW', note: 'Reopened: the threat was seen again', actor: null },
    ]);
  });

  it('a false positive stays a false positive when it fires again', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId, { fingerprint: 'our-own-site' });
    expectMember(await setStatus(account, [id], 'FALSE_POSITIVE'), 'UpdateAlertStatusPayload');
    expect(await fireAlert(server, account, monitorId, { fingerprint: 'our-own-site' })).toEqual({ id, outcome: 'updated' });
    const alert = (await readAlert(server, account.accessToken, id))!;
    expect(alert).toMatchObject({ status: 'FALSE_POSITIVE', occurrences: 2 });
    expect(alert.history.nodes.map((h) => h.toStatus)).toEqual(['NEW', 'FALSE_POSITIVE']);
  });
});

describe('triage with updateAlertStatus', () => {
  it('records who acknowledged and resolved, and when, with each note in history', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId);
    const startedAt = Date.now() - 1_000;

    const acked = expectMember(await setStatus(account, [id], 'ACKNOWLEDGED', 'Takedown requested'), 'UpdateAlertStatusPayload');
    expect(acked.alerts).toEqual([{ id, status: 'ACKNOWLEDGED', acknowledgedAt: expect.any(String), resolvedAt: null }]);
    expect(Date.parse(acked.alerts[0]!.acknowledgedAt!)).toBeGreaterThan(startedAt);

    const resolved = expectMember(await setStatus(account, [id], 'RESOLVED', 'Registrar suspended the domain'), 'UpdateAlertStatusPayload');
    expect(resolved.alerts[0]).toMatchObject({ status: 'RESOLVED', acknowledgedAt: acked.alerts[0]!.acknowledgedAt });
    const alert = (await readAlert(server, account.accessToken, id))!;
    expect(alert).toMatchObject({ acknowledgedBy: { id: account.userId, email: account.email }, resolvedBy: { id: account.userId } });
    expect(Date.parse(alert.resolvedAt!)).toBeGreaterThanOrEqual(Date.parse(alert.acknowledgedAt!));
    expect(alert.history.nodes.slice(1).map(({ fromStatus, toStatus, note, actor, isByApiKey }) => ({ fromStatus, toStatus, note, actor, isByApiKey }))).toEqual([
      { fromStatus: 'NEW', toStatus: 'ACKNOWLEDGED', note: 'Takedown requested', actor: { id: account.userId, email: account.email }, isByApiKey: false },
      { fromStatus: 'ACKNOWLEDGED', toStatus: 'RESOLVED', note: 'Registrar suspended the domain', actor: { id: account.userId, email: account.email }, isByApiKey: false },
    ]);

    const reopened = expectMember(await setStatus(account, [id], 'NEW'), 'UpdateAlertStatusPayload');
    expect(reopened.alerts).toEqual([{ id, status: 'NEW', acknowledgedAt: null, resolvedAt: null }]);
    expect(await readAlert(server, account.accessToken, id)).toMatchObject({ acknowledgedBy: null, resolvedBy: null });
  });

  it('moves many alerts at once, answering in the order asked', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const ids = [(await fireAlert(server, account, monitorId)).id, (await fireAlert(server, account, monitorId)).id, (await fireAlert(server, account, monitorId)).id];
    const asked = [ids[2]!, ids[0]!, ids[1]!];
    const result = expectMember(await setStatus(account, asked, 'FALSE_POSITIVE', 'Our own campaign'), 'UpdateAlertStatusPayload');
    expect(result.alerts.map((a) => [a.id, a.status])).toEqual(asked.map((id) => [id, 'FALSE_POSITIVE']));
    for (const id of ids) {
      const alert = (await readAlert(server, account.accessToken, id))!;
      expect(alert.history.nodes.at(-1)).toMatchObject({ fromStatus: 'NEW', toStatus: 'FALSE_POSITIVE', note: 'Our own campaign' });
    }
  });

  it.each<[AlertStatus[], AlertStatus, AlertStatus, AlertStatus]>([
    [[], 'NEW', 'NEW', 'NEW'],
    [['RESOLVED'], 'ACKNOWLEDGED', 'RESOLVED', 'ACKNOWLEDGED'],
    [['FALSE_POSITIVE'], 'RESOLVED', 'FALSE_POSITIVE', 'RESOLVED'],
  ])('after %j, moving to %s is an invalid transition that changes nothing', async (path, target, from, to) => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId);
    for (const status of path) expectMember(await setStatus(account, [id], status), 'UpdateAlertStatusPayload');
    const before = await readAlert(server, account.accessToken, id);
    const refused = expectMember(await setStatus(account, [id], target, 'should not be kept'), 'InvalidStatusTransitionError');
    expect(refused).toMatchObject({ code: 'INVALID_STATUS_TRANSITION', alertId: id, from, to });
    expect(await readAlert(server, account.accessToken, id)).toEqual(before);
  });

  it('with many alerts, one that cannot move (or does not exist) means none move', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const fresh = [(await fireAlert(server, account, monitorId)).id, (await fireAlert(server, account, monitorId)).id];
    const closed = (await fireAlert(server, account, monitorId)).id;
    expectMember(await setStatus(account, [closed], 'RESOLVED'), 'UpdateAlertStatusPayload');
    const snapshot = async () => Promise.all([...fresh, closed].map((id) => readAlert(server, account.accessToken, id)));
    const before = await snapshot();

    const invalid = expectMember(await setStatus(account, [...fresh, closed], 'ACKNOWLEDGED', 'bulk'), 'InvalidStatusTransitionError');
    expect(invalid).toMatchObject({ alertId: closed, from: 'RESOLVED', to: 'ACKNOWLEDGED' });
    const missing = globalId('Alert', randomUUID());
    const notFound = expectMember(await setStatus(account, [...fresh, missing], 'ACKNOWLEDGED'), 'NotFoundError');
    expect(notFound).toMatchObject({ resource: 'ALERT', id: missing });
    expect(await snapshot()).toEqual(before);
    expect(before.map((a) => a!.status)).toEqual(['NEW', 'NEW', 'RESOLVED']);
  });

  it('refuses an empty list, a blank note and malformed IDs with the argument path', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId);
    const cases: [string[], string | undefined, string[]][] = [
      [[], undefined, ['input', 'alertIds']],
      [[id], '   ', ['input', 'note']],
      [[id, 'garbage'], undefined, ['input', 'alertIds', '1']],
      [[monitorId], undefined, ['input', 'alertIds', '0']],
    ];
    for (const [ids, note, path] of cases) {
      const result = expectMember(await setStatus(account, ids, 'ACKNOWLEDGED', note), 'ValidationError');
      expect(result.issues.map((i) => i.path)).toEqual([path]);
    }
    expect(await readAlert(server, account.accessToken, id)).toMatchObject({ status: 'NEW', acknowledgedAt: null });
  });
});

describe('notes', () => {
  it('adds a note by its author and refuses an empty one', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId);
    const added = dataOf(await server.gql(AddAlertNoteCheckedDocument, { alertId: id, body: '  Reported to the registrar  ' }, { token: account.accessToken }));
    expect(expectMember(added.addAlertNote, 'AddAlertNotePayload').alertNote).toMatchObject({
      body: 'Reported to the registrar',
      author: { id: account.userId, email: account.email },
    });

    for (const body of ['', '   ']) {
      const empty = dataOf(await server.gql(AddAlertNoteCheckedDocument, { alertId: id, body }, { token: account.accessToken }));
      expect(expectMember(empty.addAlertNote, 'ValidationError').issues).toEqual([{ path: ['input', 'body'], message: 'must not be empty' }]);
    }
    const alert = (await readAlert(server, account.accessToken, id))!;
    expect(alert.notes.nodes.map((n) => [n.body, n.author?.email])).toEqual([['Reported to the registrar', account.email]]);
  });
});

describe('the alerts connection', () => {
  let account: TestAccount;
  let m1: string;
  let m2: string;
  beforeAll(async () => {
    account = await signUpAccount(server);
    m1 = await createMonitor(server, account.accessToken, { name: 'Domains' });
    m2 = await createMonitor(server, account.accessToken, { name: 'Social' });
    const spec = [
      [m1, 'A1 look-alike domain', 'Registered yesterday with a login form', 'https://acme-1ogin.example/', 'phishing', 'medium', '2025-01-10', null],
      [m1, 'A2 forum post selling customer data', 'A dump of 10k ACME accounts', 'https://forum.example/t/42', 'data_leak', 'critical', '2025-01-20', 'ACKNOWLEDGED'],
      [m2, 'A3 fake support account', 'Impersonates our helpdesk', 'https://social.example/acme_help', 'impersonation', 'low', '2025-02-01', 'RESOLVED'],
      [m2, 'A4 critical review in trade press', 'Negative coverage of the outage', null, 'negative_press', 'high', '2025-02-15', null],
      [m2, 'A5 typosquatted app', 'Clones the mobile app', 'https://store.example/app/acmee', 'fraud', 'high', '2025-01-05', 'FALSE_POSITIVE'],
    ] as const;
    for (const [monitorId, title, summary, url, category, severity, day, status] of spec) {
      const { id } = await fireAlert(server, account, monitorId, { title, summary, url, category, severity });
      await setAlertCreatedAt(server, id, new Date(`${day}T00:00:00Z`));
      if (status) expectMember(await setStatus(account, [id], status), 'UpdateAlertStatusPayload');
    }
  });

  const labels = async (variables: AlertTitlesQueryVariables) => (await alertTitles(server, account.accessToken, variables)).map((t) => t.slice(0, 2));

  it.each<[string, AlertTitlesQueryVariables['orderBy'], string[]]>([
    ['NEWEST (the default)', undefined, ['A4', 'A3', 'A2', 'A1', 'A5']],
    ['NEWEST', 'NEWEST', ['A4', 'A3', 'A2', 'A1', 'A5']],
    ['OLDEST', 'OLDEST', ['A5', 'A1', 'A2', 'A3', 'A4']],
    ['SEVERITY, then newest', 'SEVERITY', ['A2', 'A4', 'A5', 'A1', 'A3']],
  ])('orders by %s', async (_label, orderBy, expected) => {
    expect(await labels({ orderBy })).toEqual(expected);
  });

  it('filters by monitor', async () => {
    expect(await labels({ filter: { monitorIds: [m1] } })).toEqual(['A2', 'A1']);
    expect(await labels({ filter: { monitorIds: [m2] } })).toEqual(['A4', 'A3', 'A5']);
    expect(await labels({ filter: { monitorIds: [m1, m2] } })).toEqual(['A4', 'A3', 'A2', 'A1', 'A5']);
  });

  it.each<[string, AlertTitlesQueryVariables['filter'], string[]]>([
    ['status NEW', { statuses: ['NEW'] }, ['A4', 'A1']],
    ['statuses ACKNOWLEDGED or RESOLVED', { statuses: ['ACKNOWLEDGED', 'RESOLVED'] }, ['A3', 'A2']],
    ['status FALSE_POSITIVE', { statuses: ['FALSE_POSITIVE'] }, ['A5']],
    ['minSeverity CRITICAL', { minSeverity: 'CRITICAL' }, ['A2']],
    ['minSeverity HIGH', { minSeverity: 'HIGH' }, ['A4', 'A2', 'A5']],
    ['minSeverity LOW', { minSeverity: 'LOW' }, ['A4', 'A3', 'A2', 'A1', 'A5']],
    ['categories PHISHING or FRAUD', { categories: ['PHISHING', 'FRAUD'] }, ['A1', 'A5']],
    ['category DATA_LEAK', { categories: ['DATA_LEAK'] }, ['A2']],
    ['since (inclusive)', { since: '2025-01-20T00:00:00.000Z' }, ['A4', 'A3', 'A2']],
    ['until (exclusive)', { until: '2025-01-20T00:00:00.000Z' }, ['A1', 'A5']],
    ['since and until', { since: '2025-01-10T00:00:00.000Z', until: '2025-02-01T00:00:00.000Z' }, ['A2', 'A1']],
    ['text in the title only', { text: 'LOOK-ALIKE' }, ['A1']],
    ['text in the summary only', { text: 'helpdesk' }, ['A3']],
    ['text in the URL only', { text: 'forum.example/t' }, ['A2']],
    ['text across title, summary and URL', { text: 'acme' }, ['A3', 'A2', 'A1', 'A5']],
    ['text with _ taken literally', { text: 'acme_help' }, ['A3']],
    ['text with % taken literally', { text: 'acme%' }, []],
  ])('filters by %s', async (_label, filter, expected) => {
    expect(await labels({ filter })).toEqual(expected);
  });

  it('combines every filter with the others', async () => {
    const filter = { monitorIds: [m1], statuses: ['NEW' as const], minSeverity: 'MEDIUM' as const, categories: ['PHISHING' as const], text: 'login' };
    expect(await labels({ filter })).toEqual(['A1']);
    expect(await labels({ filter: { ...filter, monitorIds: [m2] } })).toEqual([]);
  });

  it('refuses a filter that cannot be right', async () => {
    const query = (filter: AlertTitlesQueryVariables['filter']) => server.gql(AlertTitlesDocument, { first: 10, filter }, { token: account.accessToken });
    expect(errorCodes(await query({ since: '2025-02-01T00:00:00Z', until: '2025-01-01T00:00:00Z' }))).toEqual(['VALIDATION_ERROR']);
    expect(errorCodes(await query({ text: 'x'.repeat(201) }))).toEqual(['VALIDATION_ERROR']);
    expect(errorCodes(await query({ monitorIds: ['garbage'] }))).toEqual(['VALIDATION_ERROR']);
  });
});
