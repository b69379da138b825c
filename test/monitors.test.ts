import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMonitorDocument,
  DeleteMonitorDocument,
  NodeDocument,
  PauseMonitorDocument,
  ResumeMonitorDocument,
  UpdateMonitorDocument,
  ViewerDocument,
  type CreateMonitorInput,
  type MonitorNamesQueryVariables,
  type MonitorOrder,
  type UpdateMonitorInput,
} from './generated/graphql.ts';
import { dataOf, expectMember, monitorNames, readAlert, readMonitor, setMonitorNextScanAt } from './helpers/domain.ts';
import { createMonitor, demoMonitorInput, fireAlert, globalId, rawId, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;

/** How far `iso` is from now plus `offsetMs`, in milliseconds. */
const distanceFromNow = (iso: string, offsetMs = 0) => Math.abs(Date.parse(iso) - (Date.now() + offsetMs));

async function create(account: TestAccount, overrides: Partial<CreateMonitorInput> = {}) {
  const result = await server.gql(CreateMonitorDocument, { input: demoMonitorInput(overrides) }, { token: account.accessToken });
  return dataOf(result).createMonitor;
}

describe('a monitor from creation to deletion', () => {
  it('is created with the schedule of its frequency and read back by monitor(id) and node(id)', async () => {
    const owner = await signUpAccount(server);
    const created = expectMember(
      await create(owner, {
        name: '  Acme brand  ',
        terms: ['acme', 'acme corp'],
        excludeTerms: ['acme careers'],
        sources: ['DEMO', 'HACKERNEWS', 'DEMO'],
        frequency: 'HOURLY',
      }),
      'CreateMonitorPayload',
    ).monitor;
    expect(created).toMatchObject({
      name: 'Acme brand',
      kind: 'BRAND',
      terms: ['acme', 'acme corp'],
      excludeTerms: ['acme careers'],
      sources: ['DEMO', 'HACKERNEWS'],
      feedUrls: [],
      frequency: 'HOURLY',
      intervalMinutes: 60,
      status: 'ACTIVE',
      lastScanAt: null,
    });
    // A new monitor is due at once, so its first scan runs at the next tick.
    expect(distanceFromNow(created.nextScanAt)).toBeLessThan(MINUTE);

    expect(await readMonitor(server, owner.accessToken, created.id)).toEqual(created);
    const node = dataOf(await server.gql(NodeDocument, { id: created.id }, { token: owner.accessToken })).node;
    expect(node).toEqual({ __typename: 'Monitor', id: created.id, name: 'Acme brand' });
  });

  it('updates only the given fields and reschedules when the interval changes', async () => {
    const owner = await signUpAccount(server);
    const id = await createMonitor(server, owner.accessToken, { excludeTerms: ['acme careers'], frequency: 'DAILY' });
    const before = (await readMonitor(server, owner.accessToken, id))!;

    const weekly = expectMember(
      dataOf(await server.gql(UpdateMonitorDocument, { input: { monitorId: id, name: 'Acme, renamed', terms: ['acme', 'acmé'], frequency: 'WEEKLY' } }, { token: owner.accessToken })).updateMonitor,
      'UpdateMonitorPayload',
    ).monitor;
    expect(weekly).toEqual({
      ...before,
      name: 'Acme, renamed',
      terms: ['acme', 'acmé'],
      frequency: 'WEEKLY',
      intervalMinutes: 10_080,
      nextScanAt: weekly.nextScanAt,
    });
    // Never scanned, so the new interval counts from now.
    expect(distanceFromNow(weekly.nextScanAt, 7 * DAY)).toBeLessThan(MINUTE);

    const custom = dataOf(await server.gql(UpdateMonitorDocument, { input: { monitorId: id, frequency: 'INTERVAL', intervalMinutes: 90 } }, { token: owner.accessToken }));
    expect(expectMember(custom.updateMonitor, 'UpdateMonitorPayload').monitor).toMatchObject({ frequency: 'INTERVAL', intervalMinutes: 90, name: 'Acme, renamed' });
    expect(await readMonitor(server, owner.accessToken, id)).toMatchObject({ frequency: 'INTERVAL', intervalMinutes: 90, excludeTerms: ['acme careers'] });
  });

  it('pauses and resumes, keeping a future scan time and pulling an overdue one to now', async () => {
    const owner = await signUpAccount(server);
    const id = await createMonitor(server, owner.accessToken, { frequency: 'DAILY' });
    const scheduled = dataOf(await server.gql(UpdateMonitorDocument, { input: { monitorId: id, frequency: 'WEEKLY' } }, { token: owner.accessToken }));
    const nextScanAt = expectMember(scheduled.updateMonitor, 'UpdateMonitorPayload').monitor.nextScanAt;

    const paused = dataOf(await server.gql(PauseMonitorDocument, { id }, { token: owner.accessToken })).pauseMonitor;
    expect(expectMember(paused, 'PauseMonitorPayload').monitor).toMatchObject({ status: 'PAUSED', nextScanAt });
    expect(await monitorNames(server, owner.accessToken, { filter: { statuses: ['PAUSED'] } })).toEqual(['Acme brand']);
    expect(await monitorNames(server, owner.accessToken, { filter: { statuses: ['ACTIVE'] } })).toEqual([]);

    const resumed = dataOf(await server.gql(ResumeMonitorDocument, { id }, { token: owner.accessToken })).resumeMonitor;
    // Resumed before it was due: the weekly scan stays where it was instead of running right away.
    expect(expectMember(resumed, 'ResumeMonitorPayload').monitor).toMatchObject({ status: 'ACTIVE', nextScanAt });

    await server.gql(PauseMonitorDocument, { id }, { token: owner.accessToken });
    await setMonitorNextScanAt(server, id, new Date(Date.now() - 3 * DAY));
    const overdue = dataOf(await server.gql(ResumeMonitorDocument, { id }, { token: owner.accessToken })).resumeMonitor;
    // Missed slots are not replayed: the monitor is due now, not three days ago.
    expect(distanceFromNow(expectMember(overdue, 'ResumeMonitorPayload').monitor.nextScanAt)).toBeLessThan(MINUTE);
  });

  it('deletes for good: the monitor and its alerts are gone, other monitors keep theirs', async () => {
    const owner = await signUpAccount(server);
    const doomed = await createMonitor(server, owner.accessToken, { name: 'Doomed' });
    const kept = await createMonitor(server, owner.accessToken, { name: 'Kept' });
    const doomedAlerts = [await fireAlert(server, owner, doomed), await fireAlert(server, owner, doomed)];
    const keptAlert = await fireAlert(server, owner, kept, { title: 'Kept alert' });

    const deleted = dataOf(await server.gql(DeleteMonitorDocument, { id: doomed }, { token: owner.accessToken })).deleteMonitor;
    expect(expectMember(deleted, 'DeleteMonitorPayload').deletedMonitorId).toBe(doomed);

    expect(await readMonitor(server, owner.accessToken, doomed)).toBeNull();
    for (const alert of doomedAlerts) expect(await readAlert(server, owner.accessToken, alert.id)).toBeNull();
    expect(await readAlert(server, owner.accessToken, keptAlert.id)).toMatchObject({ title: 'Kept alert' });
    expect(await monitorNames(server, owner.accessToken)).toEqual(['Kept']);

    const again = dataOf(await server.gql(DeleteMonitorDocument, { id: doomed }, { token: owner.accessToken })).deleteMonitor;
    expect(expectMember(again, 'NotFoundError')).toMatchObject({ resource: 'MONITOR', id: doomed });
  });
});

describe('the monitors connection', () => {
  let owner: TestAccount;
  beforeAll(async () => {
    owner = await signUpAccount(server, { plan: 'pro' });
    // Created in this order; renamed so name, creation and schedule orders all differ.
    const charlie = await createMonitor(server, owner.accessToken, { name: 'Charlie', kind: 'DOMAIN', terms: ['charlie.example'] });
    const alpha = await createMonitor(server, owner.accessToken, { name: 'Alpha', kind: 'BRAND', terms: ['Umbrella'] });
    await createMonitor(server, owner.accessToken, { name: 'Bravo', kind: 'PERSON', terms: ['jane doe'] });
    await server.gql(UpdateMonitorDocument, { input: { monitorId: charlie, frequency: 'WEEKLY' } }, { token: owner.accessToken });
    await server.gql(UpdateMonitorDocument, { input: { monitorId: alpha, frequency: 'HOURLY' } }, { token: owner.accessToken });
    await server.gql(PauseMonitorDocument, { id: alpha }, { token: owner.accessToken });
  });

  it('lists newest first by default', async () => {
    expect(await monitorNames(server, owner.accessToken)).toEqual(['Bravo', 'Alpha', 'Charlie']);
  });

  it.each<[string, MonitorOrder, string[]]>([
    ['NAME ASC', { field: 'NAME', direction: 'ASC' }, ['Alpha', 'Bravo', 'Charlie']],
    ['NAME DESC', { field: 'NAME', direction: 'DESC' }, ['Charlie', 'Bravo', 'Alpha']],
    ['CREATED_AT ASC', { field: 'CREATED_AT', direction: 'ASC' }, ['Charlie', 'Alpha', 'Bravo']],
    ['CREATED_AT DESC', { field: 'CREATED_AT', direction: 'DESC' }, ['Bravo', 'Alpha', 'Charlie']],
    // Bravo is due now, Alpha in an hour, Charlie in a week.
    ['NEXT_SCAN_AT ASC', { field: 'NEXT_SCAN_AT', direction: 'ASC' }, ['Bravo', 'Alpha', 'Charlie']],
    ['NEXT_SCAN_AT DESC', { field: 'NEXT_SCAN_AT', direction: 'DESC' }, ['Charlie', 'Alpha', 'Bravo']],
  ])('orders by %s', async (_label, orderBy, expected) => {
    expect(await monitorNames(server, owner.accessToken, { orderBy })).toEqual(expected);
  });

  it.each<[string, MonitorNamesQueryVariables, string[]]>([
    ['status PAUSED', { filter: { statuses: ['PAUSED'] } }, ['Alpha']],
    ['status ACTIVE', { filter: { statuses: ['ACTIVE'] } }, ['Bravo', 'Charlie']],
    ['kind DOMAIN', { filter: { kinds: ['DOMAIN'] } }, ['Charlie']],
    ['kinds BRAND or PERSON', { filter: { kinds: ['BRAND', 'PERSON'] } }, ['Alpha', 'Bravo']],
    ['text in the name, any case', { filter: { text: 'CHAR' } }, ['Charlie']],
    ['text in a term only', { filter: { text: 'umbrel' } }, ['Alpha']],
    ['text matching nothing', { filter: { text: 'zulu' } }, []],
    ['text with a LIKE wildcard taken literally', { filter: { text: 'a%' } }, []],
    ['status and kind together', { filter: { statuses: ['ACTIVE'], kinds: ['BRAND', 'DOMAIN'] } }, ['Charlie']],
  ])('filters by %s', async (_label, variables, expected) => {
    expect(await monitorNames(server, owner.accessToken, { orderBy: { field: 'NAME', direction: 'ASC' }, ...variables })).toEqual(expected);
  });
});

describe('plan limits', () => {
  it('the free plan allows 5 monitors: the 6th is refused and nothing is added', async () => {
    const owner = await signUpAccount(server);
    for (let i = 1; i <= 5; i += 1) await createMonitor(server, owner.accessToken, { name: `Monitor ${i}` });
    const sixth = expectMember(await create(owner, { name: 'Monitor 6' }), 'PlanLimitExceededError');
    expect(sixth).toMatchObject({ code: 'PLAN_LIMIT_EXCEEDED', plan: 'FREE', limit: 'MAX_MONITORS', maximum: 5, current: 5 });
    expect(await monitorNames(server, owner.accessToken)).toHaveLength(5);
    expect(await monitorNames(server, owner.accessToken, { filter: { text: 'Monitor 6' } })).toEqual([]);
  });

  it('the free plan scans at most hourly, on create and on update', async () => {
    const owner = await signUpAccount(server);
    const tooOften = expectMember(await create(owner, { frequency: 'INTERVAL', intervalMinutes: 30 }), 'PlanLimitExceededError');
    expect(tooOften).toMatchObject({ plan: 'FREE', limit: 'MIN_INTERVAL_MINUTES', maximum: 60, current: 30 });
    expect(await monitorNames(server, owner.accessToken)).toEqual([]);

    const id = expectMember(await create(owner, { frequency: 'INTERVAL', intervalMinutes: 60 }), 'CreateMonitorPayload').monitor.id;
    const before = await readMonitor(server, owner.accessToken, id);
    const update = dataOf(await server.gql(UpdateMonitorDocument, { input: { monitorId: id, intervalMinutes: 59 } }, { token: owner.accessToken }));
    expect(expectMember(update.updateMonitor, 'PlanLimitExceededError')).toMatchObject({ limit: 'MIN_INTERVAL_MINUTES', maximum: 60, current: 59 });
    expect(await readMonitor(server, owner.accessToken, id)).toEqual(before);
  });

  it('the free plan has no GOOGLE source; the pro plan has it and a 15-minute floor', async () => {
    const free = await signUpAccount(server);
    const refused = expectMember(await create(free, { sources: ['DEMO', 'GOOGLE'] }), 'PlanLimitExceededError');
    expect(refused).toMatchObject({ plan: 'FREE', limit: 'SOURCES', message: 'The free plan does not include these sources: google' });
    expect(await monitorNames(server, free.accessToken)).toEqual([]);

    const pro = await signUpAccount(server, { plan: 'pro' });
    const accepted = await create(pro, { sources: ['GOOGLE'], frequency: 'INTERVAL', intervalMinutes: 15 });
    expect(expectMember(accepted, 'CreateMonitorPayload').monitor).toMatchObject({ sources: ['GOOGLE'], intervalMinutes: 15 });
  });

  it('offers the DEMO source only to organizations that allow it (the demo workspace, tests, benchmarks)', async () => {
    const regular = await signUpAccount(server, { plan: 'business', allowsDemoSource: false });
    const refused = expectMember(await create(regular, { sources: ['DEMO'] }), 'PlanLimitExceededError');
    expect(refused).toMatchObject({ code: 'PLAN_LIMIT_EXCEEDED', plan: 'BUSINESS', limit: 'SOURCES', message: 'The business plan does not include these sources: demo' });
    const limits = (token: string) => server.gql(ViewerDocument, {}, { token }).then((r) => dataOf(r).viewer!.organization.limits.sources);
    expect(await limits(regular.accessToken)).toEqual(['RSS', 'HACKERNEWS', 'GOOGLE', 'CERTSTREAM']);
    const demo = await signUpAccount(server, { plan: 'business' });
    expect(await limits(demo.accessToken)).toEqual(['RSS', 'HACKERNEWS', 'GOOGLE', 'CERTSTREAM', 'DEMO']);
    expect(expectMember(await create(demo, { sources: ['DEMO'] }), 'CreateMonitorPayload').monitor.sources).toEqual(['DEMO']);
  });
});

describe('bad input is refused with the field path and changes nothing', () => {
  it.each<[string, Partial<CreateMonitorInput>, { path: string[]; message: string }[]]>([
    ['an empty terms list', { terms: [] }, [{ path: ['input', 'terms'], message: 'must contain at least one term' }]],
    ['a blank term', { terms: ['acme', '   '] }, [{ path: ['input', 'terms', '1'], message: 'must not be empty' }]],
    ['an interval below 1', { frequency: 'INTERVAL', intervalMinutes: 0 }, [{ path: ['input', 'intervalMinutes'], message: 'must be at least 1 minute' }]],
    ['INTERVAL without minutes', { frequency: 'INTERVAL' }, [{ path: ['input', 'intervalMinutes'], message: 'is required when frequency is INTERVAL' }]],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, [{ path: ['input', 'name'], message: 'must be at most 200 characters' }]],
    ['RSS without feeds', { sources: ['RSS'] }, [{ path: ['input', 'feedUrls'], message: 'must list at least one feed when the RSS source is used' }]],
    ['a feed that is not http(s)', { sources: ['RSS'], feedUrls: ['https://ok.example/feed', 'ftp://files.example/feed.xml'] }, [{ path: ['input', 'feedUrls', '1'], message: 'must be an http(s) URL' }]],
  ])('createMonitor with %s', async (_label, overrides, issues) => {
    const owner = await signUpAccount(server);
    const result = expectMember(await create(owner, overrides), 'ValidationError');
    expect(result.issues).toEqual(issues);
    expect(await monitorNames(server, owner.accessToken)).toEqual([]);
  });

  it('updateMonitor with bad input leaves the monitor as it was', async () => {
    const owner = await signUpAccount(server);
    const id = await createMonitor(server, owner.accessToken, { frequency: 'DAILY' });
    const before = await readMonitor(server, owner.accessToken, id);
    const cases: [Omit<UpdateMonitorInput, 'monitorId'>, string[]][] = [
      [{ terms: [] }, ['input', 'terms']],
      [{ terms: ['ok', ''] }, ['input', 'terms', '1']],
      [{ name: 'n'.repeat(201) }, ['input', 'name']],
      [{ name: '   ' }, ['input', 'name']],
      [{ frequency: 'INTERVAL' }, ['input', 'intervalMinutes']],
      [{ frequency: 'INTERVAL', intervalMinutes: 0 }, ['input', 'intervalMinutes']],
      [{ sources: ['DEMO', 'RSS'] }, ['input', 'feedUrls']],
      [{ feedUrls: ['javascript:alert(1)'] }, ['input', 'feedUrls', '0']],
    ];
    for (const [input, path] of cases) {
      const result = dataOf(await server.gql(UpdateMonitorDocument, { input: { monitorId: id, ...input } }, { token: owner.accessToken }));
      expect(expectMember(result.updateMonitor, 'ValidationError').issues.map((i) => i.path)).toEqual([path]);
    }
    expect(await readMonitor(server, owner.accessToken, id)).toEqual(before);
  });

  it('malformed IDs are refused on update, pause, resume and delete', async () => {
    const owner = await signUpAccount(server);
    const id = await createMonitor(server, owner.accessToken);
    const { id: alertId } = await fireAlert(server, owner, id);
    const before = await readMonitor(server, owner.accessToken, id);
    const badIds = ['garbage', '', globalId('Monitor', 'not-a-uuid'), alertId, rawId(id), globalId('Alert', rawId(id))];
    const issue = [{ path: ['input', 'monitorId'], message: 'is not a valid Monitor ID' }];
    for (const badId of badIds) {
      const token = { token: owner.accessToken };
      const update = dataOf(await server.gql(UpdateMonitorDocument, { input: { monitorId: badId, name: 'Hijacked' } }, token)).updateMonitor;
      const pause = dataOf(await server.gql(PauseMonitorDocument, { id: badId }, token)).pauseMonitor;
      const resume = dataOf(await server.gql(ResumeMonitorDocument, { id: badId }, token)).resumeMonitor;
      const remove = dataOf(await server.gql(DeleteMonitorDocument, { id: badId }, token)).deleteMonitor;
      for (const result of [update, pause, resume, remove]) expect(expectMember(result, 'ValidationError').issues).toEqual(issue);
    }
    expect(await readMonitor(server, owner.accessToken, id)).toEqual(before);
    expect(await readAlert(server, owner.accessToken, alertId)).toMatchObject({ status: 'NEW' });
  });
});
