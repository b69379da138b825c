import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../src/db/schema/index.ts';
import type { AlertCategory, AlertStatus, Severity } from '../../src/db/schema/enums.ts';
import { AlertStatsDocument, DeleteMonitorDocument, UpdateAlertStatusDocument } from '../generated/graphql.ts';
import { createMonitor, globalId, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let account: TestAccount;
let other: TestAccount;
let m1: string;
let m2: string;
const T = Date.parse('2026-11-01T00:00:00Z');
const minutes = (n: number) => n * 60_000;
const hours = (n: number) => n * 3_600_000;

interface Seed {
  monitor: () => string;
  organizationId: () => string;
  at: number;
  severity: Severity;
  category: AlertCategory;
  status: AlertStatus;
  acknowledgedAfter?: number;
  resolvedAfter?: number;
}

let counter = 0;
async function insertAlert(seed: Seed): Promise<string> {
  counter += 1;
  const createdAt = new Date(seed.at);
  const [row] = await server.database.db
    .insert(alerts)
    .values({
      organizationId: seed.organizationId(),
      monitorId: rawId(seed.monitor()),
      fingerprint: `stats-${counter}`,
      title: `Alert ${counter}`,
      category: seed.category,
      severity: seed.severity,
      confidence: 0.9,
      status: seed.status,
      createdAt,
      firstSeenAt: createdAt,
      lastSeenAt: createdAt,
      acknowledgedAt: seed.acknowledgedAfter === undefined ? null : new Date(seed.at + seed.acknowledgedAfter),
      resolvedAt: seed.resolvedAfter === undefined ? null : new Date(seed.at + seed.resolvedAfter),
    })
    .returning({ id: alerts.id });
  return globalId('Alert', row!.id);
}

let thirdAlert: string;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  other = await signUpAccount(server);
  m1 = await createMonitor(server, account.accessToken, { name: 'M1' });
  m2 = await createMonitor(server, account.accessToken, { name: 'M2' });
  const otherMonitor = await createMonitor(server, other.accessToken, { name: 'Other' });
  const a = { organizationId: () => account.organizationId };
  await insertAlert({ ...a, monitor: () => m1, at: T + minutes(10), severity: 'critical', category: 'phishing', status: 'acknowledged', acknowledgedAfter: minutes(10) });
  await insertAlert({ ...a, monitor: () => m1, at: T + minutes(50), severity: 'high', category: 'phishing', status: 'resolved', acknowledgedAfter: minutes(20), resolvedAfter: hours(1) });
  thirdAlert = await insertAlert({ ...a, monitor: () => m1, at: T + hours(1) + minutes(5), severity: 'low', category: 'negative_press', status: 'new' });
  await insertAlert({ ...a, monitor: () => m2, at: T + hours(25), severity: 'medium', category: 'data_leak', status: 'false_positive', resolvedAfter: hours(2) });
  await insertAlert({ ...a, monitor: () => m2, at: T + hours(26), severity: 'critical', category: 'fraud', status: 'new' });
  // Outside the range, and another organization's: neither may count.
  await insertAlert({ ...a, monitor: () => m1, at: T - hours(1), severity: 'critical', category: 'phishing', status: 'new' });
  await insertAlert({ organizationId: () => other.organizationId, monitor: () => otherMonitor, at: T + hours(2), severity: 'critical', category: 'fraud', status: 'new' });
});
afterAll(() => server?.stop());

const range = { since: new Date(T).toISOString(), until: new Date(T + hours(48)).toISOString() };

async function stats(token: string, variables: Parameters<typeof server.gql<unknown, { range: typeof range; bucket: 'HOUR' | 'DAY' | 'WEEK'; monitorIds?: string[] }>>[1]) {
  const result = await server.gql(AlertStatsDocument, variables as never, { token });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.alertStats;
}

const sorted = <T extends { count: number }>(rows: T[], key: keyof T) =>
  Object.fromEntries(rows.map((row) => [row[key] as string, row.count]));

