/**
 * The browser console against a real Vigil (API + worker on a test database, demo workspace seeded),
 * driven in Debian's Chromium through playwright-core.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { WebSocketRoute } from 'playwright-core';
import { ConsoleAlertsDocument, ConsoleLogInDocument, ConsoleMonitorsDocument, ConsoleRefreshSessionDocument } from '../../src/console/generated/graphql.ts';
import { DEMO_EMAIL, seedDemoWorkspace } from '../../src/services/demo.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { inviteAndAccept } from '../helpers/accounts.ts';
import { assertNoPageErrors, blockedRequests, describeBrowser, useBrowser, type Page, type TestBrowser } from '../helpers/browser.ts';
import { createMonitor, globalId, PASSWORD, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts } from '../helpers/live.ts';
import { startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const TOP_UP_TITLE = 'Acme support impersonation';
const SCREENSHOT = path.resolve(import.meta.dirname, '../../src/console/screenshot.png');

let server: TestServer;
let worker: WorkerHandle;
let demo: { organizationId: string; password: string; apiKey: string };
let other: TestAccount;
/** Pages opened by the test, whose non-loopback requests are checked after it. */
const opened: Page[] = [];
/** Errors of extra tabs (the shared helper checks the pages it opens itself). */
const problems: string[] = [];

afterEach(() => {
  expect(opened.splice(0).flatMap((page) => blockedRequests(page)), 'requests beyond loopback').toEqual([]);
  expect(problems.splice(0), 'page errors or console.error in extra tabs').toEqual([]);
});

async function demoAlerts() {
  const result = await server.gql(ConsoleAlertsDocument, { first: 100 }, { token: demo.apiKey });
  return result.data!.alerts.nodes;
}

