import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findings, suppressionRules } from '../../src/db/schema/index.ts';
import type { SuppressionRuleKind } from '../../src/db/schema/enums.ts';
import { suppressionReason } from '../../src/services/suppression-rules.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { sendJson, startStubServer } from '../helpers/stub-server.ts';
import { chatCompletion, monitorAlerts, parseChatCall, rssFeed, runScan, startOpenAiStub, startRouteServer, verdictsFor, type FeedEntry } from '../helpers/stubs.ts';

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
const LOOKALIKE: FeedEntry = { title: 'Acme account suspended', url: `https://login.acme-verify.xyz/signin/${tag}`, text: 'Verify your Acme password now to unlock your account' };
const WALLET: FeedEntry = { title: 'Update your Acme payment details', url: `https://secure-acme.top/wallet/${tag}`, text: 'Urgent: confirm your Acme credit card and password' };

async function monitorOn(account: TestAccount, entries: FeedEntry[], name: string) {
  const feeds = await startRouteServer({ '/feed': { body: rssFeed(entries) } });
  stubs.push(feeds);
  return createMonitor(server, account.accessToken, { name, terms: ['acme'], sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
}

async function addRule(account: TestAccount, monitorId: string, kind: SuppressionRuleKind, pattern: string) {
  const [rule] = await server.database.db
    .insert(suppressionRules)
    .values({ organizationId: account.organizationId, monitorId: rawId(monitorId), kind, pattern })
    .returning();
  return rule!;
}

describe('suppression rules during scans', () => {
  it('a finding matching a rule of its monitor is kept as suppressed, with the rule as its reason, and never judged or alerted on', async () => {
    const account = await signUpAccount(server);
    const monitorId = await monitorOn(account, [LOOKALIKE, WALLET], 'Acme brand');
    const otherMonitorId = await monitorOn(account, [], 'Acme shop');
    const rule = await addRule(account, monitorId, 'domain', 'acme-verify.xyz');
    // Another monitor's rule for the wallet page changes nothing for this one.
    await addRule(account, otherMonitorId, 'url_pattern', 'https://secure-acme.top/*');
    const openai = await startOpenAiStub((call) => ({
      verdicts: verdictsFor(call, () => ({ isThreat: true, category: 'phishing', severity: 'high', confidence: 0.9, rationale: 'Credential phishing' })),
    }));
    stubs.push(openai);
    const base = testScanningConfig();

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ openai: { ...base.openai, apiKey: 'sk-server-0123456789abcdef', baseUrl: openai.baseUrl } }));

    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsNew: 2, findingsSuppressed: 1, alertsCreated: 1 });
    expect(scan.suppressedFindings.nodes).toEqual([{ url: LOOKALIKE.url, title: LOOKALIKE.title, source: 'RSS', reason: suppressionReason(rule) }]);
    expect(scan.suppressedFindings.nodes[0]!.reason).toContain('domain acme-verify.xyz');
    // No tokens were spent on it: the LLM only ever saw the other finding.
    expect(openai.calls().flatMap((c) => c.findings.map((f) => f.url))).toEqual([WALLET.url]);
    expect((await monitorAlerts(server, account.accessToken, monitorId)).map((a) => a.url)).toEqual([WALLET.url]);
    const [stored] = await server.database.db.select().from(findings).where(and(eq(findings.monitorId, rawId(monitorId)), eq(findings.url, LOOKALIKE.url)));
    expect(stored).toMatchObject({ status: 'suppressed', suppressionRuleId: rule.id });
  });

  it('a rule deleted while the scan is judging still gives its findings their reason, and the scan succeeds', async () => {
    const account = await signUpAccount(server);
    const monitorId = await monitorOn(account, [LOOKALIKE, WALLET], 'Acme brand');
    const rule = await addRule(account, monitorId, 'domain', 'acme-verify.xyz');
    let deleted = false;
    // The LLM answers only once the rule is gone: the scan loaded it before, and records after.
    const openai = await startStubServer(async (request, response) => {
      const call = parseChatCall(request);
      if (!deleted) {
        await server.database.db.delete(suppressionRules).where(eq(suppressionRules.id, rule.id));
        deleted = true;
      }
      const verdicts = verdictsFor(call, () => ({ isThreat: true, category: 'phishing', severity: 'high', confidence: 0.9, rationale: 'Credential phishing' }));
      sendJson(response, 200, chatCompletion(call.model, JSON.stringify({ results: verdicts })));
    });
    stubs.push(openai);
    const base = testScanningConfig();

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ openai: { ...base.openai, apiKey: 'sk-server-0123456789abcdef', baseUrl: `${openai.url}/v1` } }));

    expect(deleted).toBe(true);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSuppressed: 1, alertsCreated: 1 });
    expect(scan.suppressedFindings.nodes.map((f) => [f.url, f.reason])).toEqual([[LOOKALIKE.url, suppressionReason(rule)]]);
    const [stored] = await server.database.db.select().from(findings).where(and(eq(findings.monitorId, rawId(monitorId)), eq(findings.url, LOOKALIKE.url)));
    expect(stored).toMatchObject({ status: 'suppressed', suppressionRuleId: null });
  });

  it('a URL pattern rule drops what it matches and nothing else', async () => {
    const account = await signUpAccount(server);
    const monitorId = await monitorOn(account, [LOOKALIKE, WALLET], 'Acme brand');
    const rule = await addRule(account, monitorId, 'url_pattern', 'https://secure-acme.top/wallet/*');

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig());

    expect(scan).toMatchObject({ findingsNew: 2, findingsSuppressed: 1, alertsCreated: 1 });
    expect(scan.suppressedFindings.nodes.map((f) => [f.url, f.reason])).toEqual([[WALLET.url, suppressionReason(rule)]]);
    expect((await monitorAlerts(server, account.accessToken, monitorId)).map((a) => a.url)).toEqual([LOOKALIKE.url]);
  });
});
