import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../src/db/schema/index.ts';
import { connectDatabase } from '../../src/db/client.ts';
import { OnAlertCreatedDocument, OnAlertUpdatedDocument } from '../generated/graphql.ts';
import { createMonitor, globalId, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, cursorSeq, sleep, waitUntil } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
let account: TestAccount;
let watched: string;
let other: string;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  watched = await createMonitor(server, account.accessToken, { name: 'Watched' });
  other = await createMonitor(server, account.accessToken, { name: 'Other' });
});
afterAll(() => server?.stop());

/** The filter used throughout: the watched monitor, high or critical. */
const filter = () => ({ monitorIds: [watched], minSeverity: 'HIGH' as const });

/** Every committed alert the filter matches after `afterSeq`, in commit order, as global IDs. */
async function committedMatching(afterSeq: number): Promise<string[]> {
  const rows = await server.database.db
    .select({ id: alerts.id })
    .from(alerts)
    .where(
      and(
        eq(alerts.organizationId, account.organizationId),
        eq(alerts.monitorId, rawId(watched)),
        inArray(alerts.severity, ['high', 'critical']),
        gt(alerts.createdSeq, afterSeq),
      ),
    )
    .orderBy(asc(alerts.createdSeq));
  return rows.map((row) => globalId('Alert', row.id));
}

/** A mix for the watched filter: `matching` alerts that match, interleaved with ones that do not. */
function mixedAlerts(matching: number, label: string) {
  return Array.from({ length: matching }, (_, i) => i).flatMap((i) => [
    { monitorId: watched, spec: { title: `${label} match ${i}`, severity: i % 2 ? ('critical' as const) : ('high' as const) } },
    ...(i % 3 === 0 ? [{ monitorId: watched, spec: { title: `${label} low ${i}`, severity: 'low' as const } }] : []),
    ...(i % 4 === 0 ? [{ monitorId: other, spec: { title: `${label} other ${i}`, severity: 'critical' as const } }] : []),
  ]);
}

async function create(items: ReturnType<typeof mixedAlerts>): Promise<void> {
  for (const item of items) await createAlerts(server.database, account.organizationId, item.monitorId, [item.spec]);
}

