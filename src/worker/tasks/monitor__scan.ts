import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/client.ts';
import { scans } from '../../db/schema/index.ts';
import type { Metrics } from '../../http/metrics.ts';
import { runMonitorScan, type ScanDeps } from '../../scanning/run-scan.ts';
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
  const observeScan = metrics ? scanObserver(deps.db, metrics) : undefined;
  return async (payload, helpers) => {
    assertMonitorScanPayload(payload);
    for (let round = 0; round < MAX_SCANS_PER_JOB; round += 1) {
      // The scan this round will take, read the way runMonitorScan picks it, so its figures can be recorded after.
      const scanId = observeScan ? await oldestWaitingScanId(deps.db, payload.monitorId) : undefined;
      const outcome = await runMonitorScan(deps, payload.monitorId);
      if (outcome === 'nothing-to-do') {
        if (round === 0) helpers.logger.debug(`monitor ${payload.monitorId}: no waiting scan, nothing to do`);
        return;
      }
      if (scanId && (outcome === 'succeeded' || outcome === 'failed')) await observeScan?.(scanId);
    }
  };
}

async function oldestWaitingScanId(db: Db, monitorId: string): Promise<string | undefined> {
  const [waiting] = await db
    .select({ id: scans.id })
    .from(scans)
    .where(and(eq(scans.monitorId, monitorId), inArray(scans.status, ['queued', 'running'])))
    .orderBy(asc(scans.queuedAt))
    .limit(1);
  return waiting?.id;
}

/** Scans already counted by this process, newest last; bounded, since only recent ones can repeat. */
const COUNTED_SCANS_KEPT = 1_000;

/**
 * Scan duration and LLM usage from the scan's recorded row, once per scan: two jobs of one monitor
 * may both resume the same scan, and only one of them records it. (Tokens the losing attempt spent
 * are recorded nowhere, so they are not counted.)
 */
function scanObserver(db: Db, metrics: Metrics) {
  const counted = new Set<string>();
  return async (scanId: string) => {
    if (counted.has(scanId)) return;
    const [scan] = await db
      .select({
        status: scans.status,
        startedAt: scans.startedAt,
        finishedAt: scans.finishedAt,
        promptTokens: scans.promptTokens,
        completionTokens: scans.completionTokens,
        costUsd: scans.costUsd,
      })
      .from(scans)
      .where(eq(scans.id, scanId));
    if (!scan?.finishedAt || (scan.status !== 'succeeded' && scan.status !== 'failed')) return;
    counted.add(scanId);
    if (counted.size > COUNTED_SCANS_KEPT) counted.delete(counted.values().next().value!);
    if (scan.startedAt) metrics.scanDuration.observe({ status: scan.status }, (scan.finishedAt.getTime() - scan.startedAt.getTime()) / 1000);
    if (scan.promptTokens > 0) metrics.llmTokens.inc({ kind: 'prompt' }, scan.promptTokens);
    if (scan.completionTokens > 0) metrics.llmTokens.inc({ kind: 'completion' }, scan.completionTokens);
    const cost = Number(scan.costUsd);
    if (cost > 0) metrics.llmCostUsd.inc(cost);
  };
}
