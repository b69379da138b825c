import { and, asc, eq, gt, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { alerts } from '../db/schema/index.ts';
import type { AlertCategory, Severity } from '../db/schema/enums.ts';
import { SEVERITY_RANK, type AlertRow } from '../services/alerts.ts';
import type { ScanRow } from '../services/scans.ts';
import type { Viewer } from '../services/viewer.ts';
import type { AlertUpdatedEvent, ScanProgressEvent } from './events.ts';
import type { EventHub, LoadedEvent } from './hub.ts';
import { BoundedQueue } from './queue.ts';

export interface AlertStreamFilter {
  monitorIds?: string[] | null;
  minSeverity?: Severity | null;
  categories?: AlertCategory[] | null;
}

export interface LiveOptions {
  /** Events allowed to wait per subscription before the client counts as too slow. */
  capacity: number;
  /** Called when a subscriber overflows, so the connection can be closed with a clear code. */
  onSlowConsumer?: () => void;
}

export interface AlertCreatedItem {
  alert: AlertRow;
  seq: number;
}

function matches(alert: AlertRow, filter: AlertStreamFilter): boolean {
  if (filter.monitorIds?.length && !filter.monitorIds.includes(alert.monitorId)) return false;
  if (filter.minSeverity && SEVERITY_RANK[alert.severity] < SEVERITY_RANK[filter.minSeverity]) return false;
  if (filter.categories?.length && !filter.categories.includes(alert.category)) return false;
  return true;
}

const REPLAY_PAGE = 500;

/**
 * New alerts of the viewer's organization, in commit order. With `afterSeq`, first every matching
 * alert committed after that position, then live ones, with no gap and no duplicate at the seam:
 * the live listener is registered before the replay reads, and anything at or below the last
 * delivered position is dropped. After a database reconnect the same catch-up runs again.
 */
export function alertCreatedStream(
  hub: EventHub,
  db: Db,
  viewer: Viewer,
  filter: AlertStreamFilter,
  afterSeq: number | null,
  options: LiveOptions,
): AsyncIterableIterator<AlertCreatedItem> {
  let lastSeq = afterSeq ?? -1;
  let isCatchingUp = true;
  let buffered: AlertCreatedItem[] = [];
  const cleanups: (() => void)[] = [];
  const queue = new BoundedQueue<AlertCreatedItem>(options.capacity, () => cleanups.forEach((c) => c()));

  const emit = (item: AlertCreatedItem) => {
    if (item.seq <= lastSeq) return;
    lastSeq = item.seq;
    queue.push(item);
    if (queue.size >= options.capacity) options.onSlowConsumer?.();
  };

  const catchUp = async () => {
    isCatchingUp = true;
    try {
      for (;;) {
        const rows = await db
          .select()
          .from(alerts)
          .where(
            and(
              eq(alerts.organizationId, viewer.organizationId),
              gt(alerts.createdSeq, lastSeq),
              filter.monitorIds?.length ? inArray(alerts.monitorId, filter.monitorIds) : undefined,
              filter.minSeverity ? gte(alerts.severityRank, SEVERITY_RANK[filter.minSeverity]) : undefined,
              filter.categories?.length ? inArray(alerts.category, filter.categories) : undefined,
            ),
          )
          .orderBy(asc(alerts.createdSeq))
          .limit(REPLAY_PAGE);
        for (const alert of rows) emit({ alert, seq: alert.createdSeq! });
        if (rows.length < REPLAY_PAGE) break;
      }
    } finally {
      const pending = buffered;
      buffered = [];
      isCatchingUp = false;
      for (const item of pending) emit(item);
    }
  };

  cleanups.push(
    hub.subscribe({
      organizationId: viewer.organizationId,
      types: new Set(['alert.created']),
      deliver: ({ event, alert }: LoadedEvent) => {
        if (event.type !== 'alert.created' || !alert || !matches(alert, filter)) return;
        const item = { alert, seq: event.seq };
        if (isCatchingUp) buffered.push(item);
        else emit(item);
      },
    }),
    hub.onReconnect(() => void catchUp().catch((error: Error) => queue.fail(error))),
  );

  void (async () => {
    if (afterSeq === null) {
      // Live only: start from what is committed now, so a reconnect catch-up has a position.
      const [row] = await db
        .select({ max: sql<number>`coalesce(max(${alerts.createdSeq}), 0)::bigint` })
        .from(alerts)
        .where(eq(alerts.organizationId, viewer.organizationId));
      lastSeq = Math.max(lastSeq, Number(row?.max ?? 0));
      const pending = buffered;
      buffered = [];
      isCatchingUp = false;
      for (const item of pending) emit(item);
    } else {
      await catchUp();
    }
  })().catch((error: Error) => queue.fail(error));
  return queue;
}

export interface AlertUpdatedItem {
  alert: AlertRow;
  change: AlertUpdatedEvent['change'];
}

/** Status changes, notes and new occurrences of the organization's alerts, live. */
export function alertUpdatedStream(hub: EventHub, viewer: Viewer, filter: AlertStreamFilter, options: LiveOptions): AsyncIterableIterator<AlertUpdatedItem> {
  let unsubscribe = () => {};
  const queue = new BoundedQueue<AlertUpdatedItem>(options.capacity, () => unsubscribe());
  unsubscribe = hub.subscribe({
    organizationId: viewer.organizationId,
    types: new Set(['alert.updated']),
    deliver: ({ event, alert }) => {
      if (event.type !== 'alert.updated' || !alert || !matches(alert, filter)) return;
      queue.push({ alert, change: event.change });
      if (queue.size >= options.capacity) options.onSlowConsumer?.();
    },
  });
  return queue;
}

export interface ScanProgressItem {
  scan: ScanRow;
  event: ScanProgressEvent;
}

const FINAL_PHASES = new Set(['succeeded', 'failed', 'skipped']);

/** Progress of one scan (ending when it finishes) or of every scan of one monitor. */
export function scanProgressStream(
  hub: EventHub,
  viewer: Viewer,
  target: { scanId: string } | { monitorId: string },
  options: LiveOptions,
): AsyncIterableIterator<ScanProgressItem> {
  let unsubscribe = () => {};
  const queue = new BoundedQueue<ScanProgressItem>(options.capacity, () => unsubscribe());
  unsubscribe = hub.subscribe({
    organizationId: viewer.organizationId,
    types: new Set(['scan.progress']),
    deliver: ({ event, scan }) => {
      if (event.type !== 'scan.progress' || !scan) return;
      if ('scanId' in target ? event.scanId !== target.scanId : event.monitorId !== target.monitorId) return;
      queue.push({ scan, event });
      if ('scanId' in target && FINAL_PHASES.has(event.phase)) queue.end();
    },
  });
  return queue;
}
