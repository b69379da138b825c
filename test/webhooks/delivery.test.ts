import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { encryptSecret } from '../../src/lib/crypto.ts';
import { webhooks } from '../../src/db/schema/index.ts';
import { TEST_ENCRYPTION_KEY } from '../helpers/server.ts';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { upsertAlert } from '../../src/services/alerts.ts';
import { enqueueWebhookEvent } from '../../src/services/webhooks.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { RotateWebhookSecretDocument, TestWebhookDocument, UpdateAlertStatusDocument, UpdateWebhookDocument, WebhookDeliveryNodeDocument, type WebhookEvent } from '../generated/graphql.ts';
import { addTestMember } from '../helpers/accounts.ts';
import { dataOf, expectMember } from '../helpers/domain.ts';
import { createMonitor, fireAlert, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { runScan, startRouteServer } from '../helpers/stubs.ts';
import { testScanningConfig } from '../helpers/scanning.ts';
import {
  createTestWebhook,
  readWebhook,
  startReceiver,
  startWebhookWorker,
  testWebhookConfig,
  waitFor,
  waitForDeliveries,
  verifyStandardWebhook,
  type Receiver,
} from '../helpers/webhooks.ts';

const CONFIG = testWebhookConfig(); // retries after 300 ms and 900 ms; disabled after 2 failed deliveries

let server: TestServer;
let worker: WorkerHandle;
const closables: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
  worker = await startWebhookWorker(server, { webhooks: CONFIG });
});
afterEach(async () => {
  await Promise.all(closables.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await worker?.stop();
  await server?.stop();
});

interface Setup {
  account: TestAccount;
  receiver: Receiver;
  webhookId: string;
  secret: string;
  monitorId: string;
}

/** A new organization with one monitor and one webhook pointing at a fresh receiver. */
async function setUp(events: WebhookEvent[], answer?: Parameters<typeof startReceiver>[0]): Promise<Setup> {
  const account = await signUpAccount(server);
  const receiver = await startReceiver(answer);
  closables.push(receiver);
  const { id: webhookId, secret } = await createTestWebhook(server, account.accessToken, { url: receiver.hookUrl, events });
  const monitorId = await createMonitor(server, account.accessToken, { name: 'Acme brand' });
  return { account, receiver, webhookId, secret, monitorId };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('alert.created', () => {
  it('POSTs a signed JSON event that the README recipe verifies, with the documented headers and payload', async () => {
    const { account, receiver, webhookId, secret, monitorId } = await setUp(['ALERT_CREATED']);
    const alert = await fireAlert(server, account, monitorId, {
      title: 'Fake Acme login page',
      url: 'https://acme-login.example/signin',
      category: 'phishing',
      severity: 'critical',
      confidence: 0.9,
    });

    const [delivery] = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'SUCCEEDED');
    expect(receiver.arrivals).toHaveLength(1);
    const request = receiver.arrivals[0]!;
    expect(request.method).toBe('POST');
    expect(request.url.pathname).toBe('/hooks/vigil');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(delivery!.id);
    const timestamp = Number(request.headers['webhook-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(30);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    // A new webhook gets the Standard Webhooks headers only.
    expect(Object.keys(request.headers).filter((name) => name.startsWith('vigil-'))).toEqual([]);

    // A receiver using the standardwebhooks library accepts it, and nothing else.
    expect(verifyStandardWebhook(secret, request)).toBe(true);
    expect(verifyStandardWebhook(`whsec_${randomBytes(32).toString('base64')}`, request)).toBe(false);
    expect(verifyStandardWebhook(secret, { ...request, body: request.body.replace('CRITICAL', 'LOW') })).toBe(false);
    // Signed correctly but ten minutes ago: refused, so a captured request cannot be replayed.
    const stale = new Date((timestamp - 600) * 1000);
    const staleSignature = new Webhook(secret).sign(delivery!.id, stale, request.body);
    expect(verifyStandardWebhook(secret, { body: request.body, headers: { ...request.headers, 'webhook-timestamp': String(timestamp - 600), 'webhook-signature': staleSignature } })).toBe(false);

    const body = JSON.parse(request.body);
    expect(body).toEqual({
      type: 'alert.created',
      timestamp: expect.stringMatching(ISO),
      data: {
        alert: {
          id: alert.id,
          title: 'Fake Acme login page',
          url: 'https://acme-login.example/signin',
          category: 'PHISHING',
          severity: 'CRITICAL',
          status: 'NEW',
          confidence: 0.9,
          occurrences: 1,
          firstSeenAt: expect.stringMatching(ISO),
          lastSeenAt: expect.stringMatching(ISO),
          createdAt: expect.stringMatching(ISO),
          updatedAt: expect.stringMatching(ISO),
        },
        monitor: { id: monitorId, name: 'Acme brand' },
      },
    });

    // The API names the event with its enum value; the wire (header and body) with the dotted name.
    expect(delivery).toMatchObject({
      event: 'ALERT_CREATED',
      status: 'SUCCEEDED',
      attempts: 1,
      responseStatusCode: 200,
      error: null,
      nextAttemptAt: null,
      body: request.body,
    });
    expect(delivery!.durationMs).toBeGreaterThanOrEqual(0);
    expect(delivery!.deliveredAt).not.toBeNull();
  });
});

describe('alert.updated and scan.failed', () => {
  it('deliver status changes and failed scans, and only the events the webhook subscribed to', async () => {
    const { account, receiver, webhookId, secret, monitorId } = await setUp(['ALERT_UPDATED', 'SCAN_FAILED']);
    const alert = await fireAlert(server, account, monitorId, { title: 'Lookalike domain' });
    const acknowledged = dataOf(await server.gql(UpdateAlertStatusDocument, { ids: [alert.id], status: 'ACKNOWLEDGED' }, { token: account.accessToken }));
    expectMember(acknowledged.updateAlertStatus, 'UpdateAlertStatusPayload');

    const feeds = await startRouteServer({ '/feed': { status: 500, body: 'boom' } });
    closables.push(feeds);
    const rssMonitor = await createMonitor(server, account.accessToken, { name: 'Acme feeds', sources: ['RSS'], feedUrls: [`${feeds.url}/feed`] });
    const scan = await runScan(server, account.accessToken, rssMonitor, testScanningConfig());
    expect(scan.status).toBe('FAILED');

    const deliveries = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d.length === 2 && d.every((x) => x.status === 'SUCCEEDED'));
    expect(deliveries.map((d) => d.event).sort()).toEqual(['ALERT_UPDATED', 'SCAN_FAILED']);
    expect(receiver.arrivals).toHaveLength(2);
    for (const request of receiver.arrivals) expect(verifyStandardWebhook(secret, request)).toBe(true);

    const byEvent = Object.fromEntries(receiver.arrivals.map((r) => [JSON.parse(r.body).type as string, JSON.parse(r.body)]));
    expect(byEvent['alert.updated'].data).toMatchObject({
      alert: { id: alert.id, title: 'Lookalike domain', status: 'ACKNOWLEDGED' },
      previousStatus: 'NEW',
      monitor: { id: monitorId },
    });
    expect(byEvent['scan.failed'].data).toEqual({
      scan: {
        id: scan.id,
        trigger: 'MANUAL',
        status: 'FAILED',
        error: expect.stringContaining('HTTP 500'),
        queuedAt: expect.stringMatching(ISO),
        startedAt: expect.stringMatching(ISO),
        finishedAt: expect.stringMatching(ISO),
      },
      monitor: { id: rssMonitor, name: 'Acme feeds' },
    });
  });
});

describe('webhooks created before Standard Webhooks signing', () => {
  /** A webhook as migration 0018 leaves one made earlier: a base64url secret used as it is. */
  async function legacyWebhook(setup: Setup): Promise<string> {
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    await server.database.db
      .update(webhooks)
      .set({ secretEncrypted: encryptSecret(TEST_ENCRYPTION_KEY, secret), hasLegacySecret: true })
      .where(sql`${webhooks.id} = ${rawId(setup.webhookId)}::uuid`);
    return secret;
  }

  it('get both the old Vigil-* headers and the new ones, each verifiable with the secret they hold, until an owner rotates it', async () => {
    const setup = await setUp(['ALERT_CREATED']);
    const { account, receiver, webhookId, monitorId } = setup;
    const oldSecret = await legacyWebhook(setup);
    await fireAlert(server, account, monitorId, { title: 'Before the rotation' });
    await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'SUCCEEDED');
    const [before] = receiver.arrivals;
    // The old recipe: v1= hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the whole secret.
    const oldSignature = `v1=${createHmac('sha256', oldSecret).update(`${before!.headers['vigil-timestamp']}.${before!.body}`).digest('hex')}`;
    expect(before!.headers['vigil-signature']).toBe(oldSignature);
    expect(before!.headers['vigil-delivery']).toBe(before!.headers['webhook-id']);
    // The new headers, with the standardwebhooks library, the secret taken as it is.
    expect(verifyStandardWebhook(oldSecret, before!, { format: 'raw' })).toBe(true);

    // Admins cannot rotate; the owner can, and gets the new secret once.
    const admin = await addTestMember(server, account, 'ADMIN');
    const refused = dataOf(await server.gql(RotateWebhookSecretDocument, { webhookId }, { token: admin.accessToken })).rotateWebhookSecret;
    expect(refused).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    const rotated = expectMember(dataOf(await server.gql(RotateWebhookSecretDocument, { webhookId }, { token: account.accessToken })).rotateWebhookSecret, 'RotateWebhookSecretPayload');
    expect(rotated.webhook).toEqual({ id: webhookId, hasLegacySecret: false });
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    await fireAlert(server, account, monitorId, { title: 'After the rotation' });
    await waitForDeliveries(server, account.accessToken, webhookId, (d) => d.length === 2 && d.every((x) => x.status === 'SUCCEEDED'));
    const after = receiver.arrivals[1]!;
    expect(Object.keys(after.headers).filter((name) => name.startsWith('vigil-'))).toEqual([]);
    expect(verifyStandardWebhook(rotated.secret, after)).toBe(true);
    expect(verifyStandardWebhook(oldSecret, after, { format: 'raw' })).toBe(false);
  });
});

describe('testWebhook', () => {
  it('queues a signed webhook.test delivery and returns it; the log shows the outcome', async () => {
    const { account, receiver, webhookId, secret } = await setUp(['ALERT_CREATED']);
    const queued = expectMember(dataOf(await server.gql(TestWebhookDocument, { id: webhookId }, { token: account.accessToken })).testWebhook, 'TestWebhookPayload');
    expect(queued.webhookDelivery).toMatchObject({ event: 'WEBHOOK_TEST', status: 'PENDING', attempts: 0, responseStatusCode: null });

    const done = await waitFor(
      async () => dataOf(await server.gql(WebhookDeliveryNodeDocument, { id: queued.webhookDelivery.id }, { token: account.accessToken })).node,
      (node) => node?.__typename === 'WebhookDelivery' && node.status !== 'PENDING',
      'the test delivery',
    );
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, responseStatusCode: 200, webhook: { id: webhookId } });
    const [request] = receiver.arrivals;
    expect(request!.headers['webhook-id']).toBe(queued.webhookDelivery.id);
    expect(verifyStandardWebhook(secret, request!)).toBe(true);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'webhook.test', data: { webhook: { id: webhookId, url: receiver.hookUrl } } });
  });

  it('records a receiver that does not answer in time as a timeout', async () => {
    const { account, webhookId } = await setUp(['ALERT_CREATED'], () => 'hang');
    const queued = expectMember(dataOf(await server.gql(TestWebhookDocument, { id: webhookId }, { token: account.accessToken })).testWebhook, 'TestWebhookPayload');
    const [delivery] = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'FAILED');
    expect(delivery).toMatchObject({ id: queued.webhookDelivery.id, attempts: 1, responseStatusCode: null, error: `Timed out after ${CONFIG.timeoutMs} ms`, nextAttemptAt: null });
    expect(delivery!.durationMs).toBeGreaterThanOrEqual(CONFIG.timeoutMs - 50);
  });
});

