import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { TestWebhookDocument } from '../generated/graphql.ts';
import { dataOf, expectMember } from '../helpers/domain.ts';
import { createMonitor, fireAlert, signUpAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestWebhook, readWebhook, startReceiver, startWebhookWorker, testWebhookConfig, waitForDeliveries, type Receiver } from '../helpers/webhooks.ts';

// Production policy: no private, loopback or link-local receivers at all. The receivers below
// listen on 127.0.0.1, so every delivery must be refused before a byte reaches them.
let server: TestServer;
let worker: WorkerHandle;
let receiver: Receiver;
const CONFIG = testWebhookConfig({ disableAfterFailures: 100 });

beforeAll(async () => {
  server = await startTestServer();
  worker = await startWebhookWorker(server, { webhooks: CONFIG, allowedPrivateRanges: [] });
  receiver = await startReceiver();
});
afterEach(() => {
  receiver.arrivals.length = 0;
});
afterAll(async () => {
  await receiver?.close();
  await worker?.stop();
  await server?.stop();
});

describe('receivers on private addresses', () => {
  it.each([
    ['an IP literal', () => receiver.hookUrl, /^Refused: 127\.0\.0\.1 is not a public address$/],
    ['a name that resolves to one', () => receiver.hookUrl.replace('127.0.0.1', 'localhost'), /^Refused: localhost resolves to .+, not a public address$/],
    ['a link-local (cloud metadata) address', () => 'http://169.254.169.254/latest/meta-data/', /^Refused: 169\.254\.169\.254 is not a public address$/],
  ])('%s: the delivery fails at once, without retries, and nothing is sent', async (_label, url, error) => {
    const account = await signUpAccount(server);
    const { id: webhookId } = await createTestWebhook(server, account.accessToken, { url: url(), events: ['ALERT_CREATED'] });
    const monitorId = await createMonitor(server, account.accessToken);
    await fireAlert(server, account, monitorId);
    const [delivery] = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'FAILED');
    expect(delivery).toMatchObject({ status: 'FAILED', attempts: 1, responseStatusCode: null, nextAttemptAt: null, error: expect.stringMatching(error) });
    expect(receiver.arrivals).toHaveLength(0);
    // A refused address is the webhook's fault, so it counts towards disabling like any failure.
    expect((await readWebhook(server, account.accessToken, webhookId)).consecutiveFailures).toBe(1);
  });

  it('applies to test deliveries too', async () => {
    const account = await signUpAccount(server);
    const { id: webhookId } = await createTestWebhook(server, account.accessToken, { url: receiver.hookUrl, events: ['SCAN_FAILED'] });
    const queued = dataOf(await server.gql(TestWebhookDocument, { id: webhookId }, { token: account.accessToken })).testWebhook;
    expectMember(queued, 'TestWebhookPayload');
    const [delivery] = await waitForDeliveries(server, account.accessToken, webhookId, (d) => d[0]?.status === 'FAILED');
    expect(delivery!.error).toBe('Refused: 127.0.0.1 is not a public address');
    expect(receiver.arrivals).toHaveLength(0);
  });
});
