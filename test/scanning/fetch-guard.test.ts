import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MonitorScansDocument } from '../generated/graphql.ts';
import { dataOf } from '../helpers/domain.ts';
import { createMonitor, signUpAccount } from '../helpers/fixtures.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { sendJson, startStubServer } from '../helpers/stub-server.ts';
import { creditsOf, monitorAlerts, rssFeed, runScan, startRouteServer, type Route } from '../helpers/stubs.ts';

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

const PHISHING = { title: 'Acme account suspended', url: 'https://acme-login-verify.xyz/signin', text: 'Verify your Acme password now to unlock your account' };

/** A monitor reading one feed served at `route`; returns what scanning it gave. */
async function scanFeed(route: Route, config = testScanningConfig(), extra: { sources?: ('RSS' | 'HACKERNEWS')[] } = {}) {
  const feeds = await startRouteServer({ '/feed': route });
  stubs.push(feeds);
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken, { sources: extra.sources ?? ['RSS'], feedUrls: [`${feeds.url}/feed`] });
  const scan = await runScan(server, account.accessToken, monitorId, config);
  return { scan, account, monitorId, feeds };
}

describe('feeds that cannot be read', () => {
  it('malformed XML fails the scan with a clear error and refunds its credit when it was the only source', async () => {
    const { scan, account } = await scanFeed({ body: '<rss version="2.0"><channel><item><title>Acme</title></chan' });

    expect(scan.status).toBe('FAILED');
    expect(scan.error).toMatch(/not a readable RSS, Atom or JSON feed/);
    const credits = await creditsOf(server, account.accessToken);
    expect(credits.balance).toBe(1000);
    expect(credits.ledger).toEqual([
      ['REFUND', 1, 1000],
      ['SCAN', -1, 999],
      ['GRANT', 1000, 1000],
    ]);
  });

  it('a feed cut off mid-document is an error, not a quiet scan that lost the entries after the cut', async () => {
    const whole = rssFeed([PHISHING, { ...PHISHING, url: 'https://acme-verify.top/login' }]);
    const { scan } = await scanFeed({ body: whole.slice(0, whole.indexOf('acme-verify.top') + 10) });

    expect(scan.status).toBe('FAILED');
    expect(scan.error).toMatch(/not a readable RSS, Atom or JSON feed: .*truncated/);
  });

  it('HTML where a feed was expected is refused', async () => {
    const { scan } = await scanFeed({ contentType: 'text/html', body: '<!doctype html><html><body><h1>Acme</h1></body></html>' });
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toMatch(/not a readable RSS, Atom or JSON feed/);
  });

  it('an HTTP error status names the status', async () => {
    const { scan } = await scanFeed({ status: 503, body: 'maintenance' });
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('HTTP 503');
  });

  it('a broken feed next to a working source is a warning: the scan succeeds with the other results', async () => {
    const hn = await startStubServer((_request, response) =>
      sendJson(response, 200, { hits: [{ objectID: '7', title: PHISHING.title, url: PHISHING.url, story_text: PHISHING.text }] }),
    );
    stubs.push(hn);
    const { scan, account, monitorId } = await scanFeed(
      { body: 'this is not a feed' },
      testScanningConfig({ hackerNewsBaseUrl: hn.url }),
      { sources: ['RSS', 'HACKERNEWS'] },
    );

    expect(scan).toMatchObject({ status: 'SUCCEEDED', alertsCreated: 1, creditsCharged: 1 });
    expect(scan.error).toMatch(/^rss: .*not a readable RSS, Atom or JSON feed/);
    const monitor = dataOf(await server.gql(MonitorScansDocument, { id: monitorId, first: 1 }, { token: account.accessToken })).monitor;
    expect(monitor?.lastError).toBe(scan.error);
    expect((await monitorAlerts(server, account.accessToken, monitorId)).map((a) => a.url)).toEqual([PHISHING.url]);
  });
});

