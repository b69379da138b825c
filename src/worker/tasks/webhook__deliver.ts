import type { Task } from 'graphile-worker';
import { deliverWebhook, type WebhookDeliveryDeps } from '../../services/webhook-delivery.ts';
import { isUuid } from '../../services/validation.ts';

export interface WebhookDeliverPayload {
  deliveryId: string;
}

export function assertWebhookDeliverPayload(payload: unknown): asserts payload is WebhookDeliverPayload {
  if (
    typeof payload !== 'object' ||
    payload === null ||
    typeof (payload as WebhookDeliverPayload).deliveryId !== 'string' ||
    !isUuid((payload as WebhookDeliverPayload).deliveryId)
  ) {
    throw new Error(`webhook__deliver: invalid payload ${JSON.stringify(payload)}`);
  }
}

/**
 * Queued by the database triggers (and `testWebhook`) in the transaction that raised the event:
 * one attempt at one delivery. Failed attempts schedule their own retry, so this task only throws
 * when the database itself fails, and graphile-worker's retries cover that.
 */
export function webhookDeliverTask(deps: WebhookDeliveryDeps): Task<'webhook__deliver'> {
  return async (payload, helpers) => {
    assertWebhookDeliverPayload(payload);
    const outcome = await deliverWebhook(deps, payload.deliveryId);
    if (outcome === 'nothing-to-do') helpers.logger.debug(`delivery ${payload.deliveryId}: already done or deleted, nothing to do`);
  };
}
