import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';

/** One charge against a caller's budget: `cost` points out of `limit` per fixed window. */
export interface RateLimitCharge {
  /** `key:<apiKeyId>`, `user:<userId>` or `ip:<address>`. */
  key: string;
  cost: number;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitState {
  /** False: the cost did not fit in what is left of the window, and nothing was charged. */
  isAllowed: boolean;
  cost: number;
  limit: number;
  /** Points spent in the current window, this charge included when it was allowed. */
  used: number;
  remaining: number;
  /** When the current window ends and the full budget is back. */
  resetAt: Date;
}

/**
 * Charges `cost` points in one atomic statement, so replicas sharing the database share the budget
 * and concurrent requests cannot overspend it. A window that has ended restarts at the database's
 * `now()` (one clock for every replica). A charge that does not fit is refused and costs nothing:
 * a client retrying too early does not push its own reset further away.
 */
export async function chargeRateLimit(db: DbOrTx, charge: RateLimitCharge): Promise<RateLimitState> {
  const { key, cost, limit, windowSeconds } = charge;
  const window = sql`make_interval(secs => ${windowSeconds}::float8)`;
  const rows = await db.execute<{ is_allowed: boolean; used: number; reset_at_ms: number }>(sql`
    with charged as (
      insert into rate_limit_buckets as b (key, window_started_at, points_used)
      select ${key}::text, now(), ${cost}::int where ${cost}::int <= ${limit}::int
      on conflict (key) do update set
        window_started_at = case when b.window_started_at + ${window} <= now() then now() else b.window_started_at end,
        points_used = case when b.window_started_at + ${window} <= now() then excluded.points_used else b.points_used + excluded.points_used end
      where b.window_started_at + ${window} <= now() or b.points_used + excluded.points_used <= ${limit}::int
      returning b.points_used, b.window_started_at
    )
    select true as is_allowed, points_used as used,
           (extract(epoch from window_started_at + ${window}) * 1000)::float8 as reset_at_ms
      from charged
    union all
    select false, points_used, (extract(epoch from window_started_at + ${window}) * 1000)::float8
      from rate_limit_buckets
     where key = ${key}::text and window_started_at + ${window} > now() and not exists (select from charged)`);
  const row = rows[0];
  // Refused with no live window: the cost alone is over the whole budget.
  const used = row ? Number(row.used) : 0;
  const resetAt = row ? new Date(Number(row.reset_at_ms)) : new Date(Date.now() + windowSeconds * 1000);
  return { isAllowed: row?.is_allowed ?? false, cost, limit, used, remaining: Math.max(0, limit - used), resetAt };
}

/**
 * Deletes buckets whose window ended at least one more window ago, a batch at a time. A bucket past
 * its window is as good as absent (the next charge restarts it); the extra window keeps the purge
 * away from rows still in use even when replicas briefly run with different window lengths.
 * Returns how many were deleted.
 */
export async function purgeExpiredRateLimitBuckets(db: DbOrTx, windowSeconds: number, batchSize = 5_000): Promise<number> {
  let purged = 0;
  for (;;) {
    const rows = await db.execute<{ key: string }>(sql`
      delete from rate_limit_buckets
       where key in (
         select key from rate_limit_buckets
          where window_started_at < now() - make_interval(secs => ${windowSeconds * 2}::float8)
          limit ${batchSize}::int)
      returning key`);
    purged += rows.length;
    if (rows.length < batchSize) return purged;
  }
}