describe('retries', () => {
  it('retries a failed attempt after each configured delay, re-signed over the same body, until it succeeds', async () => {
    const { account, receiver, webhookId, secret, monitorId } = await setUp(['ALERT_CREATED'], (n) => (n <= 2 ? 503 : 200));
    await fireAlert(server, account, monitorId);

    // Between the second and third attempts the log shows the failure and when the retry is due.
    await waitFor(async () => receiver.arrivals.length, (n) => n >= 2, 'the second attempt');
    const [waiting] = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.attempts === 2);
    expect(waiting).toMatchObject({ status: 'PENDING', attempts: 2, responseStatusCode: 503, error: 'HTTP 503: receiver says 503', deliveredAt: null });
    expect(waiting!.nextAttemptAt).not.toBeNull();

    const [delivery] = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'SUCCEEDED');
    expect(delivery).toMatchObject({ attempts: 3, responseStatusCode: 200, error: null, nextAttemptAt: null });
    expect(receiver.arrivals).toHaveLength(3);

    const [first, second, third] = receiver.arrivals as [Receiver['arrivals'][number], Receiver['arrivals'][number], Receiver['arrivals'][number]];
    const [delay1, delay2] = CONFIG.retryDelaysMs as [number, number];
    expect(second.at - first.at).toBeGreaterThanOrEqual(delay1 - 20);
    expect(second.at - first.at).toBeLessThan(delay1 + 1_500);
    expect(third.at - second.at).toBeGreaterThanOrEqual(delay2 - 20);
    expect(third.at - second.at).toBeLessThan(delay2 + 1_500);

    // One delivery: same id and body every time, each attempt signed on its own.
    expect(new Set(receiver.arrivals.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery!.id]));
    expect(new Set(receiver.arrivals.map((r) => r.body)).size).toBe(1);
    for (const request of receiver.arrivals) expect(verifyStandardWebhook(secret, request)).toBe(true);
    expect((await readWebhook(server, account.accessToken, webhookId)).consecutiveFailures).toBe(0);
  });
});

