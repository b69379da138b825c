import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { PLANS } from './plans.ts';

/** Alerts deleted per transaction: short transactions, short locks, whatever the backlog. */
export const PURGE_BATCH_SIZE = 1_000;

export interface PurgeResult {
  deleted: number;
  /** Alerts deleted by each batch, one transaction each. */
  batches: number[];
}

/**
 * Deletes alerts not seen within their organization's plan retention, in transactions of at most
 * `batchSize` alerts, until none is left. Each batch finds, per organization, its oldest expired
 * alerts on `alerts_org_last_seen_idx`, so it reads what it deletes rather than every alert.
 * Purged alerts keep their place in the statistics: the rollup triggers skip these deletes.
 */
export async function purgeExpiredAlerts(db: Db, options: { batchSize?: number } = {}): Promise<PurgeResult> {
  const batchSize = options.batchSize ?? PURGE_BATCH_SIZE;
  const retention = sql.join(
    Object.values(PLANS).map((plan) => sql`when ${plan.name} then ${plan.retentionDays}`),
    sql` `,
  );
  const cutoff = (plan: SQL) => sql`now() - make_interval(days => (case ${plan} ${retention} end)::int)`;
  const batches: number[] = [];
  for (;;) {
    const deleted = await db.transaction(async (tx) => {
      await tx.execute(sql`set local vigil.keep_rollup = 'on'`);
      // The delete repeats the condition: an alert seen again while this waited for its row lock
      // is re-checked on its new version and kept.
      const rows = await tx.execute(sql`
        delete from alerts a using organizations o
        where a.id = any(array(
            select expired.id from organizations org
            cross join lateral (
              select id from alerts
              where organization_id = org.id and last_seen_at < ${cutoff(sql`org.plan`)}
              order by last_seen_at
              limit ${batchSize}
            ) expired
            limit ${batchSize}))
          and o.id = a.organization_id and a.last_seen_at < ${cutoff(sql`o.plan`)}
        returning a.id`);
      return rows.length;
    });
    batches.push(deleted);
    if (deleted < batchSize) return { deleted: batches.reduce((sum, n) => sum + n, 0), batches };
  }
}
