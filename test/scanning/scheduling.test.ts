import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/client.ts';
import { alerts, creditLedger, monitors, scans } from '../../src/db/schema/index.ts';
import { runMonitorScan } from '../../src/scanning/run-scan.ts';
import { enqueueDueMonitors } from '../../src/services/scans.ts';
import { PauseMonitorDocument } from '../generated/graphql.ts';
import { setMonitorNextScanAt } from '../helpers/domain.ts';
import { createMonitor, rawId, signUpAccount } from '../helpers/fixtures.ts';
import { scanDeps, startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { queueScan, readScan, waitFor } from '../helpers/stubs.ts';

const MINUTE = 60_000;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function scansOf(server: TestServer, monitorGlobalIds: string[]) {
  return server.database.db
    .select()
    .from(scans)
    .where(inArray(scans.monitorId, monitorGlobalIds.map(rawId)));
}

/** Scan jobs a worker could still run (not failed for good), for one monitor or all. */
async function jobCount(server: TestServer, monitorGlobalId?: string): Promise<number> {
  const forMonitor = monitorGlobalId ? sql`and key = ${`monitor__scan:${rawId(monitorGlobalId)}`}` : sql``;
  const rows = await server.database.db.execute<{ count: number }>(
    sql`select count(*)::int as count from graphile_worker.jobs where task_identifier = 'monitor__scan' and attempts < max_attempts ${forMonitor}`,
  );
  return rows[0]!.count;
}

/** What graphile-worker does to a job whose last attempt failed. */
async function failJobForGood(server: TestServer, monitorGlobalId: string): Promise<void> {
  await server.database.db.execute(
    sql`select graphile_worker.permanently_fail_jobs(array(select id from graphile_worker.jobs where key = ${`monitor__scan:${rawId(monitorGlobalId)}`}), 'the database went away')`,
  );
  expect(await jobCount(server, monitorGlobalId)).toBe(0);
}

describe('two schedulers and two workers on one database', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('scans each due monitor exactly once: one scan row, one set of alerts, one charge', async () => {
    const account = await signUpAccount(server, { plan: 'pro' });
    const monitorIds = await Promise.all(range(8).map((i) => createMonitor(server, account.accessToken, { name: `Brand ${i}`, terms: [`Brand${i}`] })));
    const workers = await Promise.all([startTestWorker(server), startTestWorker(server)]);
    const otherProcess = connectDatabase(server.databaseUrl, { max: 4 });
    try {
      // Both sides claim at the same time, several times over, while both workers take jobs.
      const claimed = await Promise.all(range(8).map((i) => enqueueDueMonitors(i % 2 ? otherProcess.db : server.database.db, 1_000)));
      expect(claimed.reduce((a, b) => a + b, 0)).toBe(8);

      const done = await waitFor(
        () => scansOf(server, monitorIds),
        (rows) => rows.length >= 8 && rows.every((s) => s.status === 'succeeded'),
      );
      // A job completes just after its scan commits: wait for the queue to drain, then it must be empty.
      expect(await waitFor(() => jobCount(server), (n) => n === 0)).toBe(0);
      // Late claims find nothing due: every monitor moved to its next interval.
      expect(await enqueueDueMonitors(otherProcess.db, 1_000)).toBe(0);

      expect(done.map((s) => [rawId(s.monitorId), s.status, s.trigger]).sort()).toEqual(monitorIds.map((id) => [rawId(id), 'succeeded', 'schedule']).sort());
      const alertRows = await server.database.db.select().from(alerts).where(eq(alerts.organizationId, account.organizationId));
      for (const scan of done) {
        const own = alertRows.filter((a) => a.monitorId === scan.monitorId);
        expect(own).toHaveLength(scan.alertsCreated);
        expect(own.every((a) => a.occurrences === 1)).toBe(true);
      }
      const charges = await server.database.db
        .select()
        .from(creditLedger)
        .where(and(eq(creditLedger.organizationId, account.organizationId), eq(creditLedger.reason, 'scan')));
      expect(charges).toHaveLength(8);
      expect(new Set(charges.map((c) => c.scanId)).size).toBe(8);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await otherProcess.close();
    }
  });
});

