import type { Task } from 'graphile-worker';
import type { Metrics } from '../../http/metrics.ts';
import { scanMonitor, type RecordedScan, type ScanDeps } from '../../scanning/run-scan.ts';
import { isUuid } from '../../services/validation.ts';

export interface MonitorScanPayload {
  monitorId: string;
}

/** More than a monitor can have waiting (one running, one queued, one queued meanwhile); a bound, not a budget. */
const MAX_SCANS_PER_JOB = 5;

export function assertMonitorScanPayload(payload: unknown): asserts payload is MonitorScanPayload {
  if (typeof payload !== 'object' || payload === null || typeof (payload as MonitorScanPayload).monitorId !== 'string' || !isUuid((payload as MonitorScanPayload).monitorId)) {
    throw new Error(`monitor__scan: invalid payload ${JSON.stringify(payload)}`);
  }
}

/**
 * Scans one monitor until nothing is left waiting: the scan a killed worker left running, then any
 * queued one. Running only the oldest is not enough: a scan queued while another is running gets a
 * job of its own, but that job resumes the running scan first (it cannot tell a live worker from a
 * dead one), and the queued scan would then wait forever — blocking the scheduler too, which queues
 * at most one scan per monitor.
 */
export function monitorScanTask(deps: ScanDeps, metrics?: Metrics): Task<'monitor__scan'> {
  const scanDeps: ScanDeps = metrics ? { ...deps, onRecorded: (scan) => recordScanMetrics(metrics, scan) } : deps;
  return async (payload, helpers) => {
    assertMonitorScanPayload(payload);
    for (let round = 0; round < MAX_SCANS_PER_JOB; round += 1) {
      const { outcome, isMoreWaiting } = await scanMonitor(scanDeps, payload.monitorId);
      if (outcome === 'nothing-to-do' && round === 0) helpers.logger.debug(`monitor ${payload.monitorId}: no waiting scan, nothing to do`);
      if (!isMoreWaiting) return;
    }
  };
}

/** Scan duration and LLM usage of a scan this process recorded. (Tokens an attempt that lost the race spent are recorded nowhere, so they are not counted.) */
function recordScanMetrics(metrics: Metrics, scan: RecordedScan): void {
  if (scan.durationSeconds !== null) metrics.scanDuration.observe({ status: scan.status }, scan.durationSeconds);
  if (scan.promptTokens > 0) metrics.llmTokens.inc({ kind: 'prompt' }, scan.promptTokens);
  if (scan.completionTokens > 0) metrics.llmTokens.inc({ kind: 'completion' }, scan.completionTokens);
  if (scan.costUsd > 0) metrics.llmCostUsd.inc(scan.costUsd);
}
