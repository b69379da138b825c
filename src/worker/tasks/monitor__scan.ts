import type { Task } from 'graphile-worker';
import { runMonitorScan, type ScanDeps } from '../../scanning/run-scan.ts';
import { isUuid } from '../../services/validation.ts';

export interface MonitorScanPayload {
  monitorId: string;
}

export function assertMonitorScanPayload(payload: unknown): asserts payload is MonitorScanPayload {
  if (typeof payload !== 'object' || payload === null || typeof (payload as MonitorScanPayload).monitorId !== 'string' || !isUuid((payload as MonitorScanPayload).monitorId)) {
    throw new Error(`monitor__scan: invalid payload ${JSON.stringify(payload)}`);
  }
}

/** Scans one monitor: its oldest waiting scan, or the one a killed worker left running. */
export function monitorScanTask(deps: ScanDeps): Task<'monitor__scan'> {
  return async (payload, helpers) => {
    assertMonitorScanPayload(payload);
    const outcome = await runMonitorScan(deps, payload.monitorId);
    if (outcome === 'nothing-to-do') helpers.logger.debug(`monitor ${payload.monitorId}: no waiting scan, nothing to do`);
  };
}
