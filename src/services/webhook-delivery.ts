import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { and, eq, sql } from 'drizzle-orm';
import ipaddr from 'ipaddr.js';
import type { WebhookConfig } from '../config.ts';
import type { Db, Tx } from '../db/client.ts';
import { webhookDeliveries, webhooks } from '../db/schema/index.ts';
import { decryptSecret } from '../lib/crypto.ts';
import { encodeGlobalId, type NodeTypename } from '../lib/global-id.ts';
import type { Logger } from '../lib/logger.ts';
import { guardedLookup, isAddressAllowed } from '../scanning/http.ts';
import { isUuid } from './validation.ts';
import { addDeliveryJob, type WebhookDeliveryRow } from './webhooks.ts';

export interface WebhookDeliveryDeps {
  db: Db;
  config: WebhookConfig;
  /** The same policy as sources: non-public ranges receivers may still be in (tests: loopback). */
  allowedPrivateRanges: readonly string[];
  encryptionKey: Buffer | undefined;
  logger: Logger;
}

export type DeliveryOutcome = 'nothing-to-do' | 'succeeded' | 'retrying' | 'failed' | 'not-sent';

/** The bytes of a response worth keeping in the delivery log when a receiver refuses. */
const MAX_ERROR_BODY_CHARS = 200;
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The signature of the webhooks made before Standard Webhooks: `v1=` + hex HMAC-SHA256 of
 * `<timestamp>.<body>`, keyed with the whole secret string. Sent as `Vigil-Signature` only to those,
 * until their secret is rotated.
 */
