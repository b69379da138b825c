import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertNoiseDocument,
  CreateSuppressionRuleDocument,
  DeleteSuppressionRuleDocument,
  MonitorSuppressionRulesDocument,
  ScanSuppressionsDocument,
  SuppressionRulesDocument,
  TriageAlertsDocument,
  type CreateSuppressionRuleInput,
  type TriageAlertsMutationVariables,
} from '../generated/graphql.ts';
import { addTestMember } from '../helpers/accounts.ts';
import { dataOf, expectMember } from '../helpers/domain.ts';
import { createMonitor, fireAlert, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { monitorAlerts, rssFeed, runScan, startRouteServer, type FeedEntry, type RouteServer } from '../helpers/stubs.ts';

let server: TestServer;
const stubs: RouteServer[] = [];
beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});
afterAll(() => server?.stop());

async function triage(token: string, variables: TriageAlertsMutationVariables) {
  return dataOf(await server.gql(TriageAlertsDocument, variables, { token })).updateAlertStatus;
}

async function rulesOf(account: TestAccount, monitorId: string) {
  return dataOf(await server.gql(MonitorSuppressionRulesDocument, { id: monitorId }, { token: account.accessToken })).monitor!.suppressionRules.nodes;
}

async function createRule(token: string, input: CreateSuppressionRuleInput) {
  return dataOf(await server.gql(CreateSuppressionRuleDocument, { input }, { token })).createSuppressionRule;
}

/** A monitor reading one feed whose entries the test changes between scans. */
async function monitorOnFeed(account: TestAccount) {
  const feeds = await startRouteServer({ '/feed': { body: rssFeed([]) } });
  stubs.push(feeds);
  const monitorId = await createMonitor(server, account.accessToken, { terms: ['acme'], sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
  const scan = async (entries: FeedEntry[]) => {
    feeds.routes['/feed'] = { body: rssFeed(entries) };
    return runScan(server, account.accessToken, monitorId, testScanningConfig());
  };
  return { monitorId, scan };
}

const tag = () => randomBytes(4).toString('hex');
const phishingAt = (url: string): FeedEntry => ({ title: `Acme account suspended ${tag()}`, url, text: 'Verify your Acme password now to unlock your account' });

describe('learning from false positives', () => {
  it('marking a false positive with learn: DOMAIN adds a visible rule; later findings on that domain are dropped with the rule as the reason; removing it lets them through', async () => {
    const account = await signUpAccount(server);
    const { monitorId, scan } = await monitorOnFeed(account);
    const host = `partner-${tag()}.example`;
    const first = await scan([phishingAt(`https://${host}/login/1`)]);
    expect(first).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 1 });
    const [alert] = await monitorAlerts(server, account.accessToken, monitorId);

    const marked = expectMember(await triage(account.accessToken, { ids: [alert!.id], status: 'FALSE_POSITIVE', learn: 'DOMAIN', note: 'Our partner' }), 'UpdateAlertStatusPayload');
    expect(marked.alerts[0]!.status).toBe('FALSE_POSITIVE');
    const [rule] = await rulesOf(account, monitorId);
    expect(rule).toMatchObject({ kind: 'DOMAIN', pattern: host, monitor: { id: monitorId }, sourceAlert: { id: alert!.id } });

    // A new page on the same host and one on a subdomain: both dropped before analysis; another host alerts.
    const elsewhere = `https://acme-verify-${tag()}.example/login`;
    const second = await scan([phishingAt(`https://${host}/login/2`), phishingAt(`https://www.${host}/reset`), phishingAt(elsewhere)]);
    expect(second).toMatchObject({ status: 'SUCCEEDED', findingsNew: 3, findingsSuppressed: 2, alertsCreated: 1 });
    const why = dataOf(await server.gql(ScanSuppressionsDocument, { id: second.id }, { token: account.accessToken })).scan!;
    expect(why.suppressedFindings.nodes.map((f) => f.url).sort()).toEqual([`https://${host}/login/2`, `https://www.${host}/reset`].sort());
    for (const finding of why.suppressedFindings.nodes) {
      expect(finding.rule).toEqual({ id: rule!.id, pattern: host });
      expect(finding.reason).toContain(`domain ${host}`);
      expect(finding.reason).toContain('learned from an alert marked false positive');
    }

    const removed = dataOf(await server.gql(DeleteSuppressionRuleDocument, { id: rule!.id }, { token: account.accessToken })).deleteSuppressionRule;
    expectMember(removed, 'DeleteSuppressionRulePayload');
    expect(await rulesOf(account, monitorId)).toEqual([]);
    // The old findings keep their reason; the rule link is gone with the rule.
    const after = dataOf(await server.gql(ScanSuppressionsDocument, { id: second.id }, { token: account.accessToken })).scan!;
    expect(after.suppressedFindings.nodes.every((f) => f.rule === null && f.reason.includes(host))).toBe(true);
    const third = await scan([phishingAt(`https://${host}/login/3`)]);
    expect(third).toMatchObject({ findingsNew: 1, findingsSuppressed: 0, alertsCreated: 1 });
  });

  it('learn: URL_PATTERN drops the same page with other queries and pages under it, not its siblings', async () => {
    const account = await signUpAccount(server);
    const { monitorId, scan } = await monitorOnFeed(account);
    const host = `forum-${tag()}.example`;
    await scan([phishingAt(`https://${host}/threads/acme?page=1`)]);
    const [alert] = await monitorAlerts(server, account.accessToken, monitorId);
    expectMember(await triage(account.accessToken, { ids: [alert!.id], status: 'FALSE_POSITIVE', learn: 'URL_PATTERN' }), 'UpdateAlertStatusPayload');
    expect(await rulesOf(account, monitorId)).toMatchObject([{ kind: 'URL_PATTERN', pattern: `https://${host}/threads/acme*` }]);

    const next = await scan([phishingAt(`https://${host}/threads/acme?page=2`), phishingAt(`https://${host}/threads/acme/replies`), phishingAt(`https://${host}/threads/other`)]);
    expect(next).toMatchObject({ findingsNew: 3, findingsSuppressed: 2, alertsCreated: 1 });
  });

  it('refuses learn with another status, or for an alert without a URL — and nothing changes', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken);
    const withUrl = await fireAlert(server, account, monitorId);
    const withoutUrl = await fireAlert(server, account, monitorId, { url: null });

    const wrongStatus = expectMember(await triage(account.accessToken, { ids: [withUrl.id], status: 'RESOLVED', learn: 'DOMAIN' }), 'ValidationError');
    expect(wrongStatus.issues).toEqual([{ path: ['input', 'learn'], message: 'is only for status FALSE_POSITIVE' }]);
    const noUrl = expectMember(await triage(account.accessToken, { ids: [withUrl.id, withoutUrl.id], status: 'FALSE_POSITIVE', learn: 'DOMAIN' }), 'ValidationError');
    expect(noUrl.issues[0]!.path).toEqual(['input', 'learn']);

    for (const { id } of [withUrl, withoutUrl]) {
      expect(dataOf(await server.gql(AlertNoiseDocument, { id }, { token: account.accessToken })).alert!.status).toBe('NEW');
    }
    expect(await rulesOf(account, monitorId)).toEqual([]);
  });
});

