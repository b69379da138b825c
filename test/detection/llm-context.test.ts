import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScanningConfig } from '../../src/config.ts';
import { CATEGORY_DEFINITIONS, SEVERITY_RUBRIC } from '../../src/scanning/detection/policy.ts';
import { PROFILE_PROMPT_BUDGET } from '../../src/scanning/judge.ts';
import { writeBrandProfile } from '../../src/services/brand-profile.ts';
import { MonitorAlertExplanationsDocument, ScanExplanationsDocument } from '../generated/graphql.ts';
import { dataOf } from '../helpers/domain.ts';
import { createMonitor, signUpAccount } from '../helpers/fixtures.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { rssFeed, runScan, startOpenAiStub, startRouteServer, verdictsFor, type FeedEntry, type OpenAiStub } from '../helpers/stubs.ts';

let server: TestServer;
const stubs: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});
afterAll(() => server?.stop());

function llmConfig(openai: OpenAiStub): ScanningConfig {
  const base = testScanningConfig().openai;
  return testScanningConfig({ openai: { ...base, apiKey: 'sk-test-0123456789abcdef', baseUrl: openai.baseUrl, model: 'gpt-test' } });
}

/** The messages of every chat completion the stand-in received. */
function prompts(openai: OpenAiStub): { system: string; user: Record<string, unknown> }[] {
  return openai.requests
    .filter((r) => r.url.pathname === '/v1/chat/completions')
    .map((r) => {
      const messages = (JSON.parse(r.body) as { messages: { role: string; content: string }[] }).messages;
      return { system: messages.find((m) => m.role === 'system')!.content, user: JSON.parse(messages.find((m) => m.role === 'user')!.content) as Record<string, unknown> };
    });
}

async function scanFeed(entries: FeedEntry[], profile: Parameters<typeof writeBrandProfile>[2], judge: (f: { url: string }) => { isThreat: boolean; category: string; severity: string; confidence: number; rationale: string }) {
  const openai = await startOpenAiStub((call) => ({ verdicts: verdictsFor(call, judge) }));
  const feeds = await startRouteServer({ '/feed': { body: rssFeed(entries) } });
  stubs.push(openai, feeds);
  const account = await signUpAccount(server);
  await writeBrandProfile(server.database.db, account.organizationId, profile);
  const monitorId = await createMonitor(server, account.accessToken, { name: 'Acme Bank brand', terms: ['acme bank'], sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
  const scan = await runScan(server, account.accessToken, monitorId, llmConfig(openai));
  return { openai, account, monitorId, scan };
}

describe('what the LLM receives', () => {
  it('a finding the rules score at 0 still reaches it, with the organization, the profile, the category definitions, the rubric and the source kind', async () => {
    const tag = randomBytes(4).toString('hex');
    // No threat word at all: the rules give it nothing, and before this change it never left the pre-filter.
    const quiet: FeedEntry = { title: 'Acme Bank opens a branch in Porto', url: `https://news.example.com/acme-${tag}`, text: 'The new branch opens on Monday.' };
    const { openai, scan } = await scanFeed([quiet], { names: ['Acme Bank'], people: [{ name: 'Jane Roe', role: 'CEO' }], products: ['Acme Pay'] }, () => ({
      isThreat: false,
      category: 'other',
      severity: 'low',
      confidence: 0.9,
      rationale: 'routine business news',
    }));

    expect(openai.calls().flatMap((c) => c.findings.map((f) => f.url))).toEqual([quiet.url]);
    const [prompt] = prompts(openai);
    expect(prompt!.user).toMatchObject({
      organization: expect.stringContaining('Org of'),
      monitor: { name: 'Acme Bank brand', kind: 'BRAND'.toLowerCase(), terms: ['acme bank'] },
      profile: expect.arrayContaining(['name: Acme Bank', 'person: Jane Roe (CEO)', 'product: Acme Pay']),
      findings: [{ index: 0, source: 'news or alert feed item', url: quiet.url, title: quiet.title }],
    });
    for (const definition of [...Object.values(CATEGORY_DEFINITIONS), ...Object.values(SEVERITY_RUBRIC)]) expect(prompt!.system).toContain(definition);
    expect(scan.suppressedFindings.nodes).toEqual([expect.objectContaining({ url: quiet.url, reason: 'analyzer: not a threat — routine business news' })]);
  });

  it('with a profile larger than the prompt budget, only the entries that match the batch are sent', async () => {
    const tag = randomBytes(4).toString('hex');
    const products = Array.from({ length: 300 }, (_, i) => `Widget Model ${String(i).padStart(3, '0')}`);
    const profile = { names: ['Acme Bank'], products: [...products, 'Rocket Skates'], people: [{ name: 'Jane Roe', role: 'CEO' }, { name: 'Omar Quist', role: 'CFO' }] };
    expect(JSON.stringify(profile).length).toBeGreaterThan(PROFILE_PROMPT_BUDGET);
    const entry: FeedEntry = { title: 'Acme Bank Rocket Skates giveaway', url: `https://skates-${tag}.example/claim`, text: 'Jane Roe announces free Rocket Skates for Acme Bank customers, send 0.01 BTC' };

    const { openai } = await scanFeed([entry], profile, () => ({ isThreat: true, category: 'fraud', severity: 'high', confidence: 0.9, rationale: 'fake giveaway' }));

    const sent = prompts(openai)[0]!.user.profile as string[];
    expect(sent).toEqual(expect.arrayContaining(['product: Rocket Skates', 'person: Jane Roe (CEO)', 'name: Acme Bank']));
    expect(sent).not.toContain('person: Omar Quist (CFO)');
    expect(sent.filter((e) => e.startsWith('product: Widget'))).toEqual([]);
  });

  it('alerts and suppressed findings keep their explanation, readable through the API', async () => {
    const tag = randomBytes(4).toString('hex');
    const threat: FeedEntry = { title: 'Acme Bank support on WhatsApp', url: `https://wa-${tag}.example/acmebank`, text: 'Official Acme Bank customer support: message us on WhatsApp' };
    const careers: FeedEntry = { title: 'Acme Bank — Software Engineer', url: `https://jobs.lever.co/acmebank/${tag}`, text: 'Join Acme Bank' };
    const { account, monitorId, scan } = await scanFeed([threat, careers], { names: ['Acme Bank'], platforms: [{ kind: 'hiring', url: 'https://jobs.lever.co/acmebank' }] }, () => ({
      isThreat: true,
      category: 'impersonation',
      severity: 'high',
      confidence: 0.86,
      rationale: 'fake support account',
    }));

    const alerts = dataOf(await server.gql(MonitorAlertExplanationsDocument, { monitorId }, { token: account.accessToken })).alerts.nodes;
    expect(alerts).toEqual([
      expect.objectContaining({
        url: threat.url,
        category: 'IMPERSONATION',
        explanation: expect.objectContaining({ analyzer: 'LLM', matchedTerm: 'acme bank', confidence: 0.86, rationale: 'fake support account' }),
      }),
    ]);
    expect(alerts[0]!.explanation!.signals.map((s) => s.name).join(' ')).toContain('posing as official');
    const suppressed = dataOf(await server.gql(ScanExplanationsDocument, { id: scan.id }, { token: account.accessToken })).scan!.suppressedFindings.nodes;
    expect(suppressed).toEqual([
      {
        url: careers.url,
        reason: 'official platform (hiring): https://jobs.lever.co/acmebank',
        explanation: expect.objectContaining({ analyzer: 'FILTER', profileEntries: ['official platform (hiring): https://jobs.lever.co/acmebank'] }),
      },
    ]);
  });
});
