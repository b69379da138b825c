import type { Task } from 'graphile-worker';
import type { Db } from '../../db/client.ts';
import { enqueueDueMonitors } from '../../services/scans.ts';

/** Cron, every minute: queue a scan for every due monitor, in batches until none is left. */
export function enqueueDueTask(db: Db, batchSize: number): Task<'monitors__enqueue_due'> {
  return async (_payload, helpers) => {
    let total = 0;
    for (;;) {
      const claimed = await enqueueDueMonitors(db, batchSize);
      total += claimed;
      if (claimed < batchSize) break;
    }
    if (total > 0) helpers.logger.info(`queued scans for ${total} due monitors`);
  };
}
