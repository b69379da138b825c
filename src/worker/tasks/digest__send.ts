import type { Task } from 'graphile-worker';
import { sendDailyDigest, type DigestDeps } from '../../services/digests.ts';
import { isUuid } from '../../services/validation.ts';

export interface DigestSendPayload {
  organizationId: string;
  /** The UTC day summarized, `YYYY-MM-DD`. */
  day: string;
}

export function assertDigestSendPayload(payload: unknown): asserts payload is DigestSendPayload {
  const p = payload as DigestSendPayload;
  if (
    typeof payload !== 'object' ||
    payload === null ||
    typeof p.organizationId !== 'string' ||
    !isUuid(p.organizationId) ||
    typeof p.day !== 'string' ||
    !/^\d{4}-\d\d-\d\d$/.test(p.day) ||
    Number.isNaN(Date.parse(`${p.day}T00:00:00Z`))
  ) {
    throw new Error(`digest__send: invalid payload ${JSON.stringify(payload)}`);
  }
}

/**
 * Queued by `digests__enqueue_daily`: one organization's digest for one day. Safe to run any number
 * of times; a failed SMTP send throws, and graphile-worker's backoff brings the retry.
 */
export function digestSendTask(deps: DigestDeps): Task<'digest__send'> {
  return async (payload, helpers) => {
    assertDigestSendPayload(payload);
    const outcome = await sendDailyDigest(deps, payload.organizationId, payload.day);
    if (outcome === 'already-sent') helpers.logger.debug(`digest ${payload.organizationId} ${payload.day}: already sent, nothing to do`);
    if (outcome === 'nothing-to-do') helpers.logger.debug(`digest ${payload.organizationId} ${payload.day}: organization is gone, nothing to do`);
  };
}
