import { webhookEvents } from '../../db/schema/enums.ts';
import { AuthenticationError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../services/errors.ts';
import { webhookBody } from '../../services/webhook-delivery.ts';
import {
  createWebhook,
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  loadWebhookDeliveries,
  loadWebhooks,
  testWebhook,
  updateWebhook,
  type WebhookDeliveryRow,
  type WebhookRow,
} from '../../services/webhooks.ts';
import { builder } from '../builder.ts';
import { toConnection } from '../connection.ts';
import { onlyUuids, parseGlobalId } from '../ids.ts';

const EVENT_LIST = webhookEvents.map((e) => `\`${e}\``).join(', ');

export const Webhook = builder.loadableNode('Webhook', {
  description: 'An http(s) endpoint Vigil POSTs signed events to. Owners and admins only.',
  id: { resolve: (w: WebhookRow) => w.id },
  load: (ids: string[], context) => (context.viewer ? loadWebhooks(context.db, context.viewer, onlyUuids(ids)) : Promise.resolve([])),
  sort: (w) => w.id,
  fields: (t) => ({
    url: t.exposeString('url'),
    events: t.exposeStringList('events', { description: `Events delivered here, by their \`Vigil-Event\` names: ${EVENT_LIST}.` }),
    isActive: t.exposeBoolean('isActive', { description: 'False once disabled (by an admin, or after repeated failed deliveries).' }),
    disabledReason: t.exposeString('disabledReason', { nullable: true, description: 'Why it was disabled; cleared when re-enabled.' }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', {
      description: 'Deliveries in a row that failed every attempt; reset by any successful delivery.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'PENDING until an attempt succeeds (SUCCEEDED) or the last attempt fails (FAILED).',
  values: { PENDING: { value: 'pending' }, SUCCEEDED: { value: 'succeeded' }, FAILED: { value: 'failed' } } as const,
});

export const WebhookDelivery = builder.loadableNode('WebhookDelivery', {
  description: 'One event sent (or being sent) to a webhook, with the outcome of its latest attempt.',
  id: { resolve: (d: WebhookDeliveryRow) => d.id },
  load: (ids: string[], context) =>
    context.viewer ? loadWebhookDeliveries(context.db, context.viewer, onlyUuids(ids)) : Promise.resolve([]),
  sort: (d) => d.id,
  fields: (t) => ({
    webhook: t.field({ type: Webhook, resolve: (d) => d.webhookId }),
    event: t.exposeString('event', { description: `The \`Vigil-Event\` header: ${EVENT_LIST}, or \`webhook.test\`.` }),
    status: t.field({ type: WebhookDeliveryStatusEnum, resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    responseStatusCode: t.exposeInt('responseStatus', { nullable: true, description: 'HTTP status of the latest attempt; null when no response came.' }),
    durationMs: t.exposeInt('durationMs', { nullable: true, description: 'How long the latest attempt took.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the latest attempt failed.' }),
    body: t.string({ description: 'The JSON body, exactly as sent (the same on every attempt).', resolve: (d) => webhookBody(d) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the event happened.' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true, description: 'When the next retry is due, while one is.' }),
  }),
});

builder.objectField(Webhook, 'deliveries', (t) =>
  t.connection({
    type: WebhookDelivery,
    description: 'Deliveries to this webhook, newest first.',
    resolve: async (webhook, args, context) => toConnection(await listWebhookDeliveries(context.db, context.viewer!, webhook.id, args)),
  }),
);

const CreatedWebhook = builder.objectRef<{ webhook: WebhookRow; secret: string }>('CreatedWebhook').implement({
  fields: (t) => ({
    webhook: t.field({ type: Webhook, resolve: (c) => c.webhook }),
    secret: t.exposeString('secret', { description: 'The signing secret. Shown only once: store it now.' }),
  }),
});

builder.queryField('webhooks', (t) =>
  t.field({
    type: [Webhook],
    description: "The organization's webhooks, newest first. Owners and admins only.",
    authScopes: { role: 'admin' },
    resolve: (_root, _args, context) => listWebhooks(context.db, context.viewer!),
  }),
);

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'An http(s) URL that accepts POST.' }),
    events: t.stringList({ required: true, description: `At least one of ${EVENT_LIST}.` }),
  }),
});

const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  description: 'Fields left out keep their value.',
  fields: (t) => ({
    url: t.string({ required: false }),
    events: t.stringList({ required: false }),
    isActive: t.boolean({
      required: false,
      description: 'True re-enables a disabled webhook (clearing its failure count and reason); false disables it.',
    }),
  }),
});

const webhookErrors = [AuthenticationError, ForbiddenError, ValidationError, NotFoundError] as const;

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: CreatedWebhook,
    description: 'Adds a webhook and returns its signing secret, which is never shown again.',
    authScopes: { role: 'admin' },
    errors: { types: [AuthenticationError, ForbiddenError, ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
    resolve: (_root, { input }, context) => createWebhook(context.db, context.viewer!, context.settings.encryptionKey, input),
  }),
  updateWebhook: t.field({
    type: Webhook,
    authScopes: { role: 'admin' },
    errors: { types: [...webhookErrors] },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateWebhookInput, required: true }) },
    resolve: (_root, { id, input }, context) =>
      updateWebhook(context.db, context.viewer!, parseGlobalId(id, 'Webhook', ['id']), {
        url: input.url ?? undefined,
        events: input.events ?? undefined,
        isActive: input.isActive ?? undefined,
      }),
  }),
  deleteWebhook: t.field({
    type: Webhook,
    description: 'Deletes the webhook and its delivery log. Returns what was deleted.',
    authScopes: { role: 'admin' },
    errors: { types: [...webhookErrors] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => deleteWebhook(context.db, context.viewer!, parseGlobalId(id, 'Webhook', ['id'])),
  }),
  testWebhook: t.field({
    type: WebhookDelivery,
    description: 'Queues a signed `webhook.test` delivery (one attempt, even to a disabled webhook) and returns it; watch its status.',
    authScopes: { role: 'admin' },
    errors: { types: [...webhookErrors] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => testWebhook(context.db, context.viewer!, parseGlobalId(id, 'Webhook', ['id'])),
  }),
}));
