/**
 * How Vigil's HTTP server serves the built console, and that a changed console source is rebuilt and
 * served after a restart — the path `npm start` takes (scripts/build-console.ts, then the server).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenSigner } from '../../src/auth/tokens.ts';
import { connectDatabase } from '../../src/db/client.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { CONSOLE_ROOT, ensureConsoleBuilt } from '../../scripts/console-build.ts';
import { describeBrowser, useBrowser, type TestBrowser } from '../helpers/browser.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { TEST_JWT_SECRET } from '../helpers/server.ts';

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

/** Vigil's API serving the console built into `consoleDir`; stop it with `app.stop()`. */
async function startVigil(consoleDir?: string): Promise<{ app: App; url: string }> {
  const signer = createTokenSigner(TEST_JWT_SECRET, 900);
  const app = buildApp({
    database: connectDatabase(testDb.url, { max: 2 }),
    signer,
    auth: { signer, refreshTokenTtlDays: 30 },
    logger: createLogger('silent'),
    port: 0,
    host: '127.0.0.1',
    consoleDir,
  });
  return { app, url: await app.start() };
}

describe('serving the console', () => {
  let app: App;
  let url: string;
  beforeAll(async () => {
      ({ app, url } = await startVigil());
  });
  afterAll(() => app?.stop());

  it('serves index.html at / and at the console routes, revalidated on every load', async () => {
    for (const route of ['/', '/alerts', '/alerts/QWxlcnQ6MQ', '/monitors', '/stats', '/sign-in']) {
      const response = await fetch(`${url}${route}`);
      expect(response.status, route).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<div id="root"></div>');
    }
  });

  it('serves hashed assets with their content type, cached for good; a missing asset is a 404', async () => {
    const html = await (await fetch(`${url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    for (const [asset, type] of [
      [script!, 'text/javascript; charset=utf-8'],
      [style!, 'text/css; charset=utf-8'],
    ] as const) {
      const response = await fetch(`${url}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      await response.arrayBuffer();
    }
    expect((await fetch(`${url}/assets/nothing-here.js`)).status).toBe(404);
    expect((await fetch(`${url}/assets/..%2f..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${url}/assets/%E0%A4%A`)).status).toBe(404);
  });

  it('leaves /graphql, /health and /metrics to the API, and paths outside the console alone', async () => {
    const graphql = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await graphql.json()).toEqual({ data: { __typename: 'Query' } });
    const graphiql = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).toContain('GraphiQL');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('# HELP');
    expect((await fetch(`${url}/not-a-console-route`)).status).toBe(404);
  });

  it('without a build, / still leads to GraphiQL', async () => {
    const bare = await startVigil(path.join(CONSOLE_ROOT, 'no-build-here'));
    try {
      const response = await fetch(`${bare.url}/`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/graphql');
    } finally {
      await bare.app.stop();
    }
  });
});

describeBrowser('a changed console source', () => {
  const browser = useBrowser();
  // A copy of the console inside the checkout (so its imports resolve to node_modules), git-ignored.
  const copy = path.resolve(import.meta.dirname, `../../.vigil/console-rebuild-${process.pid}`);
  beforeAll(() => {
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(CONSOLE_ROOT, copy, { recursive: true, filter: (source) => !/[/\\](dist|generated)$/.test(source) });
  });
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  async function headingAfterRestart(testBrowser: TestBrowser): Promise<{ heading: string; script: string }> {
    // What `npm start` does: build if stale, then serve.
    const { app, url } = await startVigil(path.join(copy, 'dist'));
    try {
      const page = await testBrowser.newPage();
      await page.goto(`${url}/sign-in`);
      const heading = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
      const script = (await page.locator('script[type=module]').getAttribute('src')) ?? '';
      return { heading, script };
    } finally {
      await app.stop();
    }
  }

  it('is rebuilt on the next start and the new bundle is served; an unchanged one is not rebuilt', async () => {
    expect(await ensureConsoleBuilt({ root: copy, log: () => {} })).toBe('built');
    const before = await headingAfterRestart(browser);
    expect(before.heading).toBe('Sign in to Vigil');
    expect(await ensureConsoleBuilt({ root: copy, log: () => {} })).toBe('up to date');

    const signIn = path.join(copy, 'ui/SignIn.tsx');
    fs.writeFileSync(signIn, fs.readFileSync(signIn, 'utf8').replace("'Sign in to Vigil'", "'Sign in to Vigil, rebuilt'"));
    expect(await ensureConsoleBuilt({ root: copy, log: () => {} })).toBe('built');
    const after = await headingAfterRestart(browser);
    expect(after.heading).toBe('Sign in to Vigil, rebuilt');
    expect(after.script).not.toBe(before.script);
  });
});