describe('disabling after repeated failures', () => {
  it(`disables the webhook after ${CONFIG.disableAfterFailures} deliveries in a row fail, says why, and can be re-enabled`, async () => {
    let isHealthy = false;
    const { account, receiver, webhookId, monitorId } = await setUp(['ALERT_CREATED'], () => (isHealthy ? 200 : 500));
    const attemptsPerDelivery = CONFIG.retryDelaysMs.length + 1;

    await fireAlert(server, account, monitorId);
    await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'FAILED');
    expect(await readWebhook(server, account.accessToken, webhookId)).toMatchObject({ isActive: true, consecutiveFailures: 1, disabledReason: null });

    await fireAlert(server, account, monitorId);
    const failed = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d.length === 2 && d[0]?.status === 'FAILED');
    expect(failed.map((d) => [d.status, d.attempts, d.responseStatusCode])).toEqual([
      ['FAILED', attemptsPerDelivery, 500],
      ['FAILED', attemptsPerDelivery, 500],
    ]);
    expect(receiver.arrivals).toHaveLength(2 * attemptsPerDelivery);
    const disabled = await readWebhook(server, account.accessToken, webhookId);
    expect(disabled).toMatchObject({
      isActive: false,
      consecutiveFailures: 2,
      disabledReason: 'Disabled after 2 deliveries in a row failed; the last: HTTP 500: receiver says 500',
    });
    expect(disabled.disabledAt).not.toBeNull();

    // Disabled: new alerts queue nothing for it.
    await fireAlert(server, account, monitorId);
    await sleep(500);
    expect((await readWebhook(server, account.accessToken, webhookId)).deliveries.edges).toHaveLength(2);
    expect(receiver.arrivals).toHaveLength(2 * attemptsPerDelivery);

    // The receiver is fixed; a test delivery reaches it but neither counts nor re-enables.
    isHealthy = true;
    await server.gql(TestWebhookDocument, { id: webhookId }, { token: account.accessToken });
    await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.event === 'WEBHOOK_TEST' && d[0].status === 'SUCCEEDED');
    expect(await readWebhook(server, account.accessToken, webhookId)).toMatchObject({ isActive: false, consecutiveFailures: 2 });

    const enabled = expectMember(
      dataOf(await server.gql(UpdateWebhookDocument, { input: { webhookId: webhookId, isActive: true } }, { token: account.accessToken })).updateWebhook,
      'UpdateWebhookPayload',
    );
    expect(enabled.webhook).toMatchObject({ isActive: true, consecutiveFailures: 0, disabledReason: null, disabledAt: null });
    await fireAlert(server, account, monitorId);
    const after = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.event === 'ALERT_CREATED' && d[0].status === 'SUCCEEDED');
    expect(after[0]).toMatchObject({ attempts: 1, responseStatusCode: 200 });
  });

  it('a successful delivery resets the count of failures', async () => {
    const attemptsPerDelivery = CONFIG.retryDelaysMs.length + 1;
    const { account, webhookId, monitorId } = await setUp(['ALERT_CREATED'], (n) => (n <= attemptsPerDelivery ? 500 : 200));
    await fireAlert(server, account, monitorId);
    await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'FAILED');
    expect((await readWebhook(server, account.accessToken, webhookId)).consecutiveFailures).toBe(1);

    await fireAlert(server, account, monitorId);
    await waitForDeliveries(server, account.accessToken, webhookId, (d) => d.length === 2 && d[0]?.status === 'SUCCEEDED');
    expect(await readWebhook(server, account.accessToken, webhookId)).toMatchObject({ isActive: true, consecutiveFailures: 0 });
  });
});

