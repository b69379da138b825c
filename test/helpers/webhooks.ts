import type http from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { loadConfig, type WebhookConfig } from '../../src/config.ts';
import { testLogger } from './log-capture.ts';
import { startWorker, type WorkerHandle } from '../../src/worker/runner.ts';
import { CreateWebhookDocument, WebhookDeliveriesDocument, type CreateWebhookInput, type WebhookDeliveriesQuery } from '../generated/graphql.ts';
import { dataOf } from './domain.ts';
import { testScanningConfig } from './scanning.ts';
import { TEST_ENCRYPTION_KEY, type TestServer } from './server.ts';
import { startStubServer, type RecordedRequest, type StubServer } from './stub-server.ts';

/** Retries a few hundred milliseconds apart, so backoff is observable within a test. */
export function testWebhookConfig(overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return { timeoutMs: 1_000, retryDelaysMs: [300, 900], disableAfterFailures: 2, ...overrides };
}

/** A real graphile-worker pool that runs webhook deliveries with the given settings (crons off). */
export async function startWebhookWorker(
  server: TestServer,
  options: { webhooks?: WebhookConfig; allowedPrivateRanges?: string[] } = {},
): Promise<WorkerHandle> {
  const base = loadConfig({});
  return startWorker({
    databaseUrl: server.databaseUrl,
    db: server.database.db,
    config: {
      ...base,
      scanning: testScanningConfig({ allowedPrivateRanges: options.allowedPrivateRanges ?? ['127.0.0.0/8'] }),
      webhooks: options.webhooks ?? testWebhookConfig(),
    },
    logger: testLogger(),
    encryptionKey: TEST_ENCRYPTION_KEY,
    isCronEnabled: false,
    concurrency: 4,
    pollInterval: 100,
  });
}

export interface Arrival extends RecordedRequest {
  /** `Date.now()` when the request was complete. */
  at: number;
}

export interface Receiver extends StubServer {
  /** The URL to register as the webhook. */
  hookUrl: string;
  arrivals: Arrival[];
}

/**
 * A webhook receiver on 127.0.0.1. `answer(n)` decides the HTTP status of the n-th request (from 1);
 * 200 by default; `'hang'` never answers.
 */
export async function startReceiver(answer: (n: number, request: RecordedRequest) => number | 'hang' = () => 200): Promise<Receiver> {
  const arrivals: Arrival[] = [];
  const stub = await startStubServer((request, response: http.ServerResponse) => {
    arrivals.push({ ...request, at: Date.now() });
    const status = answer(arrivals.length, request);
    if (status === 'hang') return;
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `receiver says ${status}`);
  });
  return { ...stub, hookUrl: `${stub.url}/hooks/vigil`, arrivals };
}

export async function createTestWebhook(server: TestServer, token: string, input: CreateWebhookInput) {
  const result = dataOf(await server.gql(CreateWebhookDocument, { input }, { token })).createWebhook;
  if (result.__typename !== 'CreateWebhookPayload') throw new Error(`createWebhook failed: ${JSON.stringify(result)}`);
  return { id: result.webhook.id, secret: result.secret };
}

export type WebhookWithDeliveries = Extract<NonNullable<WebhookDeliveriesQuery['node']>, { deliveries: unknown }>;
export type DeliveryView = WebhookWithDeliveries['deliveries']['edges'][number]['node'];

/** The webhook as its admin sees it, with its deliveries newest first. */
export async function readWebhook(server: TestServer, token: string, webhookId: string): Promise<WebhookWithDeliveries> {
  const node = dataOf(await server.gql(WebhookDeliveriesDocument, { id: webhookId, first: 100 }, { token })).node;
  if (!node || !('deliveries' in node)) throw new Error(`webhook ${webhookId} not visible`);
  return node as WebhookWithDeliveries;
}

export async function waitFor<T>(read: () => Promise<T>, isDone: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the webhook's deliveries satisfy `isDone`, and returns them (newest first). */
export async function waitForDeliveries(
  server: TestServer,
  token: string,
  webhookId: string,
  isDone: (deliveries: DeliveryView[]) => boolean,
  timeoutMs?: number,
): Promise<DeliveryView[]> {
  const webhook = await waitFor(
    () => readWebhook(server, token, webhookId),
    (w) => isDone(w.deliveries.edges.map((e) => e.node)),
    'webhook deliveries',
    timeoutMs,
  );
  return webhook.deliveries.edges.map((e) => e.node);
}

type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * Verifies a delivery the way a receiver does, with the `standardwebhooks` library: true when the
 * signature and timestamp check out. `format: 'raw'` is how a webhook created before Standard
 * Webhooks signing is verified (its secret string is the key, as it always was).
 */
export function verifyStandardWebhook(secret: string, request: { headers: RequestHeaders; body: string }, options: { format?: 'raw' } = {}): boolean {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  try {
    new Webhook(secret, options.format ? { format: options.format } : undefined).verify(request.body, headers);
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}
