import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitors, scans } from '../../src/db/schema/index.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { OnAlertCreatedDocument, PauseMonitorDocument, ResumeMonitorDocument, UsageDocument } from '../generated/graphql.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
let worker: WorkerHandle;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  // A worker as production runs it: crons on, so it schedules.
  worker = await startTestWorker(server, { isCronEnabled: true });
});
afterAll(async () => {
  await worker?.stop();
  await server?.stop();
});

/** Away from a minute boundary, so the every-minute cron cannot be what scans within the window. */
async function awayFromCronTick(): Promise<void> {
  while (new Date().getSeconds() < 3 || new Date().getSeconds() > 45) await new Promise((resolve) => setTimeout(resolve, 250));
}

const creditBalance = async () => (await server.gql(UsageDocument, {}, { token: account.accessToken })).data!.usage.creditBalance;

describe('a new monitor', () => {
  it('raises its first alerts within 10 s of createMonitor, as a scheduled scan charged like any other', async () => {
    const live = connectLive(server.url, account.accessToken);
    const alerts = live.subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(1);
    const balanceBefore = await creditBalance();
    await awayFromCronTick();

    const started = Date.now();
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Scanned at once' });
    const [first] = await alerts.waitFor(1, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(first!.alertCreated.alert.monitor.id).toBe(monitorId);

    const rows = await server.database.db.select().from(scans).where(eq(scans.monitorId, rawId(monitorId)));
    expect(rows.map((row) => [row.trigger, row.status])).toEqual([['schedule', 'succeeded']]);
    expect(await creditBalance()).toBe(balanceBefore - 1);
    // The schedule moved on from this scan: the next one is an interval away, not another at the tick.
    const [monitor] = await server.database.db.select().from(monitors).where(eq(monitors.id, rawId(monitorId)));
    expect(monitor!.nextScanAt.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000);
    await live.dispose();
  }, 30_000);

  it('resumed after its scan time passed, is scanned within seconds; resumed early, keeps its schedule', async () => {
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Paused a while' });
    const scansOf = () => server.database.db.select().from(scans).where(eq(scans.monitorId, rawId(monitorId)));
    await expect.poll(async () => (await scansOf()).length, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await scansOf())[0]!.status, { timeout: 10_000 }).toBe('succeeded');

    // Paused and resumed before it is due: no extra scan.
    expect((await server.gql(PauseMonitorDocument, { id: monitorId }, { token: account.accessToken })).data?.pauseMonitor.__typename).toBe('PauseMonitorPayload');
    expect((await server.gql(ResumeMonitorDocument, { id: monitorId }, { token: account.accessToken })).data?.resumeMonitor.__typename).toBe('ResumeMonitorPayload');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await scansOf()).toHaveLength(1);

    // Paused past its scan time (as if for a day), then resumed: scanned at once.
    await server.gql(PauseMonitorDocument, { id: monitorId }, { token: account.accessToken });
    await server.database.db.update(monitors).set({ nextScanAt: sql`now() - interval '1 day'` }).where(eq(monitors.id, rawId(monitorId)));
    await awayFromCronTick();
    const resumed = Date.now();
    await server.gql(ResumeMonitorDocument, { id: monitorId }, { token: account.accessToken });
    await expect.poll(async () => (await scansOf()).length, { timeout: 10_000 }).toBe(2);
    expect(Date.now() - resumed).toBeLessThan(10_000);
  }, 60_000);
});
