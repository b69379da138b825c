import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSourceHealth } from '../../src/services/source-health.ts';
import { MonitorSourceHealthDocument, MonitorsSourceHealthDocument, SourceHealthAlertsDocument, UpdateAlertStatusDocument, UpdateMonitorDocument } from '../generated/graphql.ts';
import { dataOf } from '../helpers/domain.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { creditsOf, rssFeed, runScan, startRouteServer, type FeedEntry, type RouteServer } from '../helpers/stubs.ts';

let server: TestServer;
const stubs: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});
afterAll(async () => {
  await server?.stop();
});

const tag = randomBytes(4).toString('hex');
const NEWS: FeedEntry = { title: 'Acme opens a new office', url: `https://news.example.com/acme/${tag}`, text: 'Acme announced a new office' };
const BROKEN = { status: 500, body: 'boom' };
// Failures before an alert (3), silence after 5 usual gaps, judged after 3 scans with results: the defaults.
const config = testScanningConfig();

async function feedMonitor(sources: ('RSS' | 'DEMO')[], name = 'Acme brand'): Promise<{ account: TestAccount; monitorId: string; feeds: RouteServer }> {
  const feeds = await startRouteServer({ '/feed': BROKEN });
  stubs.push(feeds);
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken, { name, terms: ['acme'], sources, feedUrls: [`${feeds.url}/feed`] });
  return { account, monitorId, feeds };
}

async function sourceHealth(account: TestAccount, monitorId: string) {
  const monitor = dataOf(await server.gql(MonitorSourceHealthDocument, { id: monitorId }, { token: account.accessToken })).monitor;
  return Object.fromEntries((monitor?.sourceHealth ?? []).map((h) => [h.source, h]));
}

async function healthAlerts(account: TestAccount, monitorId: string) {
  return dataOf(await server.gql(SourceHealthAlertsDocument, { monitorId }, { token: account.accessToken })).alerts.edges.map((e) => e.node);
}

async function scanTimes(account: TestAccount, monitorId: string, count: number) {
  const results = [];
  for (let i = 0; i < count; i += 1) results.push(await runScan(server, account.accessToken, monitorId, config));
  return results;
}

