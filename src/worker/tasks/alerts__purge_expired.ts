import type { Task } from 'graphile-worker';
import type { Db } from '../../db/client.ts';
import { purgeExpiredAlerts } from '../../services/retention.ts';

/** Cron, daily: deletes alerts not seen within their organization's plan retention, in batches. */
export function purgeExpiredAlertsTask(db: Db): Task<'alerts__purge_expired'> {
  return async (_payload, helpers) => {
    const { deleted, batches } = await purgeExpiredAlerts(db);
    if (deleted > 0) helpers.logger.info(`purged ${deleted} alerts past retention in ${batches.length} batches`);
  };
}