async function waitFor<T>(read: () => Promise<T>, isDone: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value).slice(0, 1_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A page in a context of its own (its own sign-in), loopback-only, errors checked after the test. */
async function openPage(browser: TestBrowser, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  opened.push(page);
  return page;
}

/** Another tab of the same context (same storage, same sign-in), its errors recorded here. */
async function openTab(page: Page): Promise<Page> {
  const tab = await page.context().newPage();
  tab.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  tab.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  return tab;
}

async function signIn(page: Page, email: string, password: string, url = server.url): Promise<void> {
  await page.goto(`${url}/alerts`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Alerts', exact: true }).waitFor();
  await page.getByRole('status', { name: 'Live updates: Live' }).waitFor();
}

const rows = (page: Page) => page.locator('li.alert-row');

/** Waits until the page lists exactly `count` alerts (playwright-core has no auto-retrying expect). */
async function expectRowCount(page: Page, count: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = await rows(page).count();
  while (seen !== count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await rows(page).count();
  }
  expect(seen).toBe(count);
}
/** An alert's row, by its global ID (demo titles repeat). */
const row = (page: Page, alertId: string) => page.locator(`li.alert-row[data-alert-id="${alertId}"]`);

describeBrowser('the triage console', () => {
  const browser = useBrowser();

  beforeAll(async () => {
    server = await startTestServer({ scanNowCooldownSeconds: 0 });
    const seeded = await seedDemoWorkspace(server.database.db);
    demo = { organizationId: seeded.organizationId, password: seeded.password!, apiKey: seeded.apiKey! };
    other = await signUpAccount(server);
    worker = await startTestWorker(server);
    // As at a first start: the demo monitors are due, so the worker scans them and raises the demo alerts.
    await worker.runner.addJob('monitors__enqueue_due', {});
    // Wait for every demo scan to end rather than for a number of alerts: demo findings are random,
    // so a first start may raise only a few, and on a loaded machine the scans take a while.
    const demoMonitors = async () => (await server.gql(ConsoleMonitorsDocument, { first: 10 }, { token: demo.apiKey })).data!.monitors.nodes;
    const scanned = await waitFor(demoMonitors, (monitors) => monitors.every((monitor) => monitor.lastScanAt !== null), 'the demo scans', 90_000);
    const raised = await demoAlerts();
    // The tests triage a NEW alert each, ten in all; top up if the demo scans raised fewer.
    const monitorId = scanned[0]!.id;
    const missing = Array.from({ length: Math.max(0, 10 - raised.length) }, (_, i) => ({ title: `${TOP_UP_TITLE} ${i + 1}` }));
    await createAlerts(server.database, demo.organizationId, monitorId, missing);
  });

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
  });

  it('signs in, lists the demo alerts, and shows a new alert within 2 s of a scan, without reload', async () => {
    const page = await openPage(browser);
    await signIn(page, DEMO_EMAIL, demo.password);
    const before = await demoAlerts();
    await expectRowCount(page, Math.min(before.length, 25));
    for (const alert of before.slice(0, 25)) await expect(row(page, alert.id).count()).resolves.toBe(1);
    await page.evaluate(() => ((window as unknown as { isSamePage: boolean }).isSamePage = true));

    // "Scan now" from the Monitors view in a second tab, which follows the scan live. Half of a demo
    // scan's findings are new and not every one is a threat, so a scan may raise nothing: then the
    // next of the demo monitors is scanned.
    const monitorsTab = await openTab(page);
    await monitorsTab.goto(`${server.url}/monitors`);
    let finishedAt = 0;
    for (const name of ['Acme brand', 'Acme Rocket Skates', 'acme.example look-alikes', 'Acme brand', 'Acme Rocket Skates']) {
      const progress = monitorsTab.locator('li', { has: monitorsTab.getByRole('heading', { name, exact: true }) }).locator('.progress');
      await monitorsTab.getByRole('button', { name: `Scan ${name} now` }).click();
      // The previous scan's result may still be shown until this one is under way.
      await progress.filter({ hasText: /^(Queued|Running|Fetching|Analyzing)/ }).waitFor({ timeout: 5_000 }).catch(() => {});
      await progress.filter({ hasText: /^Scan finished: \d+ new findings, \d+ new alerts\.$/ }).waitFor({ timeout: 20_000 });
      finishedAt = Date.now();
      const raised = Number(/(\d+) new alerts/.exec((await progress.textContent()) ?? '')?.[1]);
      if (raised > 0) break;
    }

    const known = new Set(before.map((alert) => alert.id));
    const fresh = (await demoAlerts()).filter((alert) => !known.has(alert.id));
    expect(fresh.length).toBeGreaterThan(0);
    for (const alert of fresh) await row(page, alert.id).waitFor({ timeout: Math.max(1, 2_000 - (Date.now() - finishedAt)) });
    expect(Date.now() - finishedAt).toBeLessThan(2_000);
    await expect(page.evaluate(() => (window as unknown as { isSamePage?: boolean }).isSamePage)).resolves.toBe(true);

    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: SCREENSHOT });
  });

  it('acknowledging changes the status here and in a second session of the organization; another organization sees none of it', async () => {
    const analyst = await openPage(browser);
    const colleague = await openPage(browser);
    const outsider = await openPage(browser);
    await signIn(analyst, DEMO_EMAIL, demo.password);
    await signIn(colleague, DEMO_EMAIL, demo.password);
    await signIn(outsider, other.email, PASSWORD);
    const target = (await demoAlerts()).find((alert) => alert.status === 'NEW')!;

    await row(analyst, target.id).getByRole('button', { name: `Acknowledge ${target.title}` }).click();
    await row(analyst, target.id).locator('.status', { hasText: 'Acknowledged' }).waitFor({ timeout: 5_000 });
    await row(colleague, target.id).locator('.status', { hasText: 'Acknowledged' }).waitFor({ timeout: 5_000 });

    await outsider.getByText('No alerts match.').waitFor();
    await expect(rows(outsider).count()).resolves.toBe(0);
    await outsider.goto(`${server.url}/alerts/${encodeURIComponent(target.id)}`);
    await outsider.getByText('No such alert in this organization.').waitFor();
  });

  it('at 390×844 an alert is triaged, and with the keyboard alone an alert is acknowledged', async () => {
    const page = await openPage(browser, { width: 390, height: 844 });
    await signIn(page, DEMO_EMAIL, demo.password);
    const [toResolve, toAcknowledge] = (await demoAlerts()).filter((alert) => alert.status === 'NEW');

    // Nothing wider than the screen.
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await row(page, toResolve!.id).getByRole('link').click();
    await page.getByRole('heading', { name: toResolve!.title }).waitFor();
    await page.getByLabel('Note with the change').fill('Taken down by the registrar');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('.detail .status', { hasText: 'Resolved' }).waitFor();
    await page.getByText(/Resolved by Demo Analyst: Taken down by the registrar/).waitFor();
    await page.getByLabel('New note').fill('Registrar ticket 4711');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('li', { hasText: 'Registrar ticket 4711' }).getByText(/^Demo Analyst, /).waitFor();
    await page.getByRole('link', { name: '← Alerts' }).click();
    await row(page, toResolve!.id).locator('.status', { hasText: 'Resolved' }).waitFor();

    // Keyboard only: Tab until the alert's Acknowledge button has focus, then Enter.
    const wanted = `Acknowledge ${toAcknowledge!.title}`;
    let focused = '';
    for (let presses = 0; presses < 200 && focused !== wanted; presses += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    }
    expect(focused).toBe(wanted);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await row(page, toAcknowledge!.id).locator('.status', { hasText: 'Acknowledged' }).waitFor({ timeout: 5_000 });
    const stored = (await demoAlerts()).find((alert) => alert.id === toAcknowledge!.id);
    expect(stored?.status).toBe('ACKNOWLEDGED');
  });

  it('an alert detail shows why it was raised, snoozes (seen live by a colleague) or marks false positive', async () => {
    const page = await openPage(browser);
    await signIn(page, DEMO_EMAIL, demo.password);
    // Alerts a scan raised carry the verdict's explanation; the top-up ones do not.
    const open = (await demoAlerts()).filter((alert) => alert.status === 'NEW');
    const toSnooze = open.find((alert) => !alert.title.startsWith(TOP_UP_TITLE));
    const toDismiss = open.find((alert) => alert !== toSnooze);
    expect(toSnooze && toDismiss).toBeTruthy();
    await row(page, toSnooze!.id).getByRole('link').click();
    await page.getByRole('heading', { name: 'Why Vigil raised it' }).waitFor();
    await page.getByRole('heading', { name: 'Evidence' }).waitFor();
    // A colleague has the same alert open.
    const colleague = await openPage(browser);
    await signIn(colleague, DEMO_EMAIL, demo.password);
    await colleague.goto(`${server.url}/alerts/${encodeURIComponent(toSnooze!.id)}`);
    await colleague.getByRole('heading', { name: 'History' }).waitFor();
    await colleague.getByRole('status', { name: 'Live updates: Live' }).waitFor();
    await page.getByLabel('Snooze for').selectOption({ label: '7 days' });
    await page.getByRole('button', { name: 'Snooze' }).click();
    await page.locator('.detail .meta', { hasText: /Snoozed until/ }).waitFor();
    await colleague.locator('.detail .meta', { hasText: /Snoozed until/ }).waitFor({ timeout: 5_000 });
    await page.getByRole('link', { name: '← Alerts' }).click();
    await row(page, toDismiss!.id).getByRole('link').click();
    await page.getByRole('button', { name: 'False positive' }).click();
    await page.locator('.detail .status', { hasText: 'False positive' }).waitFor();
    const stored = new Map((await demoAlerts()).map((alert) => [alert.id, alert]));
    expect(stored.get(toSnooze!.id)?.status).toBe('SNOOZED');
    const snoozedFor = new Date(stored.get(toSnooze!.id)!.snoozedUntil!).getTime() - Date.now();
    expect(snoozedFor).toBeGreaterThan(6.9 * 86_400_000);
    expect(stored.get(toDismiss!.id)?.status).toBe('FALSE_POSITIVE');
  });

  it('alerts committed while the connection is cut appear once each after it reconnects', async () => {
    const page = await openPage(browser);
    let isCut = false;
    const sockets = new Set<WebSocketRoute>();
    // Between the page and Vigil: while cut, open sockets are closed and new ones refused.
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      if (isCut) return socket.close({ code: 1001, reason: 'cut' });
      socket.connectToServer();
      sockets.add(socket);
    });
    await signIn(page, DEMO_EMAIL, demo.password);
    const [monitorId] = (await server.gql(ConsoleMonitorsDocument, { first: 1 }, { token: demo.apiKey })).data!.monitors.nodes.map((m) => m.id);
    await server.waitForSubscribers(2);
    const [seenBefore] = await createAlerts(server.database, demo.organizationId, monitorId!, [{ title: 'Seen before the cut' }]);
    await row(page, seenBefore!).waitFor({ timeout: 5_000 });

    isCut = true;
    for (const socket of sockets) await socket.close({ code: 1001, reason: 'cut' });
    await page.getByRole('status', { name: 'Live updates: Reconnecting…' }).waitFor();
    // More than the console's first page (25), so re-reading that page after reconnecting cannot cover the gap.
    const titles = Array.from({ length: 30 }, (_, i) => `Committed while cut ${i + 1}`);
    const missed = await createAlerts(server.database, demo.organizationId, monitorId!, titles.map((title) => ({ title })));
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const id of missed) await expect(row(page, id).count()).resolves.toBe(0);

    isCut = false;
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor({ timeout: 10_000 });
    for (const id of missed) await row(page, id).waitFor({ timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const id of [...missed, seenBefore!]) await expect(row(page, id).count(), id).resolves.toBe(1);
    await expect(page.getByText(/^Committed while cut \d+$/).count()).resolves.toBe(titles.length);
  });

  it('filters the list and pages through it by keyset', async () => {
    const analyst = await signUpAccount(server);
    const watched = await createMonitor(server, analyst.accessToken, { name: 'Paged monitor' });
    const other = await createMonitor(server, analyst.accessToken, { name: 'Other monitor' });
    const created = await createAlerts(
      server.database,
      analyst.organizationId,
      watched,
      Array.from({ length: 30 }, (_, i) => ({ title: `Paged ${i}${i % 10 === 0 ? ' needle' : ''}`, severity: i % 3 === 0 ? ('critical' as const) : ('low' as const) })),
    );
    const [elsewhere] = await createAlerts(server.database, analyst.organizationId, other, [{ title: 'On the other monitor', severity: 'critical' }]);
    const page = await openPage(browser);
    await signIn(page, analyst.email, PASSWORD);
    await expectRowCount(page, 25);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expectRowCount(page, 31);
    await expect(page.getByRole('button', { name: 'Load more' }).count()).resolves.toBe(0);

    await page.locator('select[name=severity]').selectOption('CRITICAL');
    await page.locator('select[name=monitor]').selectOption({ label: 'Paged monitor' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectRowCount(page, 10);
    await expect(row(page, elsewhere!).count()).resolves.toBe(0);
    await page.getByLabel('Text').fill('needle');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectRowCount(page, 1);
    await row(page, created[0]!).waitFor();
    await page.locator('select[name=severity]').selectOption('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectRowCount(page, 3);
    for (const index of [0, 10, 20]) await row(page, created[index]!).waitFor();
  });

  it('monitors: create, pause and resume; statistics chart alerts by day and severity', async () => {
    const page = await openPage(browser);
    await signIn(page, DEMO_EMAIL, demo.password);
    await page.getByRole('link', { name: 'Monitors' }).click();
    await page.getByLabel('Name').fill('Acme mobile app');
    await page.getByLabel('Terms').fill('Acme app, Acme wallet');
    await page.getByRole('button', { name: 'Create monitor' }).click();
    await page.getByText('Created Acme mobile app.').waitFor();
    await page.getByRole('button', { name: 'Pause Acme mobile app' }).click();
    await page.getByRole('button', { name: 'Resume Acme mobile app' }).waitFor();
    await page.getByRole('button', { name: 'Resume Acme mobile app' }).click();
    await page.getByRole('button', { name: 'Pause Acme mobile app' }).waitFor();
    const monitors = (await server.gql(ConsoleMonitorsDocument, { first: 100 }, { token: demo.apiKey })).data!.monitors.nodes;
    expect(monitors.find((m) => m.name === 'Acme mobile app')).toMatchObject({ status: 'ACTIVE', terms: ['Acme app', 'Acme wallet'], sources: ['DEMO'] });

    await page.getByRole('link', { name: 'Statistics' }).click();
    await page.getByText('Alerts by day (UTC) and severity').waitFor();
    // Today's bar, stacked by severity: as many segments as severities seen today (other days are empty).
    const severities = new Set((await demoAlerts()).map((alert) => alert.severity));
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await expect(page.locator('.recharts-bar-rectangle path').count()).resolves.toBe(severities.size);
    const total = Number(await page.locator('dt', { hasText: 'Alerts, last 30 days' }).locator('xpath=..').locator('dd').textContent());
    expect(total).toBe((await demoAlerts()).length);
  });

  it('signs in with an API key', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('button', { name: 'API key' }).click();
    await page.getByLabel('API key').fill('vgl_not_a_real_key');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    // Chromium logs the API's 401 for the wrong key as a console error of its own; that one is expected.
    assertNoPageErrors(page, { allow: [/status of 401/] });
    await page.getByLabel('API key').fill(demo.apiKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor();
    await row(page, (await demoAlerts())[0]!.id).waitFor();
    await expect(page.locator('.user').textContent()).resolves.toBe('API key');
  });

  it('switches between organizations without a new password, and signing out revokes the sessions', async () => {
    const member = await signUpAccount(server);
    const owner = await server.gql(ConsoleLogInDocument, { input: { email: DEMO_EMAIL, password: demo.password } });
    if (owner.data?.logIn.__typename !== 'LogInPayload') throw new Error(`logIn failed: ${JSON.stringify(owner)}`);
    await inviteAndAccept(server, owner.data.logIn.session.accessToken, member, 'ANALYST');
    const page = await openPage(browser);
    await signIn(page, member.email, PASSWORD);
    await page.getByText('No alerts match.').waitFor();

    await page.getByRole('link', { name: 'Add organization' }).click();
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Organization ID').fill(globalId('Organization', demo.organizationId));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const someDemoAlert = (await demoAlerts())[0]!;
    await row(page, someDemoAlert.id).waitFor();
    await expect(page.getByLabel('Organization').inputValue()).resolves.toBe(globalId('Organization', demo.organizationId));

    await page.getByLabel('Organization').selectOption({ label: `Org of ${member.email}` });
    await page.getByText('No alerts match.').waitFor();
    await page.getByLabel('Organization').selectOption({ label: 'Acme Corp (demo)' });
    await row(page, someDemoAlert.id).waitFor();

    const refreshTokens = await page.evaluate(() =>
      (JSON.parse(localStorage.getItem('vigil.console.credentials')!) as { credentials: { refreshToken: string }[] }).credentials.map((c) => c.refreshToken),
    );
    expect(refreshTokens).toHaveLength(2);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
    await waitFor(
      () => Promise.all(refreshTokens.map((refreshToken) => server.gql(ConsoleRefreshSessionDocument, { input: { refreshToken } }))),
      (results) => results.every((result) => result.data?.refreshSession.__typename === 'InvalidTokenError'),
      'both sessions to be revoked',
      5_000,
    );
  });
});

describeBrowser('the console on a server that runs persisted operations only', () => {
  const browser = useBrowser();
  let strict: TestServer;
  let strictDemo: { organizationId: string; password: string };
  beforeAll(async () => {
    // The manifest as an operator makes it: `npm run persisted:manifest`, after codegen.
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/persisted-manifest.ts'], { cwd: path.resolve(import.meta.dirname, '../..') });
    const documents = new Map(Object.entries(JSON.parse(stdout) as Record<string, string>));
    strict = await startTestServer({ persistedOperations: { mode: 'require', documents } });
    const seeded = await seedDemoWorkspace(strict.database.db);
    strictDemo = { organizationId: seeded.organizationId, password: seeded.password! };
  });
  afterAll(() => strict?.stop());

  it('signs in, lists, receives live and acknowledges by operation id alone', async () => {
    const refused = await strict.gql(ConsoleMonitorsDocument, { first: 1 });
    expect(refused.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    const monitors = await strict.database.db.query.monitors.findMany({ columns: { id: true } });
    const monitorId = globalId('Monitor', monitors[0]!.id);
    const [listed] = await createAlerts(strict.database, strictDemo.organizationId, monitorId, [{ title: 'Listed by id' }]);

    const page = await openPage(browser);
    await signIn(page, DEMO_EMAIL, strictDemo.password, strict.url);
    await row(page, listed!).waitFor();
    await strict.waitForSubscribers(2);
    const [pushed] = await createAlerts(strict.database, strictDemo.organizationId, monitorId, [{ title: 'Pushed by id' }]);
    await row(page, pushed!).waitFor({ timeout: 5_000 });
    await row(page, pushed!).getByRole('button', { name: 'Acknowledge Pushed by id' }).click();
    await row(page, pushed!).locator('.status', { hasText: 'Acknowledged' }).waitFor({ timeout: 5_000 });
    await page.getByRole('link', { name: 'Monitors' }).click();
    await page.getByRole('button', { name: 'Scan Acme brand now' }).waitFor();
  });
});

describeBrowser('the console when access tokens run out', () => {
  const browser = useBrowser();
  let shortLived: TestServer;
  let shortDemo: { organizationId: string; password: string; monitorId: string };
  beforeAll(async () => {
    shortLived = await startTestServer({ accessTokenTtlSeconds: 3 });
    const seeded = await seedDemoWorkspace(shortLived.database.db);
    const [monitor] = await shortLived.database.db.query.monitors.findMany({ columns: { id: true } });
    shortDemo = { organizationId: seeded.organizationId, password: seeded.password!, monitorId: globalId('Monitor', monitor!.id) };
  });
  afterAll(() => shortLived?.stop());

  it('renews the session once for two tabs at a time, and live updates resume on the renewed token', async () => {
    const first = await openPage(browser);
    await signIn(first, DEMO_EMAIL, shortDemo.password, shortLived.url);
    const second = await openTab(first);
    await second.goto(`${shortLived.url}/alerts`);
    await second.getByRole('status', { name: 'Live updates: Live' }).waitFor();
    const [early] = await createAlerts(shortLived.database, shortDemo.organizationId, shortDemo.monitorId, [{ title: 'Before expiry' }]);
    await row(first, early!).waitFor({ timeout: 5_000 });

    // Both access tokens are now expired (the server closed their sockets with 4401): both tabs act at once.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await Promise.all([
      row(first, early!).getByRole('button', { name: 'Acknowledge Before expiry' }).click(),
      second.getByRole('link', { name: 'Monitors' }).click(),
    ]);
    await row(first, early!).locator('.status', { hasText: 'Acknowledged' }).waitFor({ timeout: 5_000 });
    await second.getByRole('button', { name: 'Scan Acme brand now' }).waitFor();
    await second.getByRole('link', { name: 'Alerts', exact: true }).click();
    for (const page of [first, second]) await page.getByRole('status', { name: 'Live updates: Live' }).waitFor({ timeout: 10_000 });
    await shortLived.waitForSubscribers(4);
    const [late] = await createAlerts(shortLived.database, shortDemo.organizationId, shortDemo.monitorId, [{ title: 'After expiry' }]);
    for (const page of [first, second]) await row(page, late!).waitFor({ timeout: 5_000 });
  });
});

