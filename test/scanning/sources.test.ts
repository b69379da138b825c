import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, signUpAccount } from '../helpers/fixtures.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { sendJson, startStubServer, type StubServer } from '../helpers/stub-server.ts';
import { atomFeed, jsonFeed, monitorAlerts, rssFeed, runScan, startRouteServer, type FeedEntry } from '../helpers/stubs.ts';

let server: TestServer;
const stubs: StubServer[] = [];

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});
afterAll(async () => {
  await server?.stop();
});

async function stub<T extends StubServer>(started: Promise<T>): Promise<T> {
  const s = await started;
  stubs.push(s);
  return s;
}

const PHISHING: FeedEntry = {
  title: 'Acme account suspended',
  url: 'https://acme-login-verify.xyz/signin',
  text: 'Verify your Acme password now to unlock your account',
};
const CAREERS: FeedEntry = { title: 'Acme careers: join us', url: 'https://jobs.example.com/acme', text: 'Acme is hiring, login to apply' };
const UNRELATED: FeedEntry = { title: 'Weather tomorrow', url: 'https://weather.example/tomorrow', text: 'Sunny with a chance of rain' };

describe('Google Programmable Search', () => {
  function googleStub(options: { isPaged: boolean }) {
    return stub(
      startStubServer((request, response) => {
        const start = Number(request.url.searchParams.get('start'));
        sendJson(response, 200, {
          kind: 'customsearch#search',
          items: [
            { link: `https://acme-login-verify.xyz/signin?page=${start}`, title: 'Acme account suspended', snippet: 'Verify your Acme password now to unlock your account' },
            { link: `https://news.example.com/acme-results-${start}`, title: 'Acme reports quarterly results', snippet: 'In line with expectations' },
          ],
          queries: options.isPaged || start === 1 ? { nextPage: [{ startIndex: start + 10 }] } : {},
        });
      }),
    );
  }

  it('sends the key, the engine and a query built from terms and exclusions, and pages up to the cap', async () => {
    const google = await googleStub({ isPaged: true });
    const account = await signUpAccount(server, { plan: 'pro' });
    const monitorId = await createMonitor(server, account.accessToken, {
      terms: ['acme', 'acme corp'],
      excludeTerms: ['careers', 'acme jobs'],
      sources: ['GOOGLE'],
    });
    const config = testScanningConfig({ google: { apiKey: 'AIza-test-key', engineId: 'cse-123', baseUrl: `${google.url}/customsearch/v1`, maxPages: 3 } });

    const scan = await runScan(server, account.accessToken, monitorId, config);

    expect(google.requests.map((r) => r.url.pathname)).toEqual(['/customsearch/v1', '/customsearch/v1', '/customsearch/v1']);
    for (const request of google.requests) {
      expect(request.url.searchParams.get('key')).toBe('AIza-test-key');
      expect(request.url.searchParams.get('cx')).toBe('cse-123');
      expect(request.url.searchParams.get('q')).toBe('(acme OR "acme corp") -careers -"acme jobs"');
    }
    expect(google.requests.map((r) => r.url.searchParams.get('start'))).toEqual(['1', '11', '21']);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 6, alertsCreated: 3, findingsSuppressed: 3 });
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(alerts.map((a) => a.url).sort()).toEqual([1, 11, 21].map((start) => `https://acme-login-verify.xyz/signin?page=${start}`));
    expect(alerts.every((a) => a.source === 'GOOGLE' && a.category === 'PHISHING')).toBe(true);
  });

  it('stops paging when the API announces no next page', async () => {
    const google = await googleStub({ isPaged: false });
    const account = await signUpAccount(server, { plan: 'pro' });
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['GOOGLE'] });
    const config = testScanningConfig({ google: { apiKey: 'k', engineId: 'cx', baseUrl: `${google.url}/customsearch/v1`, maxPages: 5 } });

    const scan = await runScan(server, account.accessToken, monitorId, config);

    expect(google.requests.map((r) => r.url.searchParams.get('start'))).toEqual(['1', '11']);
    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 4 });
  });

  it('without an API key the scan fails saying what is missing', async () => {
    const account = await signUpAccount(server, { plan: 'pro' });
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['GOOGLE'] });
    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ google: { apiKey: undefined, engineId: undefined, baseUrl: 'http://127.0.0.1:9/', maxPages: 1 } }));
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('GOOGLE_API_KEY');
  });
});