describe('source health: a source failing several scans in a row', () => {
  it('raises one SOURCE_HEALTH alert at the third failure, counts repeats, resolves on recovery and reopens on a new streak', async () => {
    const { account, monitorId, feeds } = await feedMonitor(['RSS', 'DEMO']);

    await scanTimes(account, monitorId, 2);
    expect(await healthAlerts(account, monitorId)).toEqual([]);
    expect((await sourceHealth(account, monitorId)).RSS).toMatchObject({ isHealthy: true, problem: null, consecutiveFailures: 2, lastError: expect.stringContaining('HTTP 500') });

    const [third] = await scanTimes(account, monitorId, 1);
    expect(third).toMatchObject({ status: 'SUCCEEDED' });
    const health = await sourceHealth(account, monitorId);
    expect(health.RSS).toMatchObject({ isHealthy: false, consecutiveFailures: 3, lastSuccessAt: null });
    expect(health.RSS!.problem).toMatch(/^failing: 3 scans in a row — .*HTTP 500/);
    expect(health.DEMO).toMatchObject({ isHealthy: true, problem: null, consecutiveFailures: 0, lastSuccessAt: expect.any(String) });
    const [raised] = await healthAlerts(account, monitorId);
    expect(await healthAlerts(account, monitorId)).toHaveLength(1);
    // One source of two still answers: the monitor sees less, it is not blind.
    expect(raised).toMatchObject({
      title: 'RSS source failing for Acme brand',
      url: null,
      source: 'RSS',
      category: 'SOURCE_HEALTH',
      severity: 'MEDIUM',
      status: 'NEW',
      occurrences: 1,
      confidence: 1,
    });
    expect(raised!.summary).toContain(health.RSS!.problem!);

    await scanTimes(account, monitorId, 1);
    const repeated = await healthAlerts(account, monitorId);
    expect(repeated).toHaveLength(1);
    expect(repeated[0]).toMatchObject({ id: raised!.id, status: 'NEW', occurrences: 2 });
    expect(repeated[0]!.summary).toContain('failing: 4 scans in a row');

    feeds.routes['/feed'] = { body: rssFeed([NEWS]) };
    await scanTimes(account, monitorId, 1);
    const [cleared] = await healthAlerts(account, monitorId);
    expect(cleared).toMatchObject({ id: raised!.id, status: 'RESOLVED', resolvedAt: expect.any(String) });
    expect(cleared!.history.nodes.at(-1)).toEqual({ fromStatus: 'NEW', toStatus: 'RESOLVED', note: 'Cleared: the RSS source recovered', actor: null });
    expect((await sourceHealth(account, monitorId)).RSS).toMatchObject({
      isHealthy: true,
      problem: null,
      consecutiveFailures: 0,
      lastSuccessAt: expect.any(String),
      lastResultsAt: expect.any(String),
      lastError: expect.stringContaining('HTTP 500'),
    });

    // Another streak: two failures are not yet a problem, the third reopens the same alert.
    feeds.routes['/feed'] = BROKEN;
    await scanTimes(account, monitorId, 2);
    expect((await healthAlerts(account, monitorId))[0]).toMatchObject({ status: 'RESOLVED' });
    await scanTimes(account, monitorId, 1);
    const reopened = await healthAlerts(account, monitorId);
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ id: raised!.id, status: 'NEW', occurrences: 3 });
    expect(reopened[0]!.history.nodes.map((h) => [h.fromStatus, h.toStatus])).toEqual([
      [null, 'NEW'],
      ['NEW', 'RESOLVED'],
      ['RESOLVED', 'NEW'],
    ]);
  });

  it('an acknowledged alert is resolved too when the source recovers', async () => {
    const { account, monitorId, feeds } = await feedMonitor(['RSS', 'DEMO']);
    await scanTimes(account, monitorId, 3);
    const [raised] = await healthAlerts(account, monitorId);
    const acknowledged = await server.gql(UpdateAlertStatusDocument, { ids: [raised!.id], status: 'ACKNOWLEDGED' }, { token: account.accessToken });
    expect(dataOf(acknowledged).updateAlertStatus.__typename).toBe('UpdateAlertStatusPayload');

    feeds.routes['/feed'] = { body: rssFeed([NEWS]) };
    await scanTimes(account, monitorId, 1);

    const [cleared] = await healthAlerts(account, monitorId);
    expect(cleared).toMatchObject({ status: 'RESOLVED' });
    expect(cleared!.history.nodes.at(-1)).toMatchObject({ fromStatus: 'ACKNOWLEDGED', toStatus: 'RESOLVED', note: 'Cleared: the RSS source recovered' });
  });

  it('taking the failing source off the monitor resolves its alert', async () => {
    const { account, monitorId } = await feedMonitor(['RSS', 'DEMO']);
    await scanTimes(account, monitorId, 3);
    const updated = await server.gql(UpdateMonitorDocument, { input: { monitorId: monitorId, sources: ['DEMO'] } }, { token: account.accessToken });
    expect(dataOf(updated).updateMonitor.__typename).toBe('UpdateMonitorPayload');

    await scanTimes(account, monitorId, 1);

    const [cleared] = await healthAlerts(account, monitorId);
    expect(cleared).toMatchObject({ status: 'RESOLVED' });
    expect(cleared!.history.nodes.at(-1)).toMatchObject({ toStatus: 'RESOLVED', note: 'Cleared: the RSS source was removed from the monitor' });
    expect(Object.keys(await sourceHealth(account, monitorId))).toEqual(['DEMO']);
  });

  it('a scan in which every source fails counts too: the scan fails, is refunded, and the alert is HIGH', async () => {
    const { account, monitorId } = await feedMonitor(['RSS']);

    const scans = await scanTimes(account, monitorId, 3);

    expect(scans.map((s) => s.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(scans.map((s) => s.alertsCreated)).toEqual([0, 0, 1]);
    const [raised, ...others] = await healthAlerts(account, monitorId);
    expect(others).toEqual([]);
    expect(raised).toMatchObject({ title: 'RSS source failing for Acme brand', severity: 'HIGH', status: 'NEW', source: 'RSS' });
    expect((await sourceHealth(account, monitorId)).RSS).toMatchObject({ isHealthy: false, consecutiveFailures: 3, problem: expect.stringMatching(/^failing: 3 scans in a row/) });
    expect((await creditsOf(server, account.accessToken)).balance).toBe(1000);
  });
});

