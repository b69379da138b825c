import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { CreateMonitorDocument, OnAlertCreatedDocument, SignUpDocument } from '../generated/graphql.ts';
import { createMonitor, demoMonitorInput, PASSWORD, rawId, signUpAccount, uniqueEmail, type TestAccount } from '../helpers/fixtures.ts';
import { freeLoopbackPort } from '../helpers/ports.ts';
import { createAlerts, gqlAt, sleep, startExtraApp, waitUntil, type ExtraApp } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
let account: TestAccount;
let monitorId: string;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  monitorId = await createMonitor(server, account.accessToken);
});
afterAll(() => server?.stop());

/** Writes alerts one after another until stopped (at most `limit`); returns their IDs in commit order. */
function keepWriting(database: Database, organizationId: string, monitor: string, limit: number) {
  const ids: string[] = [];
  let isStopped = false;
  const done = (async () => {
    for (let i = 0; !isStopped && i < limit; i++) {
      ids.push(...(await createAlerts(database, organizationId, monitor, [{ title: `during ${i}`, severity: i % 2 ? 'critical' : 'high' }])));
    }
  })();
  return {
    ids,
    stop: async () => {
      isStopped = true;
      await done;
      return ids;
    },
  };
}

describe('the LISTEN connection is cut while alerts are being created', () => {
  it('re-listens, catches up, and every subscriber ends with every alert exactly once', async () => {
    const applicationName = 'vigil-live-loss-test';
    const api = await startExtraApp(server.databaseUrl, { applicationName });
    const admin = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });
    let reconnects = 0;
    api.app.hub.onReconnect(() => (reconnects += 1));
    try {
      const live = connectLive(api.url, account.accessToken);
      const everything = live.subscribe(OnAlertCreatedDocument, {});
      const criticalOnly = live.subscribe(OnAlertCreatedDocument, { filter: { minSeverity: 'CRITICAL' } });
      await waitUntil(() => api.app.hub.subscriberCount === 2, 'both subscriptions to register');
      const [before] = await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'before', severity: 'critical' }]);
      await everything.waitFor(1);

      const listenerPid = async () =>
        (await admin<{ pid: number }[]>`select pid from pg_stat_activity
          where datname = current_database() and application_name = ${applicationName} and query ilike 'listen%'`).map((r) => r.pid);
      const [oldPid] = await listenerPid();
      expect(oldPid).toBeDefined();

      const writers = [1, 2].map(() => keepWriting(server.database, account.organizationId, monitorId, 300));
      await sleep(150);
      const terminated = await admin`select pg_terminate_backend(${oldPid!}::int) as ok`;
      expect(terminated[0]!.ok).toBe(true);
      await waitUntil(() => reconnects > 0, 'the hub to listen again');
      // The hub reconnects within tens of milliseconds; keep writing long enough on both sides of it.
      await waitUntil(() => writers.every((w) => w.ids.length >= 12), 'the writers to keep going after the reconnect');
      await Promise.all(writers.map((w) => w.stop()));
      const [after] = await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'after', severity: 'critical' }]);

      const [newPid] = await listenerPid();
      expect(newPid).toBeDefined();
      expect(newPid).not.toBe(oldPid);
      const committed = await admin<{ id: string; severity: string }[]>`select id, severity from alerts
        where organization_id = ${account.organizationId} and created_seq >= (select created_seq from alerts where id = ${rawId(before!)})
        order by created_seq`;
      const expected = committed.map((r) => r.id);
      expect(expected.length).toBeGreaterThan(20);
      expect(expected.at(-1)).toBe(rawId(after!));

      await everything.waitFor(expected.length, 15_000);
      await criticalOnly.waitFor(committed.filter((r) => r.severity === 'critical').length, 15_000);
      await sleep(300);
      expect(everything.received.map((i) => rawId(i.alertCreated.alert.id))).toEqual(expected);
      expect(criticalOnly.received.map((i) => rawId(i.alertCreated.alert.id))).toEqual(committed.filter((r) => r.severity === 'critical').map((r) => r.id));
      expect(reconnects).toBe(1);
      await live.dispose();
    } finally {
      await admin.end();
      await api.stop();
    }
  }, 60_000);
});

