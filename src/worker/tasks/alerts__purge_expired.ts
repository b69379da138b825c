import { sql } from 'drizzle-orm';
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/client.ts';
import { PLANS } from '../../services/plans.ts';

/** Cron, daily: deletes alerts not seen within their organization's plan retention. */
export function purgeExpiredAlertsTask(db: Db): Task<'alerts__purge_expired'> {
  return async (_payload, helpers) => {
    const retention = sql.join(
      Object.values(PLANS).map((plan) => sql`when ${plan.name} then ${plan.retentionDays}`),
      sql` `,
    );
    // Purged alerts keep their place in the statistics: the rollup triggers skip these deletes.
    const rows = await db.transaction(async (tx) => {
      await tx.execute(sql`set local vigil.keep_rollup = 'on'`);
      return tx.execute<{ id: string }>(sql`
      delete from alerts a using organizations o
      where a.organization_id = o.id
        and a.last_seen_at < now() - make_interval(days => (case o.plan ${retention} end)::int)
      returning a.id`);
    });
    if (rows.length > 0) helpers.logger.info(`purged ${rows.length} alerts past retention`);
  };
}