describe('suppression rules written by hand', () => {
  it('validates patterns, refuses duplicates, and lists rules by monitor', async () => {
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken);
    const otherMonitorId = await createMonitor(server, account.accessToken, { name: 'Other' });
    const token = account.accessToken;

    const created = expectMember(await createRule(token, { monitorId, kind: 'DOMAIN', pattern: 'Status.Example.COM.' }), 'CreateSuppressionRulePayload').suppressionRule;
    expect(created).toMatchObject({ kind: 'DOMAIN', pattern: 'status.example.com', sourceAlert: null });
    expectMember(await createRule(token, { monitorId: otherMonitorId, kind: 'URL_PATTERN', pattern: 'https://news.example.com/acme/*' }), 'CreateSuppressionRulePayload');

    const invalid: [CreateSuppressionRuleInput, string][] = [
      [{ monitorId, kind: 'DOMAIN', pattern: 'https://example.com/' }, 'must be a host name such as login.example.com (it also matches its subdomains)'],
      [{ monitorId, kind: 'DOMAIN', pattern: 'localhost' }, 'must be a host name such as login.example.com (it also matches its subdomains)'],
      [{ monitorId, kind: 'URL_PATTERN', pattern: '*' }, 'must start with http:// or https:// and a literal host; * matches anything after that'],
      [{ monitorId, kind: 'URL_PATTERN', pattern: 'https://*.example.com/' }, 'must start with http:// or https:// and a literal host; * matches anything after that'],
    ];
    for (const [input, message] of invalid) {
      const error = expectMember(await createRule(token, input), 'ValidationError');
      expect(error.issues).toEqual([{ path: ['input', 'pattern'], message }]);
    }
    expectMember(await createRule(token, { monitorId, kind: 'DOMAIN', pattern: 'status.example.com' }), 'ConflictError');

    expect(await rulesOf(account, monitorId)).toMatchObject([{ id: created.id }]);
    const all = dataOf(await server.gql(SuppressionRulesDocument, {}, { token })).suppressionRules;
    expect(all.nodes.map((r) => r.pattern)).toEqual(['status.example.com', 'https://news.example.com/acme/*']);
    const filtered = dataOf(await server.gql(SuppressionRulesDocument, { monitorIds: [otherMonitorId] }, { token })).suppressionRules;
    expect(filtered.nodes.map((r) => r.pattern)).toEqual(['https://news.example.com/acme/*']);
  });

  it('viewers cannot add or remove rules; other organizations can neither see, add to nor remove them', async () => {
    const owner = await signUpAccount(server);
    const monitorId = await createMonitor(server, owner.accessToken);
    const rule = expectMember(await createRule(owner.accessToken, { monitorId, kind: 'DOMAIN', pattern: 'example.org' }), 'CreateSuppressionRulePayload').suppressionRule;

    const viewer = await addTestMember(server, owner, 'VIEWER');
    expectMember(await createRule(viewer.accessToken, { monitorId, kind: 'DOMAIN', pattern: 'example.net' }), 'ForbiddenError');
    expectMember(dataOf(await server.gql(DeleteSuppressionRuleDocument, { id: rule.id }, { token: viewer.accessToken })).deleteSuppressionRule, 'ForbiddenError');

    const intruder = await signUpAccount(server);
    expect(dataOf(await server.gql(SuppressionRulesDocument, {}, { token: intruder.accessToken })).suppressionRules.nodes).toEqual([]);
    expect(dataOf(await server.gql(MonitorSuppressionRulesDocument, { id: monitorId }, { token: intruder.accessToken })).monitor).toBeNull();
    expectMember(await createRule(intruder.accessToken, { monitorId, kind: 'DOMAIN', pattern: 'example.net' }), 'NotFoundError');
    expectMember(dataOf(await server.gql(DeleteSuppressionRuleDocument, { id: rule.id }, { token: intruder.accessToken })).deleteSuppressionRule, 'NotFoundError');
    expect(await rulesOf(owner, monitorId)).toMatchObject([{ id: rule.id, pattern: 'example.org' }]);
  });
});
