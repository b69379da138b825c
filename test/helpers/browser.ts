/**
 * A real Chromium for browser tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH) driven by
 * playwright-core, headless, with no network beyond this machine.
 *
 *   describeBrowser('GraphiQL', () => {
 *     const browser = useBrowser();            // launched once per file, closed after it
 *     it('runs a query', async () => {
 *       const page = await browser.newPage();  // errors on it fail the test (checked after each test)
 *       await page.goto(`${server.url}/graphql`);
 *     });
 *   });
 *
 * Every page:
 * - aborts any request whose host is not loopback (127.0.0.1, ::1, localhost), and lists it in
 *   `blockedRequests(page)`: what works here works offline;
 * - records uncaught exceptions (`pageerror`) and `console.error` calls; `assertNoPageErrors(page)`
 *   throws with them, and `useBrowser()` calls it after each test for every page the test opened.
 *   Chromium logs a refused request ("Failed to load resource: … 401") as a console error too: pass
 *   `allow` patterns for the ones a test provokes on purpose.
 *
 * Without Chromium, `describeBrowser` skips the suite and says why in its name.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';

export type { Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export const browserSkipReason: string | undefined = fs.existsSync(CHROMIUM_PATH)
  ? undefined
  : `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

export interface TestBrowser {
  browser: Browser;
  /** A page in a fresh context (own storage), loopback-only, with its errors recorded. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

interface PageRecord {
  errors: string[];
  blocked: string[];
}

const records = new WeakMap<Page, PageRecord>();
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function launchBrowser(): Promise<TestBrowser> {
  if (browserSkipReason) throw new Error(browserSkipReason);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Chromium's sandbox refuses to start as root, which CI containers are.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  return {
    browser,
    async newPage() {
      const context = await browser.newContext();
      const record: PageRecord = { errors: [], blocked: [] };
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        const isLocal = url.protocol === 'data:' || url.protocol === 'blob:' || LOOPBACK_HOSTS.has(url.hostname);
        if (isLocal) return route.continue();
        record.blocked.push(url.href);
        return route.abort('internetdisconnected');
      });
      const page = await context.newPage();
      page.on('pageerror', (error) => record.errors.push(`pageerror: ${error.stack ?? error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') record.errors.push(`console.error: ${message.text()}`);
      });
      records.set(page, record);
      return page;
    },
    close: () => browser.close(),
  };
}

/** Throws with every page error and console.error the page has shown, except those `allow` matches. */
export function assertNoPageErrors(page: Page, options: { allow?: RegExp[] } = {}): void {
  const record = records.get(page);
  if (!record) throw new Error('assertNoPageErrors: the page was not opened by launchBrowser().newPage()');
  const unexpected = record.errors.filter((error) => !options.allow?.some((pattern) => pattern.test(error)));
  // Reported once: the check after each test must not repeat what a test already asserted.
  record.errors.length = 0;
  if (unexpected.length > 0) throw new Error(`The page reported ${unexpected.length} error(s):\n${unexpected.join('\n')}`);
}

/** Non-loopback requests the page tried to make (all of them aborted). */
export function blockedRequests(page: Page): string[] {
  return [...(records.get(page)?.blocked ?? [])];
}

/**
 * Launches Chromium before the enclosing suite and closes it after; after each test, checks every
 * page that test opened for errors. Call inside `describeBrowser`.
 */
export function useBrowser(): TestBrowser {
  let launched: TestBrowser | undefined;
  const pagesOfTest: Page[] = [];
  beforeAll(async () => {
    launched = await launchBrowser();
  });
  afterEach(async () => {
    const pages = pagesOfTest.splice(0);
    try {
      for (const page of pages) assertNoPageErrors(page);
    } finally {
      for (const page of pages) await page.context().close();
    }
  });
  afterAll(async () => {
    await launched?.close();
  });
  return {
    get browser() {
      if (!launched) throw new Error('useBrowser(): the browser is not launched yet (use it inside a test)');
      return launched.browser;
    },
    async newPage() {
      if (!launched) throw new Error('useBrowser(): the browser is not launched yet (use it inside a test)');
      const page = await launched.newPage();
      pagesOfTest.push(page);
      return page;
    },
    close: async () => launched?.close(),
  };
}

/** `describe`, or a skipped suite whose name gives the reason when Chromium is missing. */
export function describeBrowser(name: string, suite: () => void): void {
  if (browserSkipReason) describe.skip(`${name} — skipped: ${browserSkipReason}`, suite);
  else describe(name, suite);
}
