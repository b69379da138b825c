/**
 * The alerts list as the console shows it: keyset pages of the API's `alerts` (newest first), plus
 * alerts pushed live by `alertCreated`, plus status changes pushed by `alertUpdated` — one row per
 * alert, whichever way it arrived first.
 *
 * After a dropped connection `alertCreated` is resubscribed with the cursor of the last alert it
 * delivered, so the server replays exactly what was committed meanwhile: no gap, and (rows being
 * keyed by ID) no duplicate.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import {
  ConsoleAlertCreatedDocument,
  ConsoleAlertUpdatedDocument,
  ConsoleAlertsDocument,
  type AlertFilter,
  type ConsoleAlertRowFragment,
  type Severity,
} from '../generated/graphql.ts';
import { live, type LiveConnection } from './client.ts';

const PAGE_SIZE = 25;
const SEVERITY_RANK: Record<Severity, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

/** Whether a live alert belongs in a list filtered by `filter` (text as a case-blind title/URL match). */
export function matchesFilter(alert: ConsoleAlertRowFragment, filter: AlertFilter): boolean {
  if (filter.statuses?.length && !filter.statuses.includes(alert.status)) return false;
  if (filter.minSeverity && SEVERITY_RANK[alert.severity] < SEVERITY_RANK[filter.minSeverity]) return false;
  if (filter.categories?.length && !filter.categories.includes(alert.category)) return false;
  if (filter.monitorIds?.length && !filter.monitorIds.includes(alert.monitor.id)) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    if (!`${alert.title} ${alert.url ?? ''}`.toLowerCase().includes(needle)) return false;
  }
  return true;
}

function byNewest(a: ConsoleAlertRowFragment, b: ConsoleAlertRowFragment): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

function merge(rows: ConsoleAlertRowFragment[], incoming: ConsoleAlertRowFragment[]): ConsoleAlertRowFragment[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const row of incoming) byId.set(row.id, row);
  return [...byId.values()].sort(byNewest);
}

export interface AlertList {
  rows: ConsoleAlertRowFragment[];
  isLoading: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore(): void;
  /** Puts rows a mutation returned in place. */
  replace(rows: ConsoleAlertRowFragment[]): void;
}

export function useAlertList(connection: LiveConnection, filter: AlertFilter): AlertList {
  const client = useClient();
  const [rows, setRows] = useState<ConsoleAlertRowFragment[]>([]);
  const [isLoading, setIsLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [endCursor, setEndCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const filterKey = JSON.stringify(filter);
  /** Where the next page starts; set by the first page and by each "load more", not by re-reads. */
  const endCursorRef = useRef<string | null>(null);
  /** Bumped when the filter changes, so a page that arrives late for the old filter is dropped. */
  const generationRef = useRef(0);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const generation = generationRef.current;
      const result = await client.query(ConsoleAlertsDocument, { filter: filterRef.current, first: PAGE_SIZE, after }).toPromise();
      if (generation !== generationRef.current) return;
      if (result.error || !result.data) {
        setError(result.error?.message ?? 'The alerts could not be loaded.');
        return;
      }
      setError(null);
      const page = result.data.alerts;
      setRows((current) => merge(current, page.nodes));
      if (after !== null || endCursorRef.current === null) {
        endCursorRef.current = page.pageInfo.endCursor;
        setEndCursor(page.pageInfo.endCursor);
        setHasMore(page.pageInfo.hasNextPage);
      }
    },
    [client],
  );

  // Keyed by the filter's content, not its identity (a new object each render).
  useEffect(() => {
    let isCurrent = true;
    generationRef.current += 1;
    setRows([]);
    setIsLoading(true);
    endCursorRef.current = null;
    setEndCursor(null);
    // Live first, then the first page: an alert committed in between arrives one way or the other.
    let liveCursor: string | null = null;
    const stopCreated = live(
      connection,
      ConsoleAlertCreatedDocument,
      () => ({ after: liveCursor }),
      (data) => {
        liveCursor = data.alertCreated.cursor;
        const alert = data.alertCreated.alert;
        if (isCurrent && matchesFilter(alert, filterRef.current)) setRows((current) => merge(current, [alert]));
      },
    );
    const stopUpdated = live(
      connection,
      ConsoleAlertUpdatedDocument,
      () => ({}),
      (data) => {
        const alert = data.alertUpdated.alert;
        if (isCurrent) setRows((current) => (current.some((row) => row.id === alert.id) ? merge(current, [alert]) : current));
      },
    );
    // Back online: status changes are not replayed, and without a cursor yet (no live alert so far)
    // neither are new alerts, so the newest page is read again as well.
    let wasOffline = false;
    const stopWatchingState = connection.onState((state) => {
      if (state === 'offline') wasOffline = true;
      if (state === 'live' && wasOffline) {
        wasOffline = false;
        void fetchPage(null);
      }
    });
    void fetchPage(null).finally(() => isCurrent && setIsLoading(false));
    return () => {
      isCurrent = false;
      stopCreated();
      stopUpdated();
      stopWatchingState();
    };
  }, [connection, fetchPage, filterKey]);

  return {
    rows,
    isLoading,
    error,
    hasMore,
    loadMore: () => {
      if (endCursor) void fetchPage(endCursor);
    },
    replace: (changed) => setRows((current) => merge(current, changed)),
  };
}