describe('size and time limits', () => {
  it('a body larger than sourceMaxBytes (declared by Content-Length) is refused with a size error', async () => {
    const body = rssFeed([PHISHING]).padEnd(10_000, ' ');
    const { scan } = await scanFeed({ body, headers: { 'content-length': String(body.length) } }, testScanningConfig({ sourceMaxBytes: 2_048 }));
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('response of 10000 bytes exceeds the 2048-byte limit');
  });

  it('a streamed body that grows past sourceMaxBytes is cut off with a size error', async () => {
    const stub = await startStubServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/rss+xml' }); // chunked: no length announced
      for (let i = 0; i < 20; i += 1) response.write(`<!-- ${'x'.repeat(500)} -->\n`);
      response.end(rssFeed([PHISHING]));
    });
    stubs.push(stub);
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${stub.url}/feed`] });
    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ sourceMaxBytes: 2_048 }));
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('response exceeds the 2048-byte limit');
  });

  it('a response slower than sourceTimeoutMs times out', async () => {
    const { scan } = await scanFeed({ body: rssFeed([PHISHING]), delayMs: 3_000 }, testScanningConfig({ sourceTimeoutMs: 300 }));
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('timed out after 300 ms');
    // The scan gave up instead of waiting the three seconds out.
    expect(Date.parse(scan.finishedAt!) - Date.parse(scan.startedAt!)).toBeLessThan(2_000);
  });

  it('a body that starts but never finishes times out too', async () => {
    const stub = await startStubServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.write('<?xml version="1.0"?><rss version="2.0"><channel>');
    });
    stubs.push(stub);
    const account = await signUpAccount(server);
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [`${stub.url}/feed`] });
    const scan = await runScan(server, account.accessToken, monitorId, testScanningConfig({ sourceTimeoutMs: 300 }));
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('timed out after 300 ms');
  });
});

describe('private addresses', () => {
  /** A plain server on ::1 standing in for an internal service; counts what reaches it. */
  async function startIpv6Listener(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
    let hits = 0;
    const internal = http.createServer((_req, res) => {
      hits += 1;
      res.end(rssFeed([PHISHING]));
    });
    await new Promise<void>((resolve) => internal.listen(0, '::1', resolve));
    const handle = {
      url: `http://[::1]:${(internal.address() as AddressInfo).port}/`,
      hits: () => hits,
      close: () => new Promise<void>((resolve) => internal.close(() => resolve())),
    };
    stubs.push(handle);
    return handle;
  }

  const onlyStubHost = testScanningConfig({ allowedPrivateRanges: ['127.0.0.1/32'] });

  it('a redirect to the cloud metadata address is refused', async () => {
    const { scan } = await scanFeed({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }, onlyStubHost);
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('refusing to connect to non-public address 169.254.169.254');
  });

  it('a redirect to IPv6 loopback is refused, and the internal service never sees a request', async () => {
    const internal = await startIpv6Listener();
    const { scan } = await scanFeed({ status: 301, headers: { location: internal.url } }, onlyStubHost);
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('non-public address ::1');
    expect(internal.hits()).toBe(0);
  });

  it('with no private range allowed, even a feed on 127.0.0.1 is refused before connecting', async () => {
    const { scan, feeds } = await scanFeed({ body: rssFeed([PHISHING]) }, testScanningConfig({ allowedPrivateRanges: [] }));
    expect(scan.status).toBe('FAILED');
    expect(scan.error).toContain('non-public address 127.0.0.1');
    expect(feeds.requests).toHaveLength(0);
  });

  it('a host name that resolves to loopback is refused too, even right after the same host was allowed', async () => {
    const feeds = await startRouteServer({ '/feed': { body: rssFeed([PHISHING]) } });
    stubs.push(feeds);
    const account = await signUpAccount(server);
    const byName = `${feeds.url.replace('127.0.0.1', 'localhost')}/feed`;
    const monitorId = await createMonitor(server, account.accessToken, { sources: ['RSS'], feedUrls: [byName] });

    const allowed = await runScan(server, account.accessToken, monitorId, testScanningConfig({ allowedPrivateRanges: ['127.0.0.0/8', '::1/128'] }));
    expect(allowed.status).toBe('SUCCEEDED');
    // A pooled keep-alive connection from the allowed scan must not let the next one skip the check.
    const refused = await runScan(server, account.accessToken, monitorId, testScanningConfig({ allowedPrivateRanges: [] }));
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toMatch(/refusing to connect to non-public address (127\.0\.0\.1|::1)/);
    expect(feeds.hits('/feed')).toBe(1);
  });
});
