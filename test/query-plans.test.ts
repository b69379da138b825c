import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, fireAlert, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken);
  for (let i = 0; i < 5; i += 1) await fireAlert(server, account, monitorId);
});
afterAll(() => server?.stop());

/**
 * The orderings the alerts list pages with must be read from an index in order — never sorted:
 * a sort means reading every alert of the organization for each page (this bit once, when the
 * indexes said DESC NULLS LAST and the queries plain DESC).
 */
describe('list queries are served in index order', () => {
  const orderings = {
    newest: sql`order by created_at desc, id desc`,
    'newest, backwards': sql`order by created_at asc, id asc`,
    severity: sql`order by severity_rank desc, created_at desc, id desc`,
  };
  for (const [name, orderBy] of Object.entries(orderings)) {
    it(`alerts, ${name}`, async () => {
      const plan = await server.database.db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        const rows = await tx.execute<{ 'QUERY PLAN': string }>(
          sql`explain select * from alerts where organization_id = ${account.organizationId} ${orderBy} limit 51`,
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/Index Scan/);
      expect(plan).not.toMatch(/Sort/);
    });
  }
});