describe('alertStats against hand-computed figures', () => {
  it('counts by severity, category and status, with triage times and top monitors', async () => {
    const result = await stats(account.accessToken, { range, bucket: 'HOUR' });
    expect(result.total).toBe(5);
    expect(sorted(result.bySeverity, 'severity')).toEqual({ CRITICAL: 2, HIGH: 1, MEDIUM: 1, LOW: 1 });
    expect(sorted(result.byCategory, 'category')).toEqual({ PHISHING: 2, NEGATIVE_PRESS: 1, DATA_LEAK: 1, FRAUD: 1 });
    expect(sorted(result.byStatus, 'status')).toEqual({ ACKNOWLEDGED: 1, RESOLVED: 1, NEW: 2, FALSE_POSITIVE: 1 });
    // (10 min + 20 min) / 2 and (1 h + 2 h) / 2.
    expect(result.meanTimeToAcknowledgeSeconds).toBe(900);
    expect(result.meanTimeToResolveSeconds).toBe(5_400);
    expect(result.topMonitors.map((m) => [m.monitor?.id, m.count])).toEqual([
      [m1, 3],
      [m2, 2],
    ]);
  });

  it('buckets the series by hour, day and week', async () => {
    const byHour = await stats(account.accessToken, { range, bucket: 'HOUR' });
    expect(byHour.series.map((p) => [p.start, p.total, p.critical, p.high, p.medium, p.low])).toEqual([
      [new Date(T).toISOString(), 2, 1, 1, 0, 0],
      [new Date(T + hours(1)).toISOString(), 1, 0, 0, 0, 1],
      [new Date(T + hours(25)).toISOString(), 1, 0, 0, 1, 0],
      [new Date(T + hours(26)).toISOString(), 1, 1, 0, 0, 0],
    ]);
    const byDay = await stats(account.accessToken, { range, bucket: 'DAY' });
    expect(byDay.series.map((p) => [p.start, p.total])).toEqual([
      [new Date(T).toISOString(), 3],
      [new Date(T + hours(24)).toISOString(), 2],
    ]);
    const byWeek = await stats(account.accessToken, { range, bucket: 'WEEK' });
    expect(byWeek.series.reduce((n, p) => n + p.total, 0)).toBe(5);
  });

  it('limits to the given monitors', async () => {
    const result = await stats(account.accessToken, { range, bucket: 'DAY', monitorIds: [m2] });
    expect(result.total).toBe(2);
    expect(result.meanTimeToAcknowledgeSeconds).toBeNull();
    expect(result.meanTimeToResolveSeconds).toBe(7_200);
  });

  it('another organization sees only its own alert, even naming our monitor', async () => {
    expect((await stats(other.accessToken, { range, bucket: 'DAY' })).total).toBe(1);
    expect((await stats(other.accessToken, { range, bucket: 'DAY', monitorIds: [m1] })).total).toBe(0);
  });

  it('follows status changes made through the API', async () => {
    const changed = await server.gql(UpdateAlertStatusDocument, { ids: [thirdAlert], status: 'ACKNOWLEDGED' }, { token: account.accessToken });
    expect(changed.data?.updateAlertStatus.__typename).toBe('UpdateAlertStatusPayload');
    const result = await stats(account.accessToken, { range, bucket: 'DAY' });
    expect(sorted(result.byStatus, 'status')).toEqual({ ACKNOWLEDGED: 2, RESOLVED: 1, NEW: 1, FALSE_POSITIVE: 1 });
    expect(result.total).toBe(5);
  });

  it('keeps purged alerts as counts, but forgets a deleted monitor', async () => {
    await server.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local vigil.keep_rollup = 'on'`);
      await tx.delete(alerts).where(eq(alerts.monitorId, rawId(m2)));
    });
    expect((await stats(account.accessToken, { range, bucket: 'DAY', monitorIds: [m2] })).total).toBe(2);
    const deleted = await server.gql(DeleteMonitorDocument, { id: m1 }, { token: account.accessToken });
    expect(deleted.data?.deleteMonitor.__typename).toBe('DeleteMonitorPayload');
    expect((await stats(account.accessToken, { range, bucket: 'DAY' })).total).toBe(2);
  });

  it('rejects an empty range and a series with too many points', async () => {
    const backwards = await server.gql(AlertStatsDocument, { range: { since: range.until, until: range.since }, bucket: 'DAY' }, { token: account.accessToken });
    expect(backwards.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const tooFine = await server.gql(
      AlertStatsDocument,
      { range: { since: new Date(T).toISOString(), until: new Date(T + hours(24 * 100)).toISOString() }, bucket: 'HOUR' },
      { token: account.accessToken },
    );
    expect(tooFine.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    expect(tooFine.errors?.[0]?.message).toContain('bucket');
  });
});