describe('resuming alertCreated with `after`', () => {
  it('replays every matching alert missed while away exactly once in commit order, then continues live', async () => {
    const first = connectLive(server.url, account.accessToken);
    const before = first.subscribe(OnAlertCreatedDocument, { filter: filter() });
    await server.waitForSubscribers(1);
    await create(mixedAlerts(3, 'before'));
    const seen = await before.waitFor(3);
    expect(seen.map((i) => i.alertCreated.alert.title)).toEqual(['before match 0', 'before match 1', 'before match 2']);
    const lastCursor = seen.at(-1)!.alertCreated.cursor;
    await first.dispose();
    await waitUntil(() => server.liveSubscribers() === 0, 'the first subscription to end');

    // While disconnected: more than one replay page (500) of matching alerts, mixed with others.
    const missed = Array.from({ length: 520 }, (_, i) => ({
      title: `away ${i}`,
      severity: i % 2 ? ('critical' as const) : ('high' as const),
    }));
    await Promise.all([
      createAlerts(server.database, account.organizationId, watched, missed.slice(0, 260)),
      createAlerts(server.database, account.organizationId, watched, missed.slice(260)),
      createAlerts(server.database, account.organizationId, watched, [{ title: 'away low', severity: 'low' }]),
      createAlerts(server.database, account.organizationId, other, [{ title: 'away other', severity: 'critical' }]),
    ]);

    const second = connectLive(server.url, account.accessToken);
    const resumed = second.subscribe(OnAlertCreatedDocument, { filter: filter(), after: lastCursor });
    // Alerts committed while the replay is being read and sent: the seam between replay and live.
    const duringReplay = create(mixedAlerts(30, 'during'));
    await waitUntil(() => resumed.received.length > 0, 'the replay to start');
    await duringReplay;
    await create(mixedAlerts(3, 'after'));

    const expected = await committedMatching(cursorSeq(lastCursor));
    expect(expected.length).toBe(520 + 30 + 3);
    const received = await resumed.waitFor(expected.length, 20_000);
    await sleep(300);
    expect(resumed.errors).toEqual([]);
    expect(resumed.received.map((i) => i.alertCreated.alert.id)).toEqual(expected);
    const seqs = resumed.received.map((i) => cursorSeq(i.alertCreated.cursor));
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    expect(received.every((i) => i.alertCreated.alert.monitor.id === watched && ['HIGH', 'CRITICAL'].includes(i.alertCreated.alert.severity))).toBe(true);
    expect(['away 0', 'away 260']).toContain(resumed.received[0]!.alertCreated.alert.title);
    expect(resumed.received.at(-1)!.alertCreated.alert.title).toBe('after match 2');
    await second.dispose();
  }, 60_000);

  it('resuming from the last cursor of a resumed stream yields nothing old', async () => {
    await waitUntil(() => server.liveSubscribers() === 0, 'earlier subscriptions to end');
    const live = connectLive(server.url, account.accessToken);
    const firstRun = live.subscribe(OnAlertCreatedDocument, { filter: filter() });
    await server.waitForSubscribers(1);
    await create(mixedAlerts(2, 'tail'));
    const cursor = (await firstRun.waitFor(2)).at(-1)!.alertCreated.cursor;
    firstRun.dispose();
    const resumed = live.subscribe(OnAlertCreatedDocument, { filter: filter(), after: cursor });
    await create([{ monitorId: watched, spec: { title: 'only this one', severity: 'high' } }]);
    expect((await resumed.waitFor(1)).map((i) => i.alertCreated.alert.title)).toEqual(['only this one']);
    await sleep(200);
    expect(resumed.received).toHaveLength(1);
    await live.dispose();
  });

  it('without `after`, delivers every alert committed once the subscription is registered, even when the pool is busy', async () => {
    await waitUntil(() => server.liveSubscribers() === 0, 'earlier subscriptions to end');
    const live = connectLive(server.url, account.accessToken);
    live.subscribe(OnAlertUpdatedDocument, {});
    await server.waitForSubscribers(1);
    // Every connection of the API's pool (5) busy for a moment, as under load; the alert is written
    // through a connection of its own, like a worker's.
    const busy = Array.from({ length: 5 }, () => server.database.sql`select pg_sleep(0.6)`.execute());
    const writer = connectDatabase(server.databaseUrl, { max: 1 });
    try {
      const created = live.subscribe(OnAlertCreatedDocument, {});
      await server.waitForSubscribers(2);
      const [id] = await createAlerts(writer, account.organizationId, watched, [{ title: 'Committed while the pool was busy' }]);
      await Promise.all(busy);
      expect((await created.waitFor(1, 5_000)).map((i) => i.alertCreated.alert.id)).toEqual([id]);
    } finally {
      await writer.close();
      await live.dispose();
    }
  });

  it('answers a malformed cursor with an error instead of a stream', async () => {
    const live = connectLive(server.url, account.accessToken);
    for (const after of ['not-a-cursor', Buffer.from('alert-seq:-5').toString('base64url'), Buffer.from('alert-seq:1.5').toString('base64url'), '']) {
      const bad = live.subscribe(OnAlertCreatedDocument, { after });
      if (after === '') {
        // An empty cursor means "no cursor": a live stream, not an error.
        await sleep(100);
        expect(bad.isComplete()).toBe(false);
        bad.dispose();
        continue;
      }
      await expect(bad.waitFor(1, 5_000)).rejects.toThrow(/ended after 0 items/);
      expect(JSON.stringify(bad.errors)).toContain('is not a cursor from alertCreated');
    }
    await live.dispose();
  });
});
