import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertHistory, alerts, findings, monitors, scans, silences, suppressionRules } from '../../src/db/schema/index.ts';
import { runMonitorScan, scanMonitor, type RecordedScan } from '../../src/scanning/run-scan.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { scanDeps, testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { rssFeed, startRouteServer, type FeedEntry, type RouteServer } from '../helpers/stubs.ts';

let server: TestServer;
const stubs: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});
afterAll(async () => {
  await server?.stop();
});

const tag = randomBytes(4).toString('hex');
const PHISHING: FeedEntry = { title: 'Acme account suspended', url: `https://acme-login-verify.xyz/signin/${tag}`, text: 'Verify your Acme password now to unlock your account' };
const LEAK: FeedEntry = { title: 'Acme customer database dump', url: `https://paste.example.net/raw/${tag}`, text: 'Leaked Acme credentials from a breach' };
const RULED: FeedEntry = { title: 'Acme account locked', url: `https://acme-secure.top/login/${tag}`, text: 'Confirm your Acme password to unlock your account' };
const NEWS: FeedEntry = { title: 'Acme opens a new office', url: `https://news.example.com/acme/${tag}`, text: 'Acme announced a new office in Lyon' };
const WALLET: FeedEntry = { title: 'Update your Acme payment details', url: `https://secure-acme.top/wallet/${tag}`, text: 'Urgent: confirm your Acme credit card and password' };

/** Failing Hacker News (nothing answers there) raises a source-health alert at its first failure. */
function config(hackerNews: RouteServer) {
  return testScanningConfig({ hackerNewsBaseUrl: hackerNews.url, sourceHealth: { failuresBeforeAlert: 1, silenceFactor: 5, minHistory: 3 } });
}

/** A monitor reading one feed and Hacker News, with a suppression rule and a silence in effect. */
async function monitorWithNoiseControl(account: TestAccount, entries: FeedEntry[]) {
  const feed = await startRouteServer({ '/feed': { body: rssFeed(entries) } });
  const hackerNews = await startRouteServer({});
  stubs.push(feed, hackerNews);
  const monitorId = rawId(
    await createMonitor(server, account.accessToken, { name: 'Acme brand', terms: ['acme'], sources: ['RSS', 'HACKERNEWS'], feedUrls: [`${feed.url}/feed`] }),
  );
  const [rule] = await server.database.db
    .insert(suppressionRules)
    .values({ organizationId: account.organizationId, monitorId, kind: 'domain', pattern: 'acme-secure.top' })
    .returning();
  const [silence] = await server.database.db
    .insert(silences)
    .values({ organizationId: account.organizationId, text: 'DATABASE DUMP', endsAt: new Date(Date.now() + 3_600_000) })
    .returning();
  return { monitorId, feed, hackerNews, rule: rule!, silence: silence! };
}

/** What the scheduler does: a scheduled scan waiting for the monitor. */
async function queueScheduledScan(account: TestAccount, monitorId: string): Promise<string> {
  const [scan] = await server.database.db.insert(scans).values({ organizationId: account.organizationId, monitorId, trigger: 'schedule' }).returning();
  return scan!.id;
}

async function statementsFor(run: () => Promise<unknown>): Promise<string[]> {
  server.queries.length = 0;
  await run();
  return server.queries.map((query) => query.trim().replace(/\s+/g, ' '));
}

