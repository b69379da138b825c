import { and, asc, eq, gt, gte, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { alerts } from '../db/schema/index.ts';
import type { AlertCategory, Severity } from '../db/schema/enums.ts';
import { SEVERITY_RANK } from '../db/schema/enums.ts';
import type { AlertRow } from '../services/alerts.ts';
import type { ScanRow } from '../services/scans.ts';
import type { Viewer } from '../services/viewer.ts';
import type { AlertUpdatedEvent, LiveEvent, ScanProgressEvent } from './events.ts';
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
  /** The stream feeds a group of subscribers, counted by the group rather than by the hub. */
  isGroupUpstream?: boolean;
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
 * One item per event for every subscriber it reaches, so that subscribers who would see the same
 * thing share one execution of it (per-event-context.ts keys executions by item).
 */
const sharedItems = new WeakMap<LoadedEvent, object>();
function sharedItem<T extends object>(loaded: LoadedEvent, make: () => T): T {
  let item = sharedItems.get(loaded) as T | undefined;
  if (!item) sharedItems.set(loaded, (item = make()));
  return item;
}

/** The hub's filter by event type, one set per type rather than one per subscription. */
const ALERT_CREATED: ReadonlySet<LiveEvent['type']> = new Set(['alert.created']);
const ALERT_UPDATED: ReadonlySet<LiveEvent['type']> = new Set(['alert.updated']);
const SCAN_PROGRESS: ReadonlySet<LiveEvent['type']> = new Set(['scan.progress']);

/**
 * New alerts of the viewer's organization, in commit order. Positions are the organization's alert
 * numbers (`created_seq`), which follow its commit order. With `afterSeq`, first every matching
 * alert committed after that position, then live ones, with no gap and no duplicate at the seam:
 * the live listener is registered before the replay reads, live events that arrive meanwhile wait in
 * a buffer, and anything at or below the last delivered position is dropped. After a database
 * reconnect, or when the hub could not load the alerts it was told about, the same catch-up runs
 * again.
 *
 * Without `afterSeq` the stream starts at the hub's position at registration: every alert the hub
 * announces from then on is delivered. (Reading "the newest alert now" from the database instead
 * would race the subscription: an alert committed after registration but before that read would be
 * counted as already seen and silently dropped.)
 *
 * A replay never overfills the queue: it reads a page only when the client has room for it, so a
 * long absence is paced by the client rather than cut off as a slow consumer.
 */
export function alertCreatedStream(
  hub: EventHub,
  db: Db,
  viewer: Viewer,
  filter: AlertStreamFilter,
  afterSeq: number | null,
  options: LiveOptions,
): AsyncIterableIterator<AlertCreatedItem> {
  const capacity = options.capacity;
  const pageSize = Math.max(1, Math.min(REPLAY_PAGE, Math.floor((capacity - 1) / 2)));
  // Live events held back while a catch-up reads; past this many they are dropped and read from
  // the table instead (they are committed, so the next read sees them).
  const bufferLimit = Math.max(1, capacity - 1);
  let lastSeq = afterSeq ?? hub.alertSeqPosition(viewer.organizationId);
  let isCatchingUp = false;
  let isBufferIncomplete = false;
  let buffered: AlertCreatedItem[] = [];
  let isCatchUpRunning = false;
  let isCatchUpRequested = false;
  const cleanups: (() => void)[] = [];
  const queue = new BoundedQueue<AlertCreatedItem>(capacity, () => cleanups.forEach((c) => c()));

  const emit = (item: AlertCreatedItem) => {
    if (item.seq <= lastSeq) return;
    lastSeq = item.seq;
    queue.push(item);
    if (queue.size >= capacity) options.onSlowConsumer?.();
  };

  const readOnce = async () => {
    for (;;) {
      await queue.waitForRoom(pageSize);
      if (queue.isClosed) return;
      const rows = await db
        .select()
        .from(alerts)
        .where(
          and(
            eq(alerts.organizationId, viewer.organizationId),
            gt(alerts.createdSeq, lastSeq),
            isNull(alerts.silencedAt),
            filter.monitorIds?.length ? inArray(alerts.monitorId, filter.monitorIds) : undefined,
            filter.minSeverity ? gte(alerts.severityRank, SEVERITY_RANK[filter.minSeverity]) : undefined,
            filter.categories?.length ? inArray(alerts.category, filter.categories) : undefined,
          ),
        )
        .orderBy(asc(alerts.createdSeq))
        .limit(pageSize);
      for (const alert of rows) emit({ alert, seq: alert.createdSeq! });
      if (rows.length < pageSize) return;
    }
  };

  const catchUp = async () => {
    try {
      while (!queue.isClosed) {
        isBufferIncomplete = false;
        await readOnce();
        // Hand over to live delivery once the client has room for what waited in the buffer.
        while (!isBufferIncomplete && !queue.isClosed && queue.size + buffered.length >= capacity) {
          await queue.waitForRoom(buffered.length);
        }
        // Live events were dropped meanwhile: they are committed, so read the table again.
        if (!isBufferIncomplete) break;
      }
    } finally {
      // Another reconnect meanwhile: keep buffering, the next catch-up reads what it missed first.
      if (!isCatchUpRequested || queue.isClosed) {
        const pending = buffered;
        buffered = [];
        isCatchingUp = false;
        for (const item of pending) emit(item);
      }
    }
  };

  /** Runs catch-ups one at a time; one requested while another runs starts when it ends. */
  const requestCatchUp = () => {
    // Buffer at once: a live event emitted before the read would move lastSeq past the missed ones.
    isCatchingUp = true;
    if (isCatchUpRunning) {
      isCatchUpRequested = true;
      return;
    }
    isCatchUpRunning = true;
    void (async () => {
      try {
        do {
          isCatchUpRequested = false;
          await catchUp();
        } while (isCatchUpRequested && !queue.isClosed);
      } finally {
        isCatchUpRunning = false;
      }
    })().catch((error: Error) => queue.fail(error));
  };

  cleanups.push(
    hub.subscribe({
      organizationId: viewer.organizationId,
      types: ALERT_CREATED,
      isUncounted: options.isGroupUpstream,
      deliver: (loaded: LoadedEvent) => {
        const { event, alert } = loaded;
        if (event.type !== 'alert.created' || !alert || !matches(alert, filter)) return;
        const item = sharedItem(loaded, () => ({ alert, seq: event.seq }));
        if (!isCatchingUp) {
          emit(item);
          return;
        }
        if (buffered.length >= bufferLimit) {
          buffered = [];
          isBufferIncomplete = true;
        }
        if (!isBufferIncomplete) buffered.push(item);
      },
      onMissed: requestCatchUp,
    }),
    hub.onReconnect(requestCatchUp),
  );

  if (afterSeq !== null) requestCatchUp();
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
    types: ALERT_UPDATED,
    isUncounted: options.isGroupUpstream,
    deliver: (loaded) => {
      const { event, alert } = loaded;
      if (event.type !== 'alert.updated' || !alert || !matches(alert, filter)) return;
      queue.push(sharedItem(loaded, () => ({ alert, change: event.change })));
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
    types: SCAN_PROGRESS,
    deliver: (loaded) => {
      const { event, scan } = loaded;
      if (event.type !== 'scan.progress' || !scan) return;
      if ('scanId' in target ? event.scanId !== target.scanId : event.monitorId !== target.monitorId) return;
      queue.push(sharedItem(loaded, () => ({ scan, event })));
      if ('scanId' in target && FINAL_PHASES.has(event.phase)) queue.end();
    },
  });
  return queue;
}
