import { ConflictError } from '../../services/errors.ts';
import { webhookBody } from '../../services/webhook-delivery.ts';
import {
  createWebhook,
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  loadWebhookDeliveries,
  loadWebhooks,
  MAX_WEBHOOKS_PER_ORGANIZATION,
  rotateWebhookSecret,
  testWebhook,
  updateWebhook,
  type WebhookDeliveryRow,
  type WebhookRow,
} from '../../services/webhooks.ts';
import { builder } from '../builder.ts';
import { bounded, connectionType, toConnection } from '../connection.ts';
import { WebhookDeliveryEventEnum, WebhookEventEnum } from '../enums.ts';
import { authErrors, authErrorsWithNotFound, resultOf } from '../errors.ts';
import { encodeGlobalId, onlyUuids, parseGlobalId } from '../ids.ts';

export const Webhook = builder.loadableNode('Webhook', {
  description: 'An http(s) endpoint Vigil POSTs signed events to. Owners and admins only.',
  id: { resolve: (w: WebhookRow) => w.id },
  load: (ids: string[], context) => (context.viewer ? loadWebhooks(context.db, context.viewer, onlyUuids(ids)) : Promise.resolve([])),
  sort: (w) => w.id,
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Where deliveries are POSTed.' }),
    events: t.field({
      type: [WebhookEventEnum],
      description: 'The events delivered here (each once).',
      ...bounded(5),
      resolve: (w) => w.events,
    }),
    isActive: t.exposeBoolean('isActive', { description: 'False once disabled (by an admin, or after repeated failed deliveries).' }),
    disabledReason: t.exposeString('disabledReason', { nullable: true, description: 'Why it was disabled; cleared when re-enabled.' }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true, description: 'When it was disabled; cleared when re-enabled.' }),
    hasLegacySecret: t.exposeBoolean('hasLegacySecret', {
      description:
        'True for a webhook created before deliveries followed Standard Webhooks: it also gets the old `Vigil-*` headers, and its secret is the key as it is (`standardwebhooks` `format: "raw"`). `rotateWebhookSecret` ends that.',
    }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', {
      description: 'Deliveries in a row that failed every attempt; reset by any successful delivery.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its settings last changed.' }),
  }),
});

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'PENDING until an attempt succeeds (SUCCEEDED) or the last attempt fails (FAILED).',
  values: {
    PENDING: { value: 'pending', description: 'Not delivered yet; an attempt is running or a retry is due.' },
    SUCCEEDED: { value: 'succeeded', description: 'The receiver answered 2xx.' },
    FAILED: { value: 'failed', description: 'Every attempt failed, or it was not sent (the webhook was disabled or removed).' },
  } as const,
});

export const WebhookDelivery = builder.loadableNode('WebhookDelivery', {
  description: 'One event sent (or being sent) to a webhook, with the outcome of its latest attempt.',
  id: { resolve: (d: WebhookDeliveryRow) => d.id },
  load: (ids: string[], context) =>
    context.viewer ? loadWebhookDeliveries(context.db, context.viewer, onlyUuids(ids)) : Promise.resolve([]),
  sort: (d) => d.id,
  fields: (t) => ({
    webhook: t.field({ type: Webhook, description: 'The webhook it is for.', resolve: (d) => d.webhookId }),
    event: t.field({ type: WebhookDeliveryEventEnum, description: 'The event it carries.', resolve: (d) => d.event }),
    status: t.field({ type: WebhookDeliveryStatusEnum, description: 'Where it is.', resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    responseStatusCode: t.exposeInt('responseStatus', { nullable: true, description: 'HTTP status of the latest attempt; null when no response came.' }),
    durationMs: t.exposeInt('durationMs', { nullable: true, description: 'How long the latest attempt took.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the latest attempt failed.' }),
    body: t.string({ description: 'The JSON body, exactly as sent (the same on every attempt).', resolve: (d) => webhookBody(d) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the event happened.' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When an attempt succeeded.' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true, description: 'When the next retry is due, while one is.' }),
  }),
});

const WebhookDeliveryConnection = connectionType(WebhookDelivery, 'WebhookDelivery', { description: 'A page of a webhook’s delivery log.' });

builder.objectField(Webhook, 'deliveries', (t) =>
  t.connection(
    {
      type: WebhookDelivery,
      description: 'Deliveries to this webhook, newest first.',
      resolve: async (webhook, args, context) => toConnection(await listWebhookDeliveries(context.db, context.viewer!, webhook.id, args)),
    },
    WebhookDeliveryConnection,
  ),
);

builder.queryField('webhooks', (t) =>
  t.field({
    type: [Webhook],
    description: `The organization's webhooks, newest first: at most ${MAX_WEBHOOKS_PER_ORGANIZATION}, the most an organization may have. Owners and admins only.`,
    authScopes: { role: 'admin' },
    ...bounded(MAX_WEBHOOKS_PER_ORGANIZATION),
    resolve: (_root, _args, context) => listWebhooks(context.db, context.viewer!),
  }),
);

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  description: `A new webhook (an organization may have at most ${MAX_WEBHOOKS_PER_ORGANIZATION}).`,
  fields: (t) => ({
    url: t.string({ required: true, description: 'An http(s) URL that accepts POST, without user name or password (at most 2,000 characters).' }),
    events: t.field({ type: [WebhookEventEnum], required: true, description: 'The events to deliver: at least one.' }),
  }),
});