describe('recording a scan', () => {
  it('is one statement, whatever it records: findings, alerts, silences, rule links, source health, the scan and its monitor', async () => {
    const account = await signUpAccount(server);
    const { monitorId, feed, hackerNews, rule, silence } = await monitorWithNoiseControl(account, [PHISHING, LEAK, RULED, NEWS]);
    const scanConfig = config(hackerNews);

    const firstScanId = await queueScheduledScan(account, monitorId);
    const first = await statementsFor(() => runMonitorScan(scanDeps(server, scanConfig), monitorId));

    // The claim, the two reads that decide which findings are new and which a rule drops, and one
    // statement that records everything; no transaction of several statements anywhere.
    expect(first).toHaveLength(4);
    expect(first[0]).toMatch(/^select vigil_claim_scan\(/);
    expect(first.slice(1, 3).every((statement) => /^select /i.test(statement) && !/vigil_/.test(statement))).toBe(true);
    expect(first[3]).toMatch(/^select vigil_record_scan\(/);

    const [firstScan] = await server.database.db.select().from(scans).where(eq(scans.id, firstScanId));
    // Two threats, one of them silenced, and Hacker News failing: three alerts created.
    expect(firstScan).toMatchObject({ status: 'succeeded', findingsSeen: 4, findingsNew: 4, findingsSuppressed: 2, alertsCreated: 3, alertsUpdated: 0, creditsCharged: 1 });
    expect(firstScan!.error).toContain('hackernews: ');
    const stored = await server.database.db.select().from(findings).where(eq(findings.monitorId, monitorId)).orderBy(asc(findings.firstSeenAt), asc(findings.url));
    expect(Object.fromEntries(stored.map((f) => [f.url, [f.status, f.suppressionRuleId, f.explanation?.analyzer]]))).toEqual({
      [PHISHING.url]: ['analyzed', null, 'rules'],
      [LEAK.url]: ['analyzed', null, 'rules'],
      [RULED.url]: ['suppressed', rule.id, 'suppression_rule'],
      [NEWS.url]: ['suppressed', null, 'rules'],
    });
    const raised = await server.database.db.select().from(alerts).where(eq(alerts.monitorId, monitorId)).orderBy(asc(alerts.createdSeq));
    expect(raised.map((a) => [a.url ?? a.fingerprint, a.category, a.silenceId, a.occurrences, a.status])).toEqual([
      [PHISHING.url, 'phishing', null, 1, 'new'],
      [LEAK.url, 'data_leak', silence.id, 1, 'new'],
      ['source-health:hackernews', 'source_health', null, 1, 'new'],
    ]);
    expect(raised[0]!.explanation).toMatchObject({ analyzer: 'rules' });
    expect(raised.map((a) => a.createdSeq)).toEqual([1, 2, 3]);

    // An analyst resolves the source-health alert; the next scan finds Hacker News failing still,
    // the feed's old entries again, and one new threat.
    const healthAlert = raised[2]!;
    await server.database.db.update(alerts).set({ status: 'resolved', resolvedAt: new Date() }).where(eq(alerts.id, healthAlert.id));
    feed.routes['/feed'] = { body: rssFeed([PHISHING, LEAK, RULED, NEWS, WALLET]) };
    const [before] = await server.database.db.select({ lastSeenAt: findings.lastSeenAt }).from(findings).where(and(eq(findings.monitorId, monitorId), eq(findings.url, NEWS.url)));

    const secondScanId = await queueScheduledScan(account, monitorId);
    const second = await statementsFor(() => runMonitorScan(scanDeps(server, scanConfig), monitorId));

    expect(second).toHaveLength(4);
    expect(second[3]).toMatch(/^select vigil_record_scan\(/);
    const [secondScan] = await server.database.db.select().from(scans).where(eq(scans.id, secondScanId));
    expect(secondScan).toMatchObject({ status: 'succeeded', findingsSeen: 5, findingsNew: 1, findingsSuppressed: 0, alertsCreated: 1, alertsUpdated: 1 });
    const [after] = await server.database.db.select({ lastSeenAt: findings.lastSeenAt }).from(findings).where(and(eq(findings.monitorId, monitorId), eq(findings.url, NEWS.url)));
    expect(after!.lastSeenAt.getTime()).toBeGreaterThan(before!.lastSeenAt.getTime());
    const [reopened] = await server.database.db.select().from(alerts).where(eq(alerts.id, healthAlert.id));
    expect(reopened).toMatchObject({ status: 'new', occurrences: 2, resolvedAt: null });
    const history = await server.database.db.select().from(alertHistory).where(eq(alertHistory.alertId, healthAlert.id)).orderBy(asc(alertHistory.id));
    expect(history.map((h) => [h.fromStatus, h.toStatus, h.note])).toEqual([
      [null, 'new', null],
      ['resolved', 'new', 'Reopened: the threat was seen again'],
    ]);
    const [monitor] = await server.database.db.select().from(monitors).where(eq(monitors.id, monitorId));
    expect(monitor!.lastScanAt!.getTime()).toBeGreaterThanOrEqual(secondScan!.finishedAt!.getTime());
    expect(monitor!.lastError).toContain('hackernews: ');
  });

  it('of two attempts at one scan, only the first records it; the other writes nothing', async () => {
    const account = await signUpAccount(server);
    const { monitorId, feed, hackerNews } = await monitorWithNoiseControl(account, [PHISHING, NEWS]);
    // Both attempts fetch before either records: the feed answers once both have asked.
    let release!: () => void;
    feed.routes['/feed'] = { body: rssFeed([PHISHING, NEWS]), gate: new Promise<void>((resolve) => (release = resolve)) };
    const scanId = await queueScheduledScan(account, monitorId);
    const recorded: RecordedScan[] = [];
    const deps = { ...scanDeps(server, config(hackerNews)), onRecorded: (scan: RecordedScan) => recorded.push(scan) };

    const attempts = [scanMonitor(deps, monitorId), scanMonitor(deps, monitorId)];
    while (feed.hits('/feed') < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const outcomes = await Promise.all(attempts);

    expect(outcomes.map((o) => o.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(recorded).toHaveLength(1);
    const [scan] = await server.database.db.select().from(scans).where(eq(scans.id, scanId));
    expect(scan).toMatchObject({ status: 'succeeded', findingsNew: 2, alertsCreated: 2, creditsCharged: 1 });
    expect(await server.database.db.select({ id: findings.id }).from(findings).where(eq(findings.monitorId, monitorId))).toHaveLength(2);
    const raised = await server.database.db.select().from(alerts).where(eq(alerts.monitorId, monitorId));
    expect(raised.map((a) => a.occurrences)).toEqual([1, 1]);
  });
});
