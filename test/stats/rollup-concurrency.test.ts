import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { retrying } from '../../src/db/retry.ts';
import { alerts } from '../../src/db/schema/index.ts';
import type { AlertCategory, Severity } from '../../src/db/schema/enums.ts';
import { updateAlertStatus, upsertAlerts } from '../../src/services/alerts.ts';
import type { Viewer } from '../../src/services/viewer.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const WRITERS = 8;
const TRANSACTIONS_PER_WRITER = 130;
const MONITORS = 3;
const HOURS = 3;

let server: TestServer;
let writers: Database;
let account: TestAccount;
let viewer: Viewer;
let monitorIds: string[];

beforeAll(async () => {
  server = await startTestServer();
  // Deadlocks are found after deadlock_timeout (1 s by default); sooner keeps the test short.
  // Only a superuser may change it, and the test holds without it.
  await server.database.sql.unsafe(`alter database "${new URL(server.databaseUrl).pathname.slice(1)}" set deadlock_timeout = '100ms'`).catch(() => {});
  writers = connectDatabase(server.databaseUrl, { max: WRITERS });
  account = await signUpAccount(server, { plan: 'business' });
  viewer = { organizationId: account.organizationId, role: 'analyst', userId: rawId(account.userId), apiKeyId: null };
  monitorIds = [];
  for (let i = 0; i < MONITORS; i += 1) monitorIds.push(rawId(await createMonitor(server, account.accessToken, { name: `Shared ${i}` })));
});
afterAll(async () => {
  await writers?.close();
  await server?.stop();
});

const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];
const CATEGORIES: AlertCategory[] = ['phishing', 'fraud', 'impersonation'];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const shuffled = <T>(items: readonly T[]): T[] => [...items].sort(() => Math.random() - 0.5);

interface Owned {
  id: string;
  status: 'new' | 'acknowledged';
}

/** Alerts spread over every monitor and the last few hours, created straight in the table. */
async function seedAlerts(count: number): Promise<{ id: string; monitorId: string; fingerprint: string }[]> {
  const hour = 3_600_000;
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => {
    const createdAt = new Date(now - (i % HOURS) * hour);
    return {
      organizationId: account.organizationId,
      monitorId: monitorIds[i % MONITORS]!,
      fingerprint: `seed-${i}-${randomBytes(4).toString('hex')}`,
      title: `Seeded ${i}`,
      category: pick(CATEGORIES),
      severity: pick(SEVERITIES),
      confidence: 0.8,
      createdAt,
      firstSeenAt: createdAt,
      lastSeenAt: createdAt,
    };
  });
  return writers.db.insert(alerts).values(rows).returning({ id: alerts.id, monitorId: alerts.monitorId, fingerprint: alerts.fingerprint });
}

/** The rollups recomputed from the alerts, and as the triggers kept them, both without empty rows. */
async function rollupsAgainstAlerts() {
  const sql = server.database.sql;
  const org = account.organizationId;
  const kept = await sql`
    select 'severity' as t, monitor_id, hour, severity as k, alerts, acknowledged, resolved, round(acknowledge_seconds::numeric, 3) as ack_s
      from alert_rollup_severity where organization_id = ${org} and alerts <> 0
    union all select 'daily severity', monitor_id, day, severity, alerts, acknowledged, resolved, round(acknowledge_seconds::numeric, 3)
      from alert_rollup_daily_severity where organization_id = ${org} and alerts <> 0
    union all select 'category', monitor_id, hour, category, alerts, 0, 0, 0 from alert_rollup_category where organization_id = ${org} and alerts <> 0
    union all select 'daily category', monitor_id, day, category, alerts, 0, 0, 0 from alert_rollup_daily_category where organization_id = ${org} and alerts <> 0
    union all select 'status', monitor_id, hour, status, alerts, 0, 0, 0 from alert_rollup_status where organization_id = ${org} and alerts <> 0
    union all select 'daily status', monitor_id, day, status, alerts, 0, 0, 0 from alert_rollup_daily_status where organization_id = ${org} and alerts <> 0
    order by 1, 2, 3, 4`;
  const truth = await sql`
    with a as (select *, date_trunc('hour', created_at, 'UTC') as hour, date_trunc('day', created_at, 'UTC') as day,
                      extract(epoch from acknowledged_at - created_at) as ack from alerts where organization_id = ${org})
    select 'severity' as t, monitor_id, hour, severity as k, count(*)::int as alerts, count(acknowledged_at)::int as acknowledged,
           count(resolved_at)::int as resolved, round(coalesce(sum(ack), 0)::numeric, 3) as ack_s from a group by 2, 3, 4
    union all select 'daily severity', monitor_id, day, severity, count(*)::int, count(acknowledged_at)::int, count(resolved_at)::int,
           round(coalesce(sum(ack), 0)::numeric, 3) from a group by 2, 3, 4
    union all select 'category', monitor_id, hour, category, count(*)::int, 0, 0, 0 from a group by 2, 3, 4
    union all select 'daily category', monitor_id, day, category, count(*)::int, 0, 0, 0 from a group by 2, 3, 4
    union all select 'status', monitor_id, hour, status, count(*)::int, 0, 0, 0 from a group by 2, 3, 4
    union all select 'daily status', monitor_id, day, status, count(*)::int, 0, 0, 0 from a group by 2, 3, 4
    order by 1, 2, 3, 4`;
  return { kept, truth };
}

