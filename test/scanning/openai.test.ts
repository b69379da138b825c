import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScanningConfig } from '../../src/config.ts';
import { organizations } from '../../src/db/schema/index.ts';
import { OrganizationSettingsDocument, SetOpenAiKeyDocument } from '../generated/graphql.ts';
import { dataOf } from '../helpers/domain.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import {
  monitorAlerts,
  rssFeed,
  runScan,
  startOpenAiStub,
  startRouteServer,
  verdictsFor,
  type ChatCall,
  type ChatReply,
  type FeedEntry,
  type OpenAiStub,
} from '../helpers/stubs.ts';

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

const SERVER_KEY = 'sk-server-0123456789abcdefghij';

function llmConfig(openai: OpenAiStub, overrides: Partial<ScanningConfig['openai']> = {}): ScanningConfig {
  const base = testScanningConfig().openai;
  return testScanningConfig({
    openai: { ...base, apiKey: SERVER_KEY, baseUrl: openai.baseUrl, model: 'gpt-test', priceInputPerMTok: 2, priceOutputPerMTok: 10, ...overrides },
  });
}

/** Findings no other test has seen (the analyzer cache is keyed by content and URL). */
function feedEntries() {
  const tag = randomBytes(4).toString('hex');
  return {
    phishing: { title: 'Acme account suspended', url: `https://acme-login-verify.xyz/signin/${tag}`, text: 'Verify your Acme password now to unlock your account' },
    leak: { title: 'Acme customer database dump', url: `https://paste.example.net/raw/${tag}`, text: 'Leaked Acme credentials from a breach' },
    // Some signal (0.23): below the rules' threat threshold but worth asking the LLM.
    grumble: { title: 'Acme outage discussion', url: `https://forum.example.net/t/acme-${tag}`, text: 'Is Acme down? login fails' },
    // No signal at all: before issue 10 a score pre-filter kept it away from the LLM; now it is judged too.
    results: { title: 'Acme reports quarterly results', url: `https://news.example.com/acme-${tag}`, text: 'Acme announced results in line with expectations' },
  } satisfies Record<string, FeedEntry>;
}

async function setUp(reply: (call: ChatCall, attempt: number) => ChatReply, entries: FeedEntry[]) {
  const openai = await startOpenAiStub(reply);
  const feeds = await startRouteServer({ '/feed': { body: rssFeed(entries) } });
  stubs.push(openai, feeds);
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
  return { openai, feeds, account, monitorId };
}

/** The LLM's opinion, deliberately different from the rules' so a test can tell who judged. */
function llmJudge(finding: { url: string }) {
  if (finding.url.includes('acme-login-verify')) return { isThreat: true, category: 'impersonation', severity: 'high', confidence: 0.88, rationale: 'LLM: fake Acme login page' };
  if (finding.url.includes('paste.example')) return { isThreat: true, category: 'data_leak', severity: 'critical', confidence: 0.97, rationale: 'LLM: credential dump' };
  return { isThreat: false, category: 'negative_press', severity: 'low', confidence: 0.4, rationale: 'LLM: an ordinary complaint' };
}