describe('source health: a source falling silent', () => {
  /** As if the source had returned results in `scans` scans, usually a day apart, the last `daysAgo` days ago. */
  async function setHistory(monitorId: string, history: { scans: number; daysAgo: number }) {
    await server.database.db.execute(sql`
      update monitor_source_health
      set result_scans = ${history.scans}, mean_result_gap_seconds = 86400, last_results_at = now() - make_interval(days => ${history.daysAgo})
      where monitor_id = ${rawId(monitorId)} and source = 'rss'`);
  }

  it('is SILENT after far longer than its usual gap without results, and clears when results return', async () => {
    const { account, monitorId, feeds } = await feedMonitor(['RSS']);
    feeds.routes['/feed'] = { body: rssFeed([NEWS]) };
    await scanTimes(account, monitorId, 2);
    const learned = (await sourceHealth(account, monitorId)).RSS!;
    expect(learned).toMatchObject({ isHealthy: true, lastResultsAt: expect.any(String) });
    expect(learned.meanResultGapSeconds).toBeGreaterThanOrEqual(0);
    expect(learned.meanResultGapSeconds).toBeLessThan(60);

    // The feed empties. Too little history to judge silence yet: nothing is raised.
    feeds.routes['/feed'] = { body: rssFeed([]) };
    await setHistory(monitorId, { scans: 2, daysAgo: 10 });
    await scanTimes(account, monitorId, 1);
    expect(await healthAlerts(account, monitorId)).toEqual([]);

    // With enough history, 10 days without results against a usual day is silence.
    await setHistory(monitorId, { scans: 4, daysAgo: 10 });
    await scanTimes(account, monitorId, 1);
    const silent = (await sourceHealth(account, monitorId)).RSS!;
    expect(silent).toMatchObject({ isHealthy: false, consecutiveFailures: 0, problem: 'silent: no results for 10 days, usually every 1 day' });
    const [raised] = await healthAlerts(account, monitorId);
    expect(raised).toMatchObject({ title: 'RSS source silent for Acme brand', severity: 'MEDIUM', status: 'NEW', category: 'SOURCE_HEALTH' });
    expect(raised!.summary).toContain('silent: no results for 10 days, usually every 1 day');

    feeds.routes['/feed'] = { body: rssFeed([NEWS]) };
    await scanTimes(account, monitorId, 1);

    const [cleared] = await healthAlerts(account, monitorId);
    expect(cleared).toMatchObject({ id: raised!.id, status: 'RESOLVED' });
    expect(cleared!.history.nodes.at(-1)).toMatchObject({ toStatus: 'RESOLVED', note: 'Cleared: the RSS source recovered' });
    const recovered = (await sourceHealth(account, monitorId)).RSS!;
    expect(recovered).toMatchObject({ isHealthy: true, problem: null });
    // The 10-day gap joins the running mean of the 3 one-day gaps before it.
    expect(recovered.meanResultGapSeconds).toBeCloseTo((3 * 86_400 + 10 * 86_400) / 4, -2);
  });

  it('a quiet spell shorter than the factor allows is not silence', async () => {
    const { account, monitorId, feeds } = await feedMonitor(['RSS']);
    feeds.routes['/feed'] = { body: rssFeed([NEWS]) };
    await scanTimes(account, monitorId, 1);
    feeds.routes['/feed'] = { body: rssFeed([]) };
    await setHistory(monitorId, { scans: 10, daysAgo: 4 });

    await scanTimes(account, monitorId, 1);

    expect((await sourceHealth(account, monitorId)).RSS).toMatchObject({ isHealthy: true, problem: null });
    expect(await healthAlerts(account, monitorId)).toEqual([]);
  });
});

describe('Monitor.sourceHealth', () => {
  it('lists every source of the monitor in order; one not scanned yet is healthy with no history', async () => {
    const { account, monitorId } = await feedMonitor(['DEMO', 'RSS']);
    expect(Object.keys(await sourceHealth(account, monitorId))).toEqual(['DEMO', 'RSS']);
    expect((await sourceHealth(account, monitorId)).RSS).toEqual({
      source: 'RSS',
      isHealthy: true,
      problem: null,
      consecutiveFailures: 0,
      lastError: null,
      lastSuccessAt: null,
      lastResultsAt: null,
      meanResultGapSeconds: null,
    });
  });

  it('another organization sees neither the monitor’s source health nor its alert', async () => {
    const { account, monitorId } = await feedMonitor(['RSS']);
    await scanTimes(account, monitorId, 3);
    expect(await healthAlerts(account, monitorId)).toHaveLength(1);
    const stranger = await signUpAccount(server);

    const response = await server.gql(MonitorSourceHealthDocument, { id: monitorId }, { token: stranger.accessToken });

    expect(dataOf(response).monitor).toBeNull();
    expect(JSON.stringify(response)).not.toContain('HTTP 500');
    expect(await healthAlerts(stranger, monitorId)).toEqual([]);
    expect(await loadSourceHealth(server.database.db, stranger.organizationId, [rawId(monitorId)])).toEqual([]);
  });

  it('costs one statement for a whole page of monitors', async () => {
    const account = await signUpAccount(server, { plan: 'pro' });
    const statementsFor = async (first: number) => {
      server.queries.length = 0;
      const monitors = dataOf(await server.gql(MonitorsSourceHealthDocument, { first }, { token: account.accessToken })).monitors.edges;
      expect(monitors.every((m) => m.node.sourceHealth.length === 1)).toBe(true);
      return server.queries.filter((q) => q.includes('monitor_source_health')).length;
    };
    for (let i = 0; i < 2; i += 1) await createMonitor(server, account.accessToken, { name: `Health ${i}` });
    expect(await statementsFor(10)).toBe(1);
    for (let i = 2; i < 6; i += 1) await createMonitor(server, account.accessToken, { name: `Health ${i}` });
    expect(await statementsFor(10)).toBe(1);
  });
});