describe('enqueued in the same transaction', () => {
  it('an alert that is rolled back queues nothing and sends nothing; the same alert committed is delivered', async () => {
    const { account, receiver, webhookId, monitorId } = await setUp(['ALERT_CREATED']);
    const alertInput = {
      organizationId: account.organizationId,
      monitorId: rawId(monitorId),
      fingerprint: `rolled-back-${randomBytes(4).toString('hex')}`,
      title: 'Never happened',
      category: 'phishing' as const,
      severity: 'high' as const,
      confidence: 0.8,
    };
    const countQueued = async (db: Pick<typeof server.database.db, 'execute'>) => {
      const [row] = await db.execute<{ deliveries: number; jobs: number }>(sql`
        select (select count(*) from webhook_deliveries where webhook_id = ${rawId(webhookId)})::int as deliveries,
               (select count(*) from graphile_worker.jobs j join webhook_deliveries d on j.key = 'webhook__deliver:' || d.id
                 where j.task_identifier = 'webhook__deliver' and d.webhook_id = ${rawId(webhookId)})::int as jobs`);
      return row!;
    };

    let seenInside: { deliveries: number; jobs: number } | undefined;
    await expect(
      server.database.db.transaction(async (tx) => {
        await upsertAlert(tx, alertInput);
        seenInside = await countQueued(tx);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    // The trigger did queue the delivery and its job, inside the transaction…
    expect(seenInside).toEqual({ deliveries: 1, jobs: 1 });
    // …and the rollback took both back.
    expect(await countQueued(server.database.db)).toEqual({ deliveries: 0, jobs: 0 });
    await sleep(500);
    expect(receiver.arrivals).toHaveLength(0);

    await server.database.db.transaction((tx) => upsertAlert(tx, alertInput));
    const [delivery] = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'SUCCEEDED');
    expect(receiver.arrivals).toHaveLength(1);
    expect(receiver.arrivals[0]!.headers['webhook-id']).toBe(delivery!.id);
    expect(JSON.parse(receiver.arrivals[0]!.body)).toMatchObject({ type: 'alert.created', data: { alert: { title: 'Never happened' } } });
  });

  it('events raised in code (the daily digest) go to the webhooks subscribed to them, on commit', async () => {
    const digest = await setUp(['DIGEST_DAILY']);
    const alertsOnly = await createTestWebhook(server, digest.account.accessToken, { url: digest.receiver.hookUrl, events: ['ALERT_CREATED'] });
    const queued = await server.database.db.transaction((tx) =>
      enqueueWebhookEvent(tx, digest.account.organizationId, 'digest.daily', { date: '2026-11-03', alerts: { new: 4 } }),
    );
    expect(queued).toBe(1);
    const [delivery] = await waitForDeliveries(server, digest.account.accessToken, digest.webhookId, (d) => d[0]?.status === 'SUCCEEDED');
    expect(JSON.parse(digest.receiver.arrivals[0]!.body)).toEqual({
      type: 'digest.daily',
      timestamp: expect.stringMatching(ISO),
      data: { date: '2026-11-03', alerts: { new: 4 } },
    });
    expect(digest.receiver.arrivals[0]!.headers['webhook-id']).toBe(delivery!.id);
    expect(verifyStandardWebhook(digest.secret, digest.receiver.arrivals[0]!)).toBe(true);
    expect((await readWebhook(server, digest.account.accessToken, alertsOnly.id)).deliveries.edges).toHaveLength(0);
  });

  it('a webhook of another organization never hears of your alerts', async () => {
    const mine = await setUp(['ALERT_CREATED']);
    const theirs = await setUp(['ALERT_CREATED']);
    await fireAlert(server, mine.account, mine.monitorId);
    await waitForDeliveries(server, mine.account.accessToken, mine.webhookId, (d) => d[0]?.status === 'SUCCEEDED');
    expect(theirs.receiver.arrivals).toHaveLength(0);
    expect((await readWebhook(server, theirs.account.accessToken, theirs.webhookId)).deliveries.edges).toHaveLength(0);
  });
});