describe('OpenAI analyzer through the real SDK', () => {
  it('alerts carry the LLM verdict; tokens and cost are recorded; every candidate is sent, even one with no threat signal', async () => {
    const e = feedEntries();
    const { openai, account, monitorId } = await setUp((call) => ({ verdicts: verdictsFor(call, llmJudge) }), [e.phishing, e.leak, e.grumble, e.results]);

    const scan = await runScan(server, account.accessToken, monitorId, llmConfig(openai));

    const calls = openai.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ authorization: `Bearer ${SERVER_KEY}`, model: 'gpt-test' });
    expect(calls[0]!.findings.map((f) => f.url).sort()).toEqual([e.grumble.url, e.leak.url, e.phishing.url, e.results.url].sort());
    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsNew: 4, alertsCreated: 2, findingsSuppressed: 2, promptTokens: 1_000, completionTokens: 200 });
    expect(scan.costUsd).toBeCloseTo((1_000 * 2 + 200 * 10) / 1_000_000, 9);

    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(alerts.find((a) => a.url === e.phishing.url)).toMatchObject({ category: 'IMPERSONATION', severity: 'HIGH', rationale: 'LLM: fake Acme login page', isUnverified: false });
    expect(alerts.find((a) => a.url === e.leak.url)).toMatchObject({ category: 'DATA_LEAK', severity: 'CRITICAL', isUnverified: false });
    const reasons = Object.fromEntries(scan.suppressedFindings.nodes.map((f) => [f.url, f.reason]));
    expect(reasons[e.grumble.url]).toBe('analyzer: not a threat — LLM: an ordinary complaint');
    expect(reasons[e.results.url]).toBe('analyzer: not a threat — LLM: an ordinary complaint');
  });

  it('sends findings in batches: five findings with a batch size of two make three calls', async () => {
    const tag = randomBytes(4).toString('hex');
    const entries = [1, 2, 3, 4, 5].map((n) => ({ title: `Acme account suspended ${n}`, url: `https://acme-login-verify.xyz/${tag}/${n}`, text: 'Verify your Acme password' }));
    const { openai, account, monitorId } = await setUp((call) => ({ verdicts: verdictsFor(call, llmJudge) }), entries);

    const scan = await runScan(server, account.accessToken, monitorId, llmConfig(openai, { batchSize: 2 }));

    expect(openai.calls().map((c) => c.findings.length)).toEqual([2, 2, 1]);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 5, promptTokens: 3_000, completionTokens: 600 });
  });

  it('an answer that is not valid JSON falls back to the rules: every finding still judged, threats marked unverified', async () => {
    const e = feedEntries();
    const { openai, account, monitorId } = await setUp(() => ({ content: 'Sure! Here are the verdicts: {results: [' }), [e.phishing, e.leak, e.grumble]);

    const scan = await runScan(server, account.accessToken, monitorId, llmConfig(openai));

    expect(openai.calls()).toHaveLength(1);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsNew: 3, alertsCreated: 2, findingsSuppressed: 1, promptTokens: 1_000 });
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(alerts.map((a) => [a.url, a.category, a.isUnverified]).sort()).toEqual(
      [
        [e.phishing.url, 'PHISHING', true],
        [e.leak.url, 'DATA_LEAK', true],
      ].sort(),
    );
    expect(scan.suppressedFindings.nodes.map((f) => f.reason)).toEqual([expect.stringMatching(/^below the threat threshold \(rules, LLM unavailable\)/)]);
  });

  it('a finding the model leaves out of its answer is judged by the rules, marked unverified, not dropped', async () => {
    const e = feedEntries();
    const { openai, account, monitorId } = await setUp(
      (call) => ({ verdicts: verdictsFor(call, llmJudge).filter((v) => call.findings[v.index]!.url === e.phishing.url) }),
      [e.phishing, e.leak],
    );

    const scan = await runScan(server, account.accessToken, monitorId, llmConfig(openai));

    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 2 });
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(alerts.find((a) => a.url === e.phishing.url)).toMatchObject({ category: 'IMPERSONATION', isUnverified: false });
    expect(alerts.find((a) => a.url === e.leak.url)).toMatchObject({ category: 'DATA_LEAK', isUnverified: true });
  });

  it('a 429 is retried by the SDK and the second answer is used', async () => {
    const e = feedEntries();
    const { openai, account, monitorId } = await setUp(
      (call, attempt) => (attempt === 1 ? { status: 429, headers: { 'retry-after-ms': '10' }, body: { error: { message: 'Rate limit reached', type: 'requests' } } } : { verdicts: verdictsFor(call, llmJudge) }),
      [e.phishing],
    );

    const scan = await runScan(server, account.accessToken, monitorId, llmConfig(openai));

    expect(openai.calls()).toHaveLength(2);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 1, promptTokens: 1_000 });
    expect(await monitorAlerts(server, account.accessToken, monitorId)).toMatchObject([{ category: 'IMPERSONATION', isUnverified: false }]);
  });

  it('a server error that never clears ends in the rules fallback after the retries; the scan still succeeds', async () => {
    const e = feedEntries();
    const { openai, account, monitorId } = await setUp(() => ({ status: 500, headers: { 'retry-after-ms': '10' } }), [e.phishing, e.leak]);

    const scan = await runScan(server, account.accessToken, monitorId, llmConfig(openai, { maxRetries: 2 }));

    expect(openai.calls()).toHaveLength(3);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 2, promptTokens: 0, costUsd: 0 });
    expect(scan.error).toContain('LLM unavailable: 2 findings judged by the rules');
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(alerts.every((a) => a.isUnverified && a.rationale?.startsWith('Rules'))).toBe(true);
  });

  it('scanning the same content again costs nothing: seen findings are not analyzed twice', async () => {
    const e = feedEntries();
    const { openai, account, monitorId } = await setUp((call) => ({ verdicts: verdictsFor(call, llmJudge) }), [e.phishing, e.leak]);
    const config = llmConfig(openai);

    const first = await runScan(server, account.accessToken, monitorId, config);
    const second = await runScan(server, account.accessToken, monitorId, config);

    expect(first).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 2, promptTokens: 1_000 });
    expect(second).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 2, findingsNew: 0, alertsCreated: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    expect(openai.calls()).toHaveLength(1);
    expect(await monitorAlerts(server, account.accessToken, monitorId)).toHaveLength(2);
  });

  it('another monitor meeting the same content reuses the cached verdict instead of paying again', async () => {
    const e = feedEntries();
    const { openai, feeds, account, monitorId } = await setUp((call) => ({ verdicts: verdictsFor(call, llmJudge) }), [e.phishing]);
    await runScan(server, account.accessToken, monitorId, llmConfig(openai));
    const otherMonitor = await createMonitor(server, account.accessToken, { name: 'Same feed', sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });

    const scan = await runScan(server, account.accessToken, otherMonitor, llmConfig(openai));

    expect(openai.calls()).toHaveLength(1);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 1, promptTokens: 0 });
    expect(await monitorAlerts(server, account.accessToken, otherMonitor)).toMatchObject([{ category: 'IMPERSONATION', rationale: 'LLM: fake Acme login page' }]);
  });
});

