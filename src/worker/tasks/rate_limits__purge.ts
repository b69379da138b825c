import type { Task } from 'graphile-worker';
import type { Db } from '../../db/client.ts';
import { purgeExpiredRateLimitBuckets } from '../../services/rate-limits.ts';

/**
 * Cron, hourly: deletes rate-limit buckets whose window ended long ago. Anonymous callers leave one
 * row per IP address; nothing else would ever remove them. Safe to run any number of times.
 */
export function purgeRateLimitBucketsTask(db: Db, windowSeconds: number): Task<'rate_limits__purge'> {
  return async (_payload, helpers) => {
    const purged = await purgeExpiredRateLimitBuckets(db, windowSeconds);
    if (purged > 0) helpers.logger.info(`purged ${purged} expired rate-limit buckets`);
  };
}