describe('the hub cannot load the rows of a batch of events', () => {
  it('its alertCreated subscribers read them from the table instead of skipping them', async () => {
    const applicationName = 'vigil-live-load-failure-test';
    const api = await startExtraApp(server.databaseUrl, { applicationName });
    const admin = postgres(server.databaseUrl, { max: 3, onnotice: () => {} });
    const locker = await admin.reserve();
    const writer = await admin.reserve();
    try {
      const live = connectLive(api.url, account.accessToken);
      const stream = live.subscribe(OnAlertCreatedDocument, {});
      await waitUntil(() => api.app.hub.subscriberCount === 1, 'the subscription to register');
      const [first] = await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'first' }]);
      await stream.waitFor(1);

      // An alert commits while a lock waits to be granted right after it: the hub's read of the
      // announced row queues behind that lock and is then cancelled, so the read fails (as it
      // does when the database restarts or a connection breaks under it).
      await writer`begin`;
      const [lost] = await writer<{ id: string }[]>`
        insert into alerts (organization_id, monitor_id, fingerprint, title, category, severity, confidence)
        values (${account.organizationId}, ${rawId(monitorId)}, ${`load-failure-${randomUUID()}`}, 'announced while the hub cannot read', 'phishing', 'high', 0.9)
        returning id`;
      await locker`begin`;
      const locked = locker`lock table alerts in access exclusive mode`.execute();
      const lockWaiting = async () =>
        (await admin`select 1 from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query ilike 'lock table alerts%'`).length === 1;
      await waitUntil(lockWaiting, 'the lock to queue behind the insert');
      await writer`commit`;
      await locked;
      const hubRead = async () =>
        (await admin<{ pid: number }[]>`select pid from pg_stat_activity
          where datname = current_database() and application_name = ${applicationName} and wait_event_type = 'Lock'`).map((r) => r.pid);
      await waitUntil(async () => (await hubRead()).length === 1, 'the hub to read the announced alert');
      await admin`select pg_cancel_backend(${(await hubRead())[0]!}::int)`;
      await locker`commit`;

      const [next] = await createAlerts(server.database, account.organizationId, monitorId, [{ title: 'next' }]);
      await stream.waitFor(3, 10_000).catch(() => {});
      await sleep(200);
      expect(stream.received.map((item) => rawId(item.alertCreated.alert.id))).toEqual([first, lost!.id, next].map((id) => rawId(id!)));
      await live.dispose();
    } finally {
      locker.release();
      writer.release();
      await admin.end();
      await api.stop();
    }
  }, 30_000);
});

describe('PostgreSQL restarts under a live subscription', () => {
  let embedded: EmbeddedServer | undefined;
  let dataDir: string;
  let port: number;
  const databaseName = 'vigil_live_restart';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-live-restart-'));
    fs.chmodSync(dataDir, 0o755);
    port = await freeLoopbackPort();
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pgdata'), port });
    await ensureDatabase(embedded.url('postgres'), databaseName);
    await runMigrations(embedded.url(databaseName));
  }, 120_000);
  afterAll(async () => {
    await embedded?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the subscription, and after the restart delivers every alert exactly once', async () => {
    const url = embedded!.url(databaseName);
    const api: ExtraApp = await startExtraApp(url);
    const writer = connectDatabase(url, { max: 1 });
    let reconnects = 0;
    api.app.hub.onReconnect(() => (reconnects += 1));
    try {
      const signedUp = await gqlAt(api.url, SignUpDocument, { input: { email: uniqueEmail(), password: PASSWORD, name: 'Restart', organizationName: 'Restart Inc' } });
      if (signedUp.data?.signUp.__typename !== 'SignUpPayload') throw new Error(JSON.stringify(signedUp));
      const { accessToken, organization } = signedUp.data.signUp.session;
      const monitor = await gqlAt(api.url, CreateMonitorDocument, { input: demoMonitorInput({ sources: ['HACKERNEWS'] }) }, accessToken);
      if (monitor.data?.createMonitor.__typename !== 'CreateMonitorPayload') throw new Error(JSON.stringify(monitor));
      const restartMonitor = monitor.data.createMonitor.monitor.id;
      const organizationId = rawId(organization.id);

      const live = connectLive(api.url, accessToken);
      const stream = live.subscribe(OnAlertCreatedDocument, {});
      await waitUntil(() => api.app.hub.subscriberCount === 1, 'the subscription to register');
      const ids = await createAlerts(writer, organizationId, restartMonitor, [{ title: 'before the restart' }]);
      await stream.waitFor(1);

      await embedded!.stop();
      embedded = undefined;
      await sleep(500);
      embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pgdata'), port });
      // Written as soon as the server is back, before or after the hub listens again: either way it arrives.
      ids.push(...(await createAlerts(writer, organizationId, restartMonitor, [{ title: 'right after the restart' }])));
      await waitUntil(() => reconnects > 0, 'the hub to listen again', 30_000);
      ids.push(...(await createAlerts(writer, organizationId, restartMonitor, [{ title: 'later' }, { title: 'later still' }])));

      const received = await stream.waitFor(ids.length, 15_000);
      await sleep(300);
      expect(received.map((i) => i.alertCreated.alert.id)).toEqual(ids);
      expect(received.map((i) => i.alertCreated.alert.title)).toEqual(['before the restart', 'right after the restart', 'later', 'later still']);
      expect(stream.isComplete()).toBe(false);
      await live.dispose();
    } finally {
      await writer.close();
      await api.stop();
    }
  }, 90_000);
});