export function signLegacyWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The Standard Webhooks signature (https://www.standardwebhooks.com): `v1,` + base64 HMAC-SHA256
 * of `<webhook-id>.<webhook-timestamp>.<body>`. The key is the secret's base64 part decoded; a
 * legacy secret is used as it is (its receivers verify with the `standardwebhooks` library's
 * `{ format: 'raw' }`, the key they already hold).
 */
export function signStandardWebhook(secret: string, hasLegacySecret: boolean, messageId: string, timestamp: number, body: string): string {
  const key = hasLegacySecret ? Buffer.from(secret, 'utf8') : Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`;
}

/** The delivery's global ID, as `node(id:)` takes it: the `webhook-id`, the same on every retry. */
export function deliveryGlobalId(id: string): string {
  return encodeGlobalId('WebhookDelivery', id);
}

/**
 * The JSON body of a delivery, identical on every attempt and for every webhook: Standard Webhooks'
 * `{ type, timestamp, data }` (`timestamp`: when the event happened; the header's is the attempt's).
 */
export function webhookBody(delivery: Pick<WebhookDeliveryRow, 'event' | 'payload' | 'createdAt'>): string {
  return JSON.stringify({ type: delivery.event, timestamp: delivery.createdAt.toISOString(), data: withGlobalIds(delivery.payload) });
}

/** The objects of a payload that the database triggers name by row id, and their node types. */
const PAYLOAD_NODES: Readonly<Record<string, NodeTypename>> = { alert: 'Alert', monitor: 'Monitor', scan: 'Scan' };

/**
 * The payload as receivers get it. The triggers that capture alert and scan events
 * (drizzle/functions/02_webhooks.sql) store row ids; the body gives them as global IDs, made by the
 * API's one encoder. Payloads built here (digest, test) carry global IDs already, as do deliveries
 * queued before the triggers stored row ids: those pass unchanged.
 */
function withGlobalIds(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  const data = payload as Record<string, unknown>;
  let result = data;
  for (const [key, typename] of Object.entries(PAYLOAD_NODES)) {
    const node = data[key] as { id?: unknown } | null | undefined;
    if (typeof node !== 'object' || node === null || typeof node.id !== 'string' || !isUuid(node.id)) continue;
    if (result === data) result = { ...data };
    result[key] = { ...node, id: encodeGlobalId(typename, node.id) };
  }
  return result;
}

/** Standard Webhooks headers, and for a webhook with a legacy secret the old `Vigil-*` ones too. */
export function webhookHeaders(secret: string, hasLegacySecret: boolean, delivery: Pick<WebhookDeliveryRow, 'id' | 'event'>, timestamp: number, body: string): Record<string, string> {
  const messageId = deliveryGlobalId(delivery.id);
  const headers: Record<string, string> = {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(secret, hasLegacySecret, messageId, timestamp, body),
  };
  if (hasLegacySecret) {
    Object.assign(headers, {
      'vigil-event': delivery.event,
      'vigil-delivery': messageId,
      'vigil-timestamp': String(timestamp),
      'vigil-signature': signLegacyWebhook(secret, timestamp, body),
    });
  }
  return headers;
}

interface AttemptResult {
  isSuccess: boolean;
  /** Retrying cannot help: the receiver's address is refused by policy. */
  isPermanent: boolean;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
}

/**
 * Makes one attempt at a pending delivery and records it. A failed attempt is scheduled again
 * after the next configured delay (the job is re-added with `run_at` in the transaction that
 * records the failure); a delivery out of attempts fails for good, and enough of those in a row
 * disable the webhook. Any success resets that count. Test deliveries get one attempt and never
 * count. Receivers may see a delivery twice if a worker dies mid-attempt: `webhook-id` dedupes.
 */
export async function deliverWebhook(deps: WebhookDeliveryDeps, deliveryId: string): Promise<DeliveryOutcome> {
  const { db, config } = deps;
  const [row] = await db
    .select({ delivery: webhookDeliveries, webhook: webhooks })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(eq(webhookDeliveries.id, deliveryId));
  if (!row || row.delivery.status !== 'pending') return 'nothing-to-do';
  const { delivery, webhook } = row;
  const isTest = delivery.event === 'webhook.test';

  if (!webhook.isActive && !isTest) {
    await markNotSent(deps.db, delivery.id, 'Not sent: the webhook is disabled');
    return 'not-sent';
  }
  let secret: string;
  try {
    if (!deps.encryptionKey) throw new Error('no ENCRYPTION_KEY configured');
    secret = decryptSecret(deps.encryptionKey, webhook.secretEncrypted);
  } catch (error) {
    deps.logger.error({ err: error, webhookId: webhook.id }, 'cannot decrypt a webhook secret');
    await markNotSent(deps.db, delivery.id, 'Not sent: the signing secret cannot be read on this server');
    return 'not-sent';
  }

  const body = webhookBody(delivery);
  const timestamp = Math.floor(Date.now() / 1000);
  const result = await postOnce(webhook.url, body, {
    headers: webhookHeaders(secret, webhook.hasLegacySecret, delivery, timestamp, body),
    timeoutMs: config.timeoutMs,
    allowedPrivateRanges: deps.allowedPrivateRanges,
  });

  const attempt = delivery.attempts + 1;
  const maxAttempts = isTest ? 1 : config.retryDelaysMs.length + 1;
  const isRetrying = !result.isSuccess && !result.isPermanent && attempt < maxAttempts;
  const isRecorded = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(webhookDeliveries)
      .set({
        attempts: attempt,
        responseStatus: result.responseStatus,
        durationMs: result.durationMs,
        error: result.error,
        status: result.isSuccess ? 'succeeded' : isRetrying ? 'pending' : 'failed',
        deliveredAt: result.isSuccess ? sql`now()` : null,
        nextAttemptAt: isRetrying ? sql`now() + make_interval(secs => ${config.retryDelaysMs[attempt - 1]! / 1000})` : null,
      })
      // Another job that recorded this attempt first wins; this one changes nothing.
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, 'pending'), eq(webhookDeliveries.attempts, delivery.attempts)))
      .returning();
    if (!updated) return false;
    if (isRetrying) await addDeliveryJob(tx, delivery.id, updated.nextAttemptAt);
    if (isTest) return true;
    if (result.isSuccess) {
      await tx.update(webhooks).set({ consecutiveFailures: 0 }).where(and(eq(webhooks.id, webhook.id), sql`${webhooks.consecutiveFailures} <> 0`));
    } else if (!isRetrying) {
      await countFailedDelivery(tx, deps, webhook.id, result.error ?? 'failed');
    }
    return true;
  });
  if (!isRecorded) return 'nothing-to-do';
  return result.isSuccess ? 'succeeded' : isRetrying ? 'retrying' : 'failed';
}

async function countFailedDelivery(tx: Tx, deps: WebhookDeliveryDeps, webhookId: string, lastError: string) {
  const limit = deps.config.disableAfterFailures;
  const reason = `Disabled after ${limit} deliveries in a row failed; the last: ${lastError}`;
  // Every right-hand side reads the row as it was, so "reaches the limit now" is decided once.
  const reachesLimit = sql`${webhooks.isActive} and ${webhooks.consecutiveFailures} + 1 >= ${limit}`;
  const [webhook] = await tx
    .update(webhooks)
    .set({
      consecutiveFailures: sql`${webhooks.consecutiveFailures} + 1`,
      isActive: sql`${webhooks.isActive} and ${webhooks.consecutiveFailures} + 1 < ${limit}`,
      disabledAt: sql`case when ${reachesLimit} then now() else ${webhooks.disabledAt} end`,
      disabledReason: sql`case when ${reachesLimit} then ${reason}::text else ${webhooks.disabledReason} end`,
    })
    .where(eq(webhooks.id, webhookId))
    .returning({ isActive: webhooks.isActive, disabledReason: webhooks.disabledReason });
  if (webhook && !webhook.isActive && webhook.disabledReason === reason) {
    deps.logger.warn({ webhookId, consecutiveFailures: limit }, 'webhook disabled after repeated failed deliveries');
  }
}

/** Fails a delivery without an attempt; not the receiver's fault, so it does not count towards disabling. */
async function markNotSent(db: Db, deliveryId: string, error: string) {
  await db
    .update(webhookDeliveries)
    .set({ status: 'failed', error, nextAttemptAt: null })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, 'pending')));
}

interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  allowedPrivateRanges: readonly string[];
}

class RefusedAddressError extends Error {
  readonly code = 'EPRIVATEADDR';
}

/**
 * One POST, never following redirects (a receiver that moved must be updated, not chased). The
 * address guard is the one sources use: IP literals are checked before connecting, names after
 * DNS resolution, on a fresh connection each time so no pooled socket skips the check.
 */
async function postOnce(rawUrl: string, body: string, options: PostOptions): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (error: string, extra: Partial<AttemptResult> = {}): AttemptResult => ({
    isSuccess: false,
    isPermanent: false,
    responseStatus: null,
    durationMs: elapsed(),
    error,
    ...extra,
  });
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host) && !isAddressAllowed(host, options.allowedPrivateRanges)) {
    return failure(`Refused: ${host} is not a public address`, { isPermanent: true });
  }
  try {
    const response = await request(url, body, options);
    const isSuccess = response.status >= 200 && response.status < 300;
    const detail = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : response.body ? `: ${response.body}` : '';
    return { isSuccess, isPermanent: false, responseStatus: response.status, durationMs: elapsed(), error: isSuccess ? null : `HTTP ${response.status}${detail}` };
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'EPRIVATEADDR') return failure(err.message, { isPermanent: true });
    const message = err.name === 'AbortError' || err.name === 'TimeoutError' ? `Timed out after ${options.timeoutMs} ms` : err.message;
    return failure(message);
  }
}

function request(url: URL, body: string, options: PostOptions): Promise<{ status: number; body: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(
          options.allowedPrivateRanges,
          (hostname, address) => new RefusedAddressError(`Refused: ${hostname} resolves to ${address}, not a public address`),
        ),
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Vigil-Webhooks/1.0',
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Only the start is kept; the rest is drained so the status and timing stay meaningful.
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
          resolve({ status: response.statusCode ?? 0, body: text.slice(0, MAX_ERROR_BODY_CHARS) });
        });
        response.on('error', reject);
      },
    );
    req.on('error', (error) => reject(error));
    req.end(body);
  });
}
