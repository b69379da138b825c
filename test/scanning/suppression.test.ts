import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { organizations } from '../../src/db/schema/index.ts';
import { ScanDetailDocument } from '../generated/graphql.ts';
import { dataOf } from '../helpers/domain.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { sendJson, startStubServer } from '../helpers/stub-server.ts';
import { monitorAlerts, rssFeed, runScan, startOpenAiStub, startRouteServer, verdictsFor, type FeedEntry } from '../helpers/stubs.ts';

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
const PHISHING: FeedEntry = { title: 'Acme account suspended', url: `https://acme-login-verify.xyz/signin/${tag}`, text: 'Verify your Acme password now to unlock your account' };
const CAREERS: FeedEntry = { title: 'Acme careers: join us', url: `https://jobs.example.com/acme/${tag}`, text: 'Acme is hiring, login to apply' };
const OWN_PAGE: FeedEntry = { title: 'Acme official blog: reset your password', url: `https://blog.acme.example/reset/${tag}`, text: 'How to log in and verify your Acme account' };
const RESULTS: FeedEntry = { title: 'Acme reports quarterly results', url: `https://news.example.com/acme/${tag}`, text: 'Acme announced results in line with expectations' };

async function setOwnDomains(account: TestAccount, domains: string[]): Promise<void> {
  // Organization settings for own domains have no mutation yet; tests set them directly.
  await server.database.db.update(organizations).set({ ownDomains: domains }).where(eq(organizations.id, account.organizationId));
}

/** A monitor reading one feed of `entries`, with "careers" excluded. */
async function monitorOn(entries: FeedEntry[], extra: { sources?: ('RSS' | 'HACKERNEWS')[] } = {}) {
  const feeds = await startRouteServer({ '/feed': { body: rssFeed(entries) } });
  stubs.push(feeds);
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken, {
    terms: ['acme'],
    excludeTerms: ['careers'],
    sources: extra.sources ?? ['RSS'],
    feedUrls: [`${feeds.url}/feed`],
  });
  return { account, monitorId };
}

async function suppressedReasons(account: TestAccount, scanId: string): Promise<Record<string, string>> {
  const scan = dataOf(await server.gql(ScanDetailDocument, { id: scanId }, { token: account.accessToken })).scan;
  return Object.fromEntries((scan?.suppressedFindings.nodes ?? []).map((f) => [f.url, f.reason]));
}

describe('why a finding was suppressed, through scan(id) { suppressedFindings }', () => {
  it('an exclusion term, the organization’s own domain, and a score below the threat threshold each give their reason', async () => {
    const { account, monitorId } = await monitorOn([PHISHING, CAREERS, OWN_PAGE, RESULTS]);
    await setOwnDomains(account, ['acme.example']);

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig());

    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsNew: 4, alertsCreated: 1, findingsSuppressed: 3 });
    expect(await suppressedReasons(account, scan.id)).toEqual({
      [CAREERS.url]: 'excluded term: "careers"',
      [OWN_PAGE.url]: 'own domain: acme.example',
      [RESULTS.url]: expect.stringMatching(/^below the threat threshold: Rules \(score 0\.00\): /),
    });
    expect((await monitorAlerts(server, account.accessToken, monitorId)).map((a) => a.url)).toEqual([PHISHING.url]);
  });

  it('a host that merely contains the own domain is not the organization’s own', async () => {
    const lookAlike = { ...PHISHING, url: `https://acme.example.verify-account.xyz/login/${tag}` };
    const { account, monitorId } = await monitorOn([lookAlike]);
    await setOwnDomains(account, ['acme.example']);

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig());

    expect(scan).toMatchObject({ alertsCreated: 1, findingsSuppressed: 0 });
    expect((await monitorAlerts(server, account.accessToken, monitorId)).map((a) => a.url)).toEqual([lookAlike.url]);
  });

  it('a search hit that mentions none of the terms is suppressed with that reason', async () => {
    const hn = await startStubServer((_request, response) =>
      sendJson(response, 200, { hits: [{ objectID: '99', title: 'Show HN: a tiny text editor', url: `https://editor.example/${tag}`, story_text: 'Written in Rust' }] }),
    );
    stubs.push(hn);
    const { account, monitorId } = await monitorOn([PHISHING], { sources: ['RSS', 'HACKERNEWS'] });

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ hackerNewsBaseUrl: hn.url }));

    expect(await suppressedReasons(account, scan.id)).toEqual({ [`https://editor.example/${tag}`]: 'mentions none of the monitored terms, profile names or look-alike domains' });
  });

  it('with the LLM on: every candidate reaches it, and what it clears keeps its rationale', async () => {
    const grumble = { title: 'Acme outage discussion', url: `https://forum.example.net/t/${tag}`, text: 'Is Acme down? login fails' };
    const openai = await startOpenAiStub((call) => ({
      verdicts: verdictsFor(call, (f) =>
        f.url === grumble.url
          ? { isThreat: false, category: 'negative_press', severity: 'low', confidence: 0.7, rationale: 'Customers complaining about an outage' }
          : f.url === RESULTS.url
            ? { isThreat: false, category: 'other', severity: 'low', confidence: 0.9, rationale: 'Routine business news' }
            : { isThreat: true, category: 'phishing', severity: 'high', confidence: 0.9, rationale: 'Credential phishing' },
      ),
    }));
    stubs.push(openai);
    const { account, monitorId } = await monitorOn([PHISHING, grumble, RESULTS]);
    const base = testScanningConfig();

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ openai: { ...base.openai, apiKey: 'sk-server-0123456789abcdef', baseUrl: openai.baseUrl } }));

    // No score pre-filter: the quarterly results, with no threat word at all, are judged too.
    expect(openai.calls().flatMap((c) => c.findings.map((f) => f.url)).sort()).toEqual([grumble.url, PHISHING.url, RESULTS.url].sort());
    const reasons = await suppressedReasons(account, scan.id);
    expect(reasons[grumble.url]).toBe('analyzer: not a threat — Customers complaining about an outage');
    expect(reasons[RESULTS.url]).toBe('analyzer: not a threat — Routine business news');
    expect(Object.keys(reasons)).toHaveLength(2);
  });

  it('another organization cannot read a scan or its suppressed findings', async () => {
    const { account, monitorId } = await monitorOn([CAREERS]);
    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig());
    const stranger = await signUpAccount(server);

    const response = await server.gql(ScanDetailDocument, { id: scan.id }, { token: stranger.accessToken });

    expect(dataOf(response).scan).toBeNull();
    expect(JSON.stringify(response)).not.toContain(CAREERS.url);
  });
});
