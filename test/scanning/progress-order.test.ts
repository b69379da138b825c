import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from '../../src/db/client.ts';
import { runMonitorScan } from '../../src/scanning/run-scan.ts';
import { OnScanProgressDocument, ScanMonitorNowDocument } from '../generated/graphql.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { waitUntil } from '../helpers/live.ts';
import { scanDeps } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
  account = await signUpAccount(server);
});
afterAll(async () => {
  await server?.stop();
});

/**
 * The database as the scan sees it, with every progress notification held back for a while before
 * it is sent: what a busy pool does to a statement that is not awaited.
 */
function withSlowProgressNotifications(db: Db, delayMs: number): Db {
  const dialect = new PgDialect();
  return new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'execute' || typeof value !== 'function') return value;
      return async (query: SQL) => {
        const text = dialect.sqlToQuery(query).sql;
        if (text.includes('pg_notify')) await new Promise((resolve) => setTimeout(resolve, delayMs));
        return (value as (q: SQL) => Promise<unknown>).call(target, query);
      };
    },
  });
}

describe('scan progress and the end of the scan', () => {
  it('a slow progress notification never reaches subscribers after the scan’s final phase', async () => {
    const monitor = await createMonitor(server, account.accessToken, { name: 'Ordered brand' });
    const queued = await server.gql(ScanMonitorNowDocument, { id: monitor }, { token: account.accessToken });
    if (queued.data?.scanMonitorNow.__typename !== 'ScanMonitorNowPayload') throw new Error(JSON.stringify(queued));
    const scanId = queued.data.scanMonitorNow.scan.id;
    const live = connectLive(server.url, account.accessToken);
    const progress = live.subscribe(OnScanProgressDocument, { scanId });
    await progress.waitFor(1);

    const deps = scanDeps(server);
    await runMonitorScan({ ...deps, db: withSlowProgressNotifications(deps.db, 300) }, rawId(monitor));
    await waitUntil(() => progress.isComplete(), 'the stream to complete');
    expect(progress.received.map((e) => e.scanProgress.phase)).toEqual(['QUEUED', 'RUNNING', 'FETCHING', 'ANALYZING', 'SUCCEEDED']);
    await live.dispose();
  });
});