const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  description: 'A webhook and the settings to change; fields left out keep their value.',
  fields: (t) => ({
    webhookId: t.id({ required: true, description: 'Global ID of the webhook.' }),
    url: t.string({ required: false, description: 'A new http(s) URL.' }),
    events: t.field({ type: [WebhookEventEnum], required: false, description: 'The events to deliver from now on: at least one.' }),
    isActive: t.boolean({
      required: false,
      description: 'True re-enables a disabled webhook (clearing its failure count and reason); false disables it.',
    }),
  }),
});

function webhookIdInput(name: string, description: string) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({ webhookId: t.id({ required: true, description: 'Global ID of the webhook.' }) }),
  });
}

const CreateWebhookPayload = builder.objectRef<{ webhook: WebhookRow; secret: string }>('CreateWebhookPayload').implement({
  description: 'The new webhook and, this once, its signing secret.',
  fields: (t) => ({
    webhook: t.field({ type: Webhook, description: 'The webhook created.', resolve: (p) => p.webhook }),
    secret: t.exposeString('secret', { description: 'The signing secret. Shown only once: store it now.' }),
  }),
});
const RotateWebhookSecretPayload = builder.objectRef<{ webhook: WebhookRow; secret: string }>('RotateWebhookSecretPayload').implement({
  description: 'The webhook and, this once, its new signing secret.',
  fields: (t) => ({
    webhook: t.field({ type: Webhook, description: 'The webhook, now signed with the new secret.', resolve: (p) => p.webhook }),
    secret: t.exposeString('secret', { description: 'The new signing secret (Standard Webhooks `whsec_…`). Shown only once: store it now.' }),
  }),
});
const UpdateWebhookPayload = builder.objectRef<{ webhook: WebhookRow }>('UpdateWebhookPayload').implement({
  description: 'The webhook with its new settings.',
  fields: (t) => ({ webhook: t.field({ type: Webhook, description: 'The webhook.', resolve: (p) => p.webhook }) }),
});
const DeleteWebhookPayload = builder.objectRef<{ webhook: WebhookRow }>('DeleteWebhookPayload').implement({
  description: 'What was deleted.',
  fields: (t) => ({
    deletedWebhookId: t.id({ description: 'Global ID of the webhook that no longer exists.', resolve: (p) => encodeGlobalId('Webhook', p.webhook.id) }),
  }),
});
const TestWebhookPayload = builder.objectRef<{ webhookDelivery: WebhookDeliveryRow }>('TestWebhookPayload').implement({
  description: 'The test delivery queued.',
  fields: (t) => ({
    webhookDelivery: t.field({ type: WebhookDelivery, description: 'The delivery; watch its `status`.', resolve: (p) => p.webhookDelivery }),
  }),
});

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: CreateWebhookPayload,
    description: 'Adds a webhook and returns its signing secret, which is never shown again. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('createWebhook', [...authErrors, ConflictError]),
    args: { input: t.arg({ type: CreateWebhookInput, required: true, description: 'The webhook to create.' }) },
    resolve: (_root, { input }, context) => createWebhook(context.db, context.viewer!, context.settings.encryptionKey, input),
  }),
  updateWebhook: t.field({
    type: UpdateWebhookPayload,
    description: 'Changes a webhook’s URL or events, or disables or re-enables it. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('updateWebhook', authErrorsWithNotFound),
    args: { input: t.arg({ type: UpdateWebhookInput, required: true, description: 'The webhook and what to change.' }) },
    resolve: async (_root, { input }, context) => ({
      webhook: await updateWebhook(context.db, context.viewer!, parseGlobalId(input.webhookId, 'Webhook', ['input', 'webhookId']), {
        url: input.url ?? undefined,
        events: input.events ?? undefined,
        isActive: input.isActive ?? undefined,
      }),
    }),
  }),
  deleteWebhook: t.field({
    type: DeleteWebhookPayload,
    description: 'Deletes the webhook and its delivery log. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('deleteWebhook', authErrorsWithNotFound),
    args: { input: t.arg({ type: webhookIdInput('DeleteWebhookInput', 'The webhook to delete.'), required: true, description: 'The webhook.' }) },
    resolve: async (_root, { input }, context) => ({
      webhook: await deleteWebhook(context.db, context.viewer!, parseGlobalId(input.webhookId, 'Webhook', ['input', 'webhookId'])),
    }),
  }),
  rotateWebhookSecret: t.field({
    type: RotateWebhookSecretPayload,
    description:
      'Replaces the webhook’s signing secret and returns the new one, never shown again. Every delivery from now on (pending retries included) is signed with it; a webhook created before Standard Webhooks signing stops getting the old `Vigil-*` headers. Owners only.',
    authScopes: { role: 'owner' },
    errors: resultOf('rotateWebhookSecret', authErrorsWithNotFound),
    args: { input: t.arg({ type: webhookIdInput('RotateWebhookSecretInput', 'The webhook whose secret to replace.'), required: true, description: 'The webhook.' }) },
    resolve: (_root, { input }, context) =>
      rotateWebhookSecret(context.db, context.viewer!, context.settings.encryptionKey, parseGlobalId(input.webhookId, 'Webhook', ['input', 'webhookId'])),
  }),
  testWebhook: t.field({
    type: TestWebhookPayload,
    description: 'Queues a signed `webhook.test` delivery (one attempt, even to a disabled webhook) and returns it. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('testWebhook', authErrorsWithNotFound),
    args: { input: t.arg({ type: webhookIdInput('TestWebhookInput', 'The webhook to test.'), required: true, description: 'The webhook.' }) },
    resolve: async (_root, { input }, context) => ({
      webhookDelivery: await testWebhook(context.db, context.viewer!, parseGlobalId(input.webhookId, 'Webhook', ['input', 'webhookId'])),
    }),
  }),
}));
