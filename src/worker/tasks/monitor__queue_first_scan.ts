import type { Task } from 'graphile-worker';
import type { Db } from '../../db/client.ts';
import { enqueueIfDue } from '../../services/scans.ts';
import { assertMonitorScanPayload } from './monitor__scan.ts';

/**
 * A monitor was created or resumed and is due: queue its scan now instead of at the next cron
 * tick, through the scheduler's own statement (same claim, scan row, `monitor__scan` job key and
 * credit charge). Nothing to do if the scheduler got there first or the monitor is gone or paused.
 */
export function queueFirstScanTask(db: Db): Task<'monitor__queue_first_scan'> {
  return async (payload, helpers) => {
    assertMonitorScanPayload(payload);
    const queued = await enqueueIfDue(db, payload.monitorId);
    if (!queued) helpers.logger.debug(`monitor ${payload.monitorId}: not due any more, nothing to do`);
  };
}
