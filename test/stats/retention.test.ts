import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, organizations } from '../../src/db/schema/index.ts';
import { purgeExpiredAlerts } from '../../src/services/retention.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { AlertStatsDocument } from '../generated/graphql.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let worker: WorkerHandle;
let free: TestAccount;
let pro: TestAccount;
const DAY = 86_400_000;

beforeAll(async () => {
  server = await startTestServer();
  worker = await startTestWorker(server);
  free = await signUpAccount(server);
  pro = await signUpAccount(server, { plan: 'pro' });
});
afterAll(async () => {
  await worker?.stop();
  await server?.stop();
});

async function alertSeen(account: TestAccount, monitorId: string, daysAgo: number): Promise<string> {
  const seen = new Date(Date.now() - daysAgo * DAY);
  const [row] = await server.database.db
    .insert(alerts)
    .values({
      organizationId: account.organizationId,
      monitorId: rawId(monitorId),
      fingerprint: `retention-${daysAgo}-${Math.random()}`,
      title: `Seen ${daysAgo} days ago`,
      category: 'phishing',
      severity: 'high',
      confidence: 0.9,
      createdAt: seen,
      firstSeenAt: seen,
      lastSeenAt: seen,
    })
    .returning({ id: alerts.id });
  return row!.id;
}

describe('retention purge (daily cron task)', () => {
  it('deletes alerts past each plan’s retention and keeps them counted in the statistics', async () => {
    const freeMonitor = await createMonitor(server, free.accessToken);
    const proMonitor = await createMonitor(server, pro.accessToken);
    const freeOld = await alertSeen(free, freeMonitor, 31); // free keeps 30 days
    const freeRecent = await alertSeen(free, freeMonitor, 29);
    const proOld = await alertSeen(pro, proMonitor, 181); // pro keeps 180 days
    const proRecent = await alertSeen(pro, proMonitor, 31);
    const range = { since: new Date(Date.now() - 200 * DAY).toISOString(), until: new Date().toISOString() };
    const before = await server.gql(AlertStatsDocument, { range, bucket: 'WEEK' }, { token: free.accessToken });
    expect(before.data!.alertStats.total).toBe(2);

    await worker.runner.addJob('alerts__purge_expired', {});
    const ids = [freeOld, freeRecent, proOld, proRecent];
    const deadline = Date.now() + 20_000;
    let remaining: string[] = ids;
    while (Date.now() < deadline) {
      remaining = (await server.database.db.select({ id: alerts.id }).from(alerts).where(inArray(alerts.id, ids))).map((r) => r.id);
      if (remaining.length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(remaining.sort()).toEqual([freeRecent, proRecent].sort());
    const after = await server.gql(AlertStatsDocument, { range, bucket: 'WEEK' }, { token: free.accessToken });
    expect(after.data!.alertStats.total).toBe(2);
  });
});

describe('retention purge in batches', () => {
  it('deletes at most a batch per transaction, oldest first, until nothing expired is left', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken);
    const expired = [];
    for (const daysAgo of [35, 40, 45, 50, 55]) expired.push(await alertSeen(account, monitorId, daysAgo));
    const kept = await alertSeen(account, monitorId, 10);
    // What each DELETE statement on alerts removed, and in which transaction: seen by the database.
    await server.database.sql.unsafe(`
      create table purge_statements (ids uuid[] not null, transaction_id xid8 not null default pg_current_xact_id());
      create function record_purge_statement() returns trigger language plpgsql as $$
      begin insert into purge_statements (ids) select array_agg(id) from removed having count(*) > 0; return null; end $$;
      create trigger alerts_purge_statements after delete on alerts referencing old table as removed
        for each statement execute function record_purge_statement();`);
    try {
      const result = await purgeExpiredAlerts(server.database.db, { batchSize: 2 });
      const statements = await server.database.sql<{ ids: string[]; transaction_id: string }[]>`
        select ids, transaction_id::text from purge_statements order by transaction_id`;
      const [d35, d40, d45, d50, d55] = expired;
      expect(statements.map((s) => s.ids.sort())).toEqual([[d55, d50].sort(), [d45, d40].sort(), [d35]]);
      expect(new Set(statements.map((s) => s.transaction_id)).size).toBe(3);
      expect(result).toEqual({ deleted: 5, batches: [2, 2, 1] });
      const left = await server.database.db.select({ id: alerts.id }).from(alerts).where(inArray(alerts.id, [...expired, kept]));
      expect(left.map((r) => r.id)).toEqual([kept]);
    } finally {
      await server.database.sql.unsafe(`drop trigger alerts_purge_statements on alerts; drop function record_purge_statement(); drop table purge_statements;`);
    }
  });
});

describe('deleting an organization', () => {
  it('takes its alerts and their statistics with it', async () => {
    const doomed = await signUpAccount(server);
    const monitorId = await createMonitor(server, doomed.accessToken);
    await alertSeen(doomed, monitorId, 1);
    await server.database.db.delete(organizations).where(eq(organizations.id, doomed.organizationId));
    const left = await server.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from alert_rollup_severity where organization_id = ${doomed.organizationId}`,
    );
    expect(left[0]!.n).toBe(0);
  });
});