describe('the verdict cache is private to an organization', () => {
  it('another organization meeting the same content pays for its own verdict and never sees the first one’s rationale', async () => {
    const e = feedEntries();
    const { openai, feeds, account, monitorId } = await setUp((call) => ({ verdicts: verdictsFor(call, llmJudge) }), [e.phishing]);
    await runScan(server, account.accessToken, monitorId, llmConfig(openai));
    expect(openai.calls()).toHaveLength(1);

    const stranger = await signUpAccount(server);
    const strangersMonitor = await createMonitor(server, stranger.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
    const scan = await runScan(server, stranger.accessToken, strangersMonitor, llmConfig(openai));

    expect(openai.calls()).toHaveLength(2);
    expect(scan.promptTokens).toBeGreaterThan(0);
    void monitorId;
  });
});

describe("an organization's own OpenAI key", () => {
  const ORG_KEY = 'sk-org-own-key-9876543210zyxwvu';

  async function setOwnKey(account: TestAccount, apiKey: string | null) {
    const response = await server.gql(SetOpenAiKeyDocument, { apiKey }, { token: account.accessToken });
    expect(JSON.stringify(response)).not.toContain(ORG_KEY);
    return dataOf(response).setOpenAiKey;
  }

  it('is what the LLM receives instead of the server key, and the API never returns it', async () => {
    const e = feedEntries();
    const { openai, account, monitorId } = await setUp((call) => ({ verdicts: verdictsFor(call, llmJudge) }), [e.phishing]);

    expect(await setOwnKey(account, ORG_KEY)).toMatchObject({ __typename: 'SetOpenAiKeyPayload', organization: { hasOpenAiKey: true } });
    const scan = await runScan(server, account.accessToken, monitorId, llmConfig(openai));

    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 1 });
    expect(openai.calls().map((c) => c.authorization)).toEqual([`Bearer ${ORG_KEY}`]);
    const settings = await server.gql(OrganizationSettingsDocument, {}, { token: account.accessToken });
    expect(dataOf(settings).viewer?.organization.hasOpenAiKey).toBe(true);
    expect(JSON.stringify(settings)).not.toContain(ORG_KEY);
    const [stored] = await server.database.db.select({ key: organizations.openaiKeyEncrypted }).from(organizations).where(eq(organizations.id, account.organizationId));
    expect(stored?.key).toBeTruthy();
    expect(stored?.key).not.toContain(ORG_KEY);
  });

  it('lets an organization use the LLM on a server that has no key of its own; removing it goes back to the rules', async () => {
    const e = feedEntries();
    const { openai, feeds, account, monitorId } = await setUp((call) => ({ verdicts: verdictsFor(call, llmJudge) }), [e.phishing]);
    const noServerKey = llmConfig(openai, { apiKey: undefined });

    await setOwnKey(account, ORG_KEY);
    await runScan(server, account.accessToken, monitorId, noServerKey);
    expect(openai.calls().map((c) => c.authorization)).toEqual([`Bearer ${ORG_KEY}`]);

    expect(await setOwnKey(account, null)).toMatchObject({ organization: { hasOpenAiKey: false } });
    feeds.routes['/feed'] = { body: rssFeed([e.leak]) };
    const scan = await runScan(server, account.accessToken, monitorId, noServerKey);
    expect(openai.calls()).toHaveLength(1);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 1, promptTokens: 0 });
  });
});
