import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { upsertAlerts } from '../../src/services/alerts.ts';
import { OnAlertCreatedDocument } from '../generated/graphql.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, cursorSeq, sleep, waitUntil } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
let writers: Database;
let acme: TestAccount;
let globex: TestAccount;
let acmeMonitor: string;
let globexMonitor: string;

beforeAll(async () => {
  server = await startTestServer();
  // Writers of their own, as scanning workers are: one connection per open transaction.
  writers = connectDatabase(server.databaseUrl, { max: 6 });
  acme = await signUpAccount(server);
  globex = await signUpAccount(server);
  acmeMonitor = await createMonitor(server, acme.accessToken, { name: 'Acme brand' });
  globexMonitor = await createMonitor(server, globex.accessToken, { name: 'Globex brand' });
});
afterAll(async () => {
  await writers?.close();
  await server?.stop();
});

/**
 * A transaction that creates alerts with titles `titles` and then stays open until `commit()`.
 * `created` resolves once its inserts are done, which for an organization already writing is only
 * after that other transaction ended.
 */
function openTransaction(account: TestAccount, monitor: string, titles: string[]) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let isCreated = false;
  let markCreated!: () => void;
  const created = new Promise<void>((resolve) => (markCreated = resolve));
  const committed = writers.db.transaction(async (tx) => {
    await upsertAlerts(
      tx,
      account.organizationId,
      rawId(monitor),
      titles.map((title) => ({
        organizationId: account.organizationId,
        monitorId: rawId(monitor),
        fingerprint: `${title}-${randomBytes(4).toString('hex')}`,
        title,
        category: 'phishing',
        severity: 'high',
        confidence: 0.9,
      })),
    );
    isCreated = true;
    markCreated();
    await released;
  });
  return {
    created,
    isCreated: () => isCreated,
    commit: () => {
      release();
      return committed;
    },
  };
}

/** Backends of the writers' pool that wait for a lock right now. */
async function lockWaiters(): Promise<number> {
  const [row] = await server.database.sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
  return row!.n;
}

describe('alert numbers per organization', () => {
  it('writers of two organizations commit out of allocation order; resuming subscribers get every alert once, in each organization’s commit order', async () => {
    const acmeLive = connectLive(server.url, acme.accessToken);
    const globexLive = connectLive(server.url, globex.accessToken);
    const acmeFirst = acmeLive.subscribe(OnAlertCreatedDocument, {});
    const globexFirst = globexLive.subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(2);
    await createAlerts(server.database, acme.organizationId, acmeMonitor, [{ title: 'acme before' }]);
    await createAlerts(server.database, globex.organizationId, globexMonitor, [{ title: 'globex before' }]);
    const acmeCursor = (await acmeFirst.waitFor(1)).at(-1)!.alertCreated.cursor;
    const globexCursor = (await globexFirst.waitFor(1)).at(-1)!.alertCreated.cursor;
    acmeFirst.dispose();
    globexFirst.dispose();
    await waitUntil(() => server.liveSubscribers() === 0, 'the first subscriptions to end');

    // Acme's first writer numbers its alerts and stays open; its second waits for it.
    const acme1 = openTransaction(acme, acmeMonitor, ['acme 1a', 'acme 1b', 'acme 1c']);
    await acme1.created;
    const acme2 = openTransaction(acme, acmeMonitor, ['acme 2a', 'acme 2b']);
    await waitUntil(async () => (await lockWaiters()) === 1, 'the second Acme writer to wait for the first');
    expect(acme2.isCreated()).toBe(false);

    // Globex numbers after Acme did, and commits first: it waits for nobody.
    const globex1 = openTransaction(globex, globexMonitor, ['globex 1a', 'globex 1b']);
    await globex1.created;
    await globex1.commit();
    await createAlerts(writers, globex.organizationId, globexMonitor, [{ title: 'globex 2' }]);
    expect(acme2.isCreated()).toBe(false);

    // Resuming now: Globex's committed alerts; nothing of Acme's yet, its writers are still open.
    const acmeResumed = acmeLive.subscribe(OnAlertCreatedDocument, { after: acmeCursor });
    const globexResumed = globexLive.subscribe(OnAlertCreatedDocument, { after: globexCursor });
    await globexResumed.waitFor(3);
    await sleep(300);
    expect(acmeResumed.received).toEqual([]);

    await acme1.commit();
    await acme2.created;
    await acmeResumed.waitFor(3);
    // Away again while the second Acme writer commits, then back from the last cursor.
    acmeResumed.dispose();
    await waitUntil(() => server.liveSubscribers() === 1, 'the Acme subscription to end');
    await acme2.commit();
    const acmeCursor2 = acmeResumed.received.at(-1)!.alertCreated.cursor;
    const acmeAgain = acmeLive.subscribe(OnAlertCreatedDocument, { after: acmeCursor2 });
    await acmeAgain.waitFor(2);
    await createAlerts(writers, acme.organizationId, acmeMonitor, [{ title: 'acme 3' }]);
    await acmeAgain.waitFor(3);
    await sleep(300);

    const titles = (items: { alertCreated: { alert: { title: string } } }[]) => items.map((i) => i.alertCreated.alert.title);
    expect([...titles(acmeResumed.received), ...titles(acmeAgain.received)]).toEqual(['acme 1a', 'acme 1b', 'acme 1c', 'acme 2a', 'acme 2b', 'acme 3']);
    expect(titles(globexResumed.received)).toEqual(['globex 1a', 'globex 1b', 'globex 2']);
    for (const items of [[...acmeResumed.received, ...acmeAgain.received], globexResumed.received]) {
      const seqs = items.map((i) => cursorSeq(i.alertCreated.cursor));
      expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    }
    expect([acmeResumed, acmeAgain, globexResumed].flatMap((s) => s.errors)).toEqual([]);
    await Promise.all([acmeLive.dispose(), globexLive.dispose()]);
  });
});