describe('alert rollups under concurrent writers', () => {
  it(`${WRITERS} writers on the same monitors and hours, in different orders: no failure reaches a caller and the rollups stay exact`, { timeout: 180_000 }, async () => {
    const seeded = await seedAlerts(WRITERS * 6 + 30);
    // Each writer triages alerts of its own (spread over every monitor and hour), so every status
    // change it asks for is allowed; scans repeat any alert, and the rollup rows are shared by all.
    const owned: Owned[][] = Array.from({ length: WRITERS }, (_, w) => seeded.slice(w * 6, w * 6 + 6).map((a) => ({ id: a.id, status: 'new' as const })));
    const repeatable = seeded;
    const failures: unknown[] = [];
    let transactions = 0;

    /** What a scan records: new alerts and repeats (with new verdicts) for two monitors, in a random order. */
    const scanLike = () =>
      retrying(writers.db).transaction(async (tx) => {
        for (const monitorId of shuffled(monitorIds).slice(0, 2)) {
          const repeats = shuffled(repeatable.filter((a) => a.monitorId === monitorId)).slice(0, 2);
          const threats = [...repeats.map((a) => a.fingerprint), `new-${randomBytes(6).toString('hex')}`, `new-${randomBytes(6).toString('hex')}`].map(
            (fingerprint) => ({
              organizationId: account.organizationId,
              monitorId,
              fingerprint,
              title: fingerprint,
              category: pick(CATEGORIES),
              severity: pick(SEVERITIES),
              confidence: 0.7,
            }),
          );
          await upsertAlerts(tx, account.organizationId, monitorId, threats);
        }
      });

    /** What an analyst does: acknowledge or reopen several alerts at once, listed in a random order. */
    const triage = async (mine: Owned[]) => {
      const from = pick(['new', 'acknowledged'] as const);
      const chosen = shuffled(mine.filter((a) => a.status === from)).slice(0, 4);
      const target = from === 'new' ? 'acknowledged' : 'new';
      const ids = chosen.length > 0 ? chosen : shuffled(mine.filter((a) => a.status !== from)).slice(0, 4);
      const to = chosen.length > 0 ? target : from;
      await updateAlertStatus(writers.db, viewer, { alertIds: ids.map((a) => a.id), status: to });
      for (const a of ids) a.status = to;
    };

    await Promise.all(
      owned.map(async (mine) => {
        for (let i = 0; i < TRANSACTIONS_PER_WRITER; i += 1) {
          try {
            await (Math.random() < 0.5 ? scanLike() : triage(mine));
          } catch (error) {
            failures.push(error);
          }
          transactions += 1;
        }
      }),
    );

    expect(failures).toEqual([]);
    expect(transactions).toBeGreaterThanOrEqual(1_000);
    const { kept, truth } = await rollupsAgainstAlerts();
    expect(kept).toEqual(truth);
  });
});
