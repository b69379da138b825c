import type { Task } from 'graphile-worker';
import type { Db } from '../../db/client.ts';
import { previousUtcDay } from '../../services/digest-report.ts';
import { enqueueDailyDigests } from '../../services/digests.ts';

export interface DigestsEnqueueDailyPayload {
  /** Set by graphile-worker's cron: the tick this job is for, also when backfilled or retried. */
  _cron?: { ts: string; backfilled?: boolean };
}

export function assertDigestsEnqueueDailyPayload(payload: unknown): asserts payload is DigestsEnqueueDailyPayload {
  const cron = (payload as DigestsEnqueueDailyPayload | null)?._cron;
  if (typeof payload !== 'object' || payload === null || (cron !== undefined && (typeof cron.ts !== 'string' || Number.isNaN(Date.parse(cron.ts))))) {
    throw new Error(`digests__enqueue_daily: invalid payload ${JSON.stringify(payload)}`);
  }
}

/**
 * Cron, daily at DIGEST_HOUR_UTC: queues the previous UTC day's digest of every organization. The
 * day comes from the cron tick, not the clock, so a late or backfilled run still picks the right one.
 */
export function enqueueDailyDigestsTask(db: Db, isEmailEnabled: boolean): Task<'digests__enqueue_daily'> {
  return async (payload, helpers) => {
    assertDigestsEnqueueDailyPayload(payload);
    const day = previousUtcDay(payload._cron ? new Date(payload._cron.ts) : new Date());
    const queued = await enqueueDailyDigests(db, day, isEmailEnabled);
    helpers.logger.info(`queued ${queued} digests for ${day}`);
  };
}
