import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { pathToFileURL } from 'node:url';
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

export type VerifyVigilWebhook = (
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  toleranceSeconds?: number,
) => boolean;

/**
 * The verification snippet from README.md's "Webhooks" section, loaded as the module a receiver
 * would paste it into. Tests verify signatures with exactly what the documentation tells people.
 */
export async function loadReadmeVerifier(): Promise<VerifyVigilWebhook> {
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Webhooks'));
  const snippet = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!snippet || !snippet.includes('export function verifyVigilWebhook')) throw new Error('README.md has no verifyVigilWebhook snippet under "## Webhooks"');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-readme-'));
  const file = path.join(dir, 'verify.mjs');
  fs.writeFileSync(file, snippet);
  try {
    const module = (await import(pathToFileURL(file).href)) as { verifyVigilWebhook: VerifyVigilWebhook };
    return module.verifyVigilWebhook;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