describe('RSS, Atom and JSON Feed', () => {
  it.each([
    ['RSS 2.0', '/feed.rss', 'application/rss+xml', rssFeed],
    ['Atom', '/feed.atom', 'application/atom+xml', atomFeed],
    ['JSON Feed', '/feed.json', 'application/feed+json', jsonFeed],
  ])('%s: every entry becomes a finding; one that mentions no term and an excluded one are suppressed with their reasons', async (_format, path, contentType, render) => {
    const feeds = await stub(startRouteServer({ [path]: { contentType, body: render([PHISHING, UNRELATED, CAREERS]) } }));
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, {
      terms: ['acme'],
      excludeTerms: ['careers'],
      sources: ['RSS'],
      feedUrls: [`${feeds.url}${path}`],
    });

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig());

    expect(feeds.hits(path)).toBe(1);
    // Nothing is dropped at the source: the scan's own filters decide, and say why.
    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 3, alertsCreated: 1, findingsSuppressed: 2, error: null });
    expect(scan.suppressedFindings.nodes).toEqual(
      expect.arrayContaining([
        { url: CAREERS.url, title: CAREERS.title, source: 'RSS', reason: 'excluded term: "careers"' },
        { url: UNRELATED.url, title: UNRELATED.title, source: 'RSS', reason: 'mentions none of the monitored terms, profile names or look-alike domains' },
      ]),
    );
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(alerts).toMatchObject([{ url: PHISHING.url, title: PHISHING.title, source: 'RSS', category: 'PHISHING' }]);
  });

  it('an entry that names the brand only through a look-alike host reaches the judge and becomes an alert', async () => {
    // `аcme-login.com` with a Cyrillic а: its text never spells the term, its host imitates it.
    const lookAlike: FeedEntry = { title: 'Your account is suspended', url: 'https://xn--cme-login-zyh.com/verify', text: 'Sign in and confirm your password within 24 hours.' };
    const feeds = await stub(startRouteServer({ '/feed.rss': { body: rssFeed([lookAlike, UNRELATED]) } }));
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { terms: ['acme'], sources: ['RSS'], feedUrls: [`${feeds.url}/feed.rss`] });

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig());

    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 2, alertsCreated: 1, findingsSuppressed: 1 });
    expect(await monitorAlerts(server, account.accessToken, monitorId)).toMatchObject([{ url: lookAlike.url, source: 'RSS', category: 'PHISHING' }]);
  });

  it('reads several feeds of a monitor in one scan and counts a URL listed twice once', async () => {
    const fraud = { title: 'Acme crypto giveaway', url: 'https://giveaway-acme.click/claim', text: 'Send 0.1 BTC to receive free crypto from Acme' };
    const feeds = await stub(
      startRouteServer({
        '/a.rss': { body: rssFeed([PHISHING]) },
        '/b.atom': { contentType: 'application/atom+xml', body: atomFeed([fraud, { ...PHISHING, url: `${PHISHING.url}?utm_source=feed` }]) },
      }),
    );
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${feeds.url}/a.rss`, `${feeds.url}/b.atom`] });

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig());

    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 2, alertsCreated: 2 });
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    expect(Object.fromEntries(alerts.map((a) => [a.url, a.category]))).toEqual({ [PHISHING.url]: 'PHISHING', [fraud.url]: 'FRAUD' });
  });
});

describe('Hacker News (Algolia)', () => {
  it('searches by date once per term and links comments to their discussion', async () => {
    const hn = await stub(
      startStubServer((_request, response) =>
        sendJson(response, 200, {
          hits: [
            { objectID: '1001', title: 'Acme account suspended', url: PHISHING.url, story_text: 'Verify your Acme password now to unlock your account' },
            { objectID: '4242', story_title: 'Ask HN: is acme safe?', url: null, comment_text: '<p>Leaked <i>Acme</i> credentials: a database dump from a breach</p>' },
          ],
        }),
      ),
    );
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { terms: ['acme', 'acme cloud'], sources: ['HACKERNEWS'] });

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ hackerNewsBaseUrl: `${hn.url}/api/v1` }));

    expect(hn.requests.map((r) => [r.url.pathname, r.url.searchParams.get('query')])).toEqual([
      ['/api/v1/search_by_date', 'acme'],
      ['/api/v1/search_by_date', 'acme cloud'],
    ]);
    // Both terms returned the same two hits: two findings, not four.
    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 2, alertsCreated: 2 });
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    const comment = alerts.find((a) => a.url === 'https://news.ycombinator.com/item?id=4242');
    expect(comment).toMatchObject({ title: 'Ask HN: is acme safe?', category: 'DATA_LEAK', source: 'HACKERNEWS' });
    expect(alerts.find((a) => a.url === PHISHING.url)).toMatchObject({ category: 'PHISHING' });
  });
});

describe('certificate transparency (crt.sh)', () => {
  it('reports look-alike certificate names for a DOMAIN monitor, and nothing for unrelated or own names', async () => {
    const crtsh = await stub(
      startStubServer((_request, response) =>
        sendJson(response, 200, [
          { name_value: 'acme-login.example\n*.acme-login.example', issuer_name: "C=US, O=Let's Encrypt", not_before: '2026-01-02T00:00:00' },
          { name_value: 'acrne.example' },
          { name_value: 'unrelated.example\nglobex.example' },
          { name_value: 'acme.example\nwww.acme.example' },
        ]),
      ),
    );
    const account = await signUpAccount(server, { plan: 'pro' });
    const monitorId = await createMonitor(server, account.accessToken, { kind: 'DOMAIN', terms: ['acme.example'], sources: ['CERTSTREAM'] });

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ crtshBaseUrl: crtsh.url }));

    expect(crtsh.requests).toHaveLength(1);
    expect(crtsh.requests[0]!.url.searchParams.get('q')).toBe('%acme%');
    expect(crtsh.requests[0]!.url.searchParams.get('output')).toBe('json');
    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 2, alertsCreated: 2 });
    const alerts = await monitorAlerts(server, account.accessToken, monitorId);
    // A look-alike certificate is phishing when nothing shows another intent (its dominant use).
    expect(Object.fromEntries(alerts.map((a) => [a.url, a.category]))).toEqual({
      'https://acme-login.example/': 'PHISHING',
      'https://acrne.example/': 'PHISHING',
    });
    expect(alerts.every((a) => a.source === 'CERTSTREAM')).toBe(true);
  });

  it('a Cyrillic-letter look-alike, listed in punycode as logs carry it, is decoded and alerted on as phishing', async () => {
    const cyrillic = new URL('https://\u0430cme.example/').hostname; // аcme.example with U+0430
    expect(cyrillic).toMatch(/^xn--/);
    const crtsh = await stub(startStubServer((_request, response) => sendJson(response, 200, [{ name_value: cyrillic, issuer_name: 'C=US, O=Let\'s Encrypt, CN=R10' }])));
    const account = await signUpAccount(server, { plan: 'pro' });
    const monitorId = await createMonitor(server, account.accessToken, { kind: 'DOMAIN', terms: ['acme.example'], sources: ['CERTSTREAM'] });

    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ crtshBaseUrl: crtsh.url }));

    expect(scan).toMatchObject({ status: 'SUCCEEDED', findingsSeen: 1, alertsCreated: 1 });
    expect(await monitorAlerts(server, account.accessToken, monitorId)).toMatchObject([{ url: `https://${cyrillic}/`, category: 'PHISHING', severity: 'HIGH' }]);
  });
});