describe('the scheduler', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('leaves paused monitors alone', async () => {
    const account = await signUpAccount(server);
    const active = await createMonitor(server, account.accessToken, { name: 'Active' });
    const paused = await createMonitor(server, account.accessToken, { name: 'Paused' });
    const pause = await server.gql(PauseMonitorDocument, { id: paused }, { token: account.accessToken });
    expect(pause.data?.pauseMonitor.__typename).toBe('PauseMonitorPayload');
    const overdue = new Date(Date.now() - 10 * MINUTE);
    await setMonitorNextScanAt(server, active, overdue);
    await setMonitorNextScanAt(server, paused, overdue);

    await enqueueDueMonitors(server.database.db, 1_000);

    expect((await scansOf(server, [active])).map((s) => s.status)).toEqual(['queued']);
    expect(await scansOf(server, [paused])).toEqual([]);
    expect(await jobCount(server, paused)).toBe(0);
    const [row] = await server.database.db.select({ nextScanAt: monitors.nextScanAt }).from(monitors).where(eq(monitors.id, rawId(paused)));
    expect(row!.nextScanAt.getTime()).toBe(overdue.getTime());
  });

  it('a scheduled scan of a monitor paused before it ran is skipped, without charging a credit', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Paused later' });
    await setMonitorNextScanAt(server, monitorId, new Date(Date.now() - MINUTE));
    await enqueueDueMonitors(server.database.db, 1_000);
    await server.gql(PauseMonitorDocument, { id: monitorId }, { token: account.accessToken });

    expect(await runMonitorScan(scanDeps(server), rawId(monitorId))).toBe('skipped');

    const [scan] = await scansOf(server, [monitorId]);
    expect(scan).toMatchObject({ status: 'skipped', error: 'The monitor is paused', creditsCharged: 0, findingsSeen: 0 });
    const [org] = await server.database.db.execute<{ credit_balance: number }>(sql`select credit_balance from organizations where id = ${account.organizationId}`);
    expect(org!.credit_balance).toBe(1000);
  });

  it('a waiting scan whose job failed for good is taken up again the next time the monitor is due', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Lost job' });
    const scanId = await queueScan(server, account.accessToken, monitorId);
    await failJobForGood(server, monitorId);
    await setMonitorNextScanAt(server, monitorId, new Date(Date.now() - MINUTE));

    await enqueueDueMonitors(server.database.db, 1_000);

    expect(await jobCount(server, monitorId)).toBe(1);
    expect((await scansOf(server, [monitorId])).map((s) => s.id)).toEqual([rawId(scanId)]);
    const worker = await startTestWorker(server);
    try {
      const scan = await waitFor(() => readScan(server, account.accessToken, scanId), (s) => s.status === 'SUCCEEDED');
      expect(scan).toMatchObject({ status: 'SUCCEEDED', trigger: 'MANUAL' });
    } finally {
      await worker.stop();
    }
  });

  it('moves nextScanAt one interval ahead plus jitter of at most 10% of the interval, capped at five minutes', async () => {
    const account = await signUpAccount(server, { plan: 'pro' });
    const quarterHourly = await Promise.all(range(4).map((i) => createMonitor(server, account.accessToken, { name: `Q${i}`, frequency: 'INTERVAL', intervalMinutes: 15 })));
    const daily = await Promise.all(range(4).map((i) => createMonitor(server, account.accessToken, { name: `D${i}`, frequency: 'DAILY' })));
    for (const id of [...quarterHourly, ...daily]) await setMonitorNextScanAt(server, id, new Date(Date.now() - MINUTE));

    const before = Date.now() - 1_000;
    await enqueueDueMonitors(server.database.db, 1_000);
    const after = Date.now() + 1_000;

    const next = async (ids: string[]) =>
      (await server.database.db.select({ nextScanAt: monitors.nextScanAt }).from(monitors).where(inArray(monitors.id, ids.map(rawId)))).map((r) => r.nextScanAt.getTime());
    for (const at of await next(quarterHourly)) {
      expect(at).toBeGreaterThanOrEqual(before + 15 * MINUTE);
      expect(at).toBeLessThanOrEqual(after + 15 * MINUTE + 90_000); // 10% of 15 minutes
    }
    const dailyTimes = await next(daily);
    for (const at of dailyTimes) {
      expect(at).toBeGreaterThanOrEqual(before + 1_440 * MINUTE);
      expect(at).toBeLessThanOrEqual(after + 1_440 * MINUTE + 300_000); // capped at five minutes
    }
    // Monitors created together drift apart instead of firing in lockstep.
    expect(new Set(dailyTimes).size).toBeGreaterThan(1);
  });
});

describe('scan now', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('returns the queued scan, and a second call while it waits returns the same scan and queues no second job', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken);

    const first = await queueScan(server, account.accessToken, monitorId);
    const second = await queueScan(server, account.accessToken, monitorId);

    expect(second).toBe(first);
    expect(await readScan(server, account.accessToken, first)).toMatchObject({ status: 'QUEUED', trigger: 'MANUAL', monitor: { id: monitorId } });
    expect(await scansOf(server, [monitorId])).toHaveLength(1);
    expect(await jobCount(server, monitorId)).toBe(1);
  });

  it('asking again for a waiting scan whose job was lost queues its job again', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken);
    const first = await queueScan(server, account.accessToken, monitorId);
    await failJobForGood(server, monitorId);

    expect(await queueScan(server, account.accessToken, monitorId)).toBe(first);
    expect(await jobCount(server, monitorId)).toBe(1);
  });

  it('asking again for a waiting scan while its job is already running adds no second job', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken);
    const first = await queueScan(server, account.accessToken, monitorId);
    // What a worker does as it picks the job up, before its scan is marked running.
    await server.database.db.execute(
      sql`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'a-running-worker', attempts = 1
          where key = ${`monitor__scan:${rawId(monitorId)}`}`,
    );

    expect(await queueScan(server, account.accessToken, monitorId)).toBe(first);
    const jobs = await server.database.db.execute<{ count: number }>(
      sql`select count(*)::int as count from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
          where t.identifier = 'monitor__scan' and j.payload->>'monitorId' = ${rawId(monitorId)}`,
    );
    expect(jobs[0]!.count).toBe(1);
  });

  it('a scheduled scan already waiting is the one returned', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken);
    await setMonitorNextScanAt(server, monitorId, new Date(Date.now() - MINUTE));
    await enqueueDueMonitors(server.database.db, 1_000);
    const [scheduled] = await scansOf(server, [monitorId]);

    const scanId = await queueScan(server, account.accessToken, monitorId);

    expect(rawId(scanId)).toBe(scheduled!.id);
    expect(await readScan(server, account.accessToken, scanId)).toMatchObject({ status: 'QUEUED', trigger: 'SCHEDULE' });
    expect(await jobCount(server, monitorId)).toBe(1);
  });
});
