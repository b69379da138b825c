import { afterAll, beforeAll, expect, it } from 'vitest';
import { ScanMonitorNowDocument } from '../generated/graphql.ts';
import { assertNoPageErrors, blockedRequests, describeBrowser, useBrowser, type Page } from '../helpers/browser.ts';
import { createTestApiKey } from '../helpers/accounts.ts';
import { createMonitor, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';

let server: TestServer;
let account: TestAccount;
let apiKey: string;
let worker: WorkerHandle;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
  apiKey = (await createTestApiKey(server, account.accessToken, { role: 'ANALYST' })).secret;
  worker = await startTestWorker(server);
});
afterAll(async () => {
  await worker?.stop();
  await server?.stop();
});

/** Opens GraphiQL on `query` (GraphiQL reads `?query=`), with `headers` typed into its Headers tab. */
async function openGraphiQL(page: Page, query: string, headers: Record<string, string>): Promise<void> {
  await page.goto(`${server.url}/graphql?query=${encodeURIComponent(query)}`);
  await page.getByRole('button', { name: 'Headers' }).click();
  const editor = page.locator('.graphiql-editor-tool .monaco-editor').last();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(JSON.stringify(headers));
}

async function run(page: Page): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
}

/** What the response pane shows, spaces normalized (Monaco wraps lines and renders spaces as nbsp). */
const response = async (page: Page) => (await page.locator('.graphiql-response').innerText()).replace(/\s+/g, ' ');

describeBrowser('GraphiQL in Chromium', () => {
  const browser = useBrowser();

  it('renders and runs a query with every non-loopback request aborted', async () => {
    const page = await browser.newPage();
    await openGraphiQL(page, '{ viewer { organization { name } } }', { Authorization: `Bearer ${apiKey}` });
    await run(page);
    await expect.poll(() => response(page), { timeout: 15_000 }).toContain(`Org of ${account.email}`);
    // Nothing reached for the internet at all: GraphiQL's code, styles and workers come from Vigil.
    expect(blockedRequests(page)).toEqual([]);
  }, 60_000);

  it('opens on the Vigil tab: example operations and the Authorization note', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/graphql`);
    const editor = async () => (await page.locator('.graphiql-query-editor').innerText()).replace(/\s+/g, ' ');
    await expect.poll(editor, { timeout: 15_000 }).toContain('"Authorization": "Bearer');
    expect(await editor()).toContain('query Viewer');
    expect(await editor()).toContain('query OpenSevereAlerts');
  }, 60_000);

  it('delivers an alert raised by scanMonitorNow to a subscription keyed in the Headers tab', async () => {
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Browser watch' });
    const page = await browser.newPage();
    await openGraphiQL(page, 'subscription { alertCreated { alert { title monitor { name } } } }', { Authorization: `Bearer ${apiKey}` });
    await run(page);
    await server.waitForSubscribers(1);
    const scan = await server.gql(ScanMonitorNowDocument, { id: monitorId }, { token: account.accessToken });
    expect(scan.data?.scanMonitorNow.__typename).toBe('ScanMonitorNowPayload');
    await expect.poll(() => response(page), { timeout: 20_000 }).toContain('Browser watch');
    await run(page); // stops the subscription
  }, 60_000);

  it('shows an error, not an endless reconnect, when the key is wrong', async () => {
    const page = await browser.newPage();
    await openGraphiQL(page, 'subscription { alertCreated { alert { title } } }', { Authorization: 'Bearer vgl_notarealkey_0000000000' });
    const attempts: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/graphql' && request.method() === 'POST') attempts.push(request.url());
    });
    await run(page);
    await expect.poll(() => response(page), { timeout: 15_000 }).toMatch(/"message": "The (API key|access token) is (not valid|invalid[^"]*)", "extensions": \{ "code": "UNAUTHENTICATED" \}/);
    // One refused attempt, then nothing: no silent retry loop behind a spinner.
    const refused = attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(attempts.length).toBe(refused);
    // Chromium reports the refused request itself; that one is expected.
    assertNoPageErrors(page, { allow: [/status of 401/] });
    expect(server.liveSubscribers()).toBe(0);
  }, 60_000);
});
