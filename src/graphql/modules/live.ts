import type { SourceKind } from '../../db/schema/enums.ts';
import { loadScans } from '../../services/scans.ts';
import { ValidationError } from '../../services/errors.ts';
import {
  alertCreatedStream,
  alertUpdatedStream,
  scanProgressStream,
  type AlertCreatedItem,
  type AlertUpdatedItem,
  type ScanProgressItem,
} from '../../live/streams.ts';
import { builder } from '../builder.ts';
import { AlertCategoryEnum, enumFrom, SeverityEnum, SourceEnum } from '../enums.ts';
import { encodeGlobalId, parseGlobalId, parseGlobalIds } from '../ids.ts';
import { Alert } from './alerts.ts';
import { Scan } from './scans.ts';

const scanPhases = ['queued', 'running', 'fetching', 'analyzing', 'succeeded', 'failed', 'skipped'] as const;
type ScanPhase = (typeof scanPhases)[number];

const CURSOR_PREFIX = 'alert-seq:';

export function encodeAlertCursor(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');
}

function decodeAlertCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = Number(text.slice(CURSOR_PREFIX.length));
  if (!text.startsWith(CURSOR_PREFIX) || !Number.isSafeInteger(seq) || seq < 0) {
    throw ValidationError.single(['after'], 'is not a cursor from alertCreated');
  }
  return seq;
}

const AlertSubscriptionFilter = builder.inputType('AlertSubscriptionFilter', {
  description: 'Which alerts a subscription receives; every condition given must hold.',
  fields: (t) => ({
    monitorIds: t.idList({ required: false, description: 'Only alerts of these monitors (global IDs).' }),
    minSeverity: t.field({ type: SeverityEnum, required: false, description: 'Only alerts at least this severe.' }),
    categories: t.field({ type: [AlertCategoryEnum], required: false, description: 'Only alerts of one of these categories.' }),
  }),
});

const AlertCreatedPayload = builder.objectRef<AlertCreatedItem>('AlertCreatedPayload').implement({
  description: 'A new alert, in commit order.',
  fields: (t) => ({
    alert: t.field({ type: Alert, description: 'The alert.', resolve: (item) => item.alert }),
    cursor: t.string({
      description: 'Pass as `after` when reconnecting to receive everything since this alert, exactly once.',
      resolve: (item) => encodeAlertCursor(item.seq),
    }),
  }),
});

const AlertChangeEnum = builder.enumType('AlertChange', {
  description: 'What changed about an alert.',
  values: {
    STATUS: { value: 'status', description: 'Its status (triage, snooze ending, reopening).' },
    OCCURRENCE: { value: 'occurrence', description: 'A scan found it again.' },
    DETAILS: { value: 'details', description: 'Its verdict or details were refreshed.' },
    NOTE: { value: 'note', description: 'A note was added.' },
  } as const,
});

const AlertUpdatedPayload = builder.objectRef<AlertUpdatedItem>('AlertUpdatedPayload').implement({
  description: 'An alert that changed, and what changed.',
  fields: (t) => ({
    alert: t.field({ type: Alert, description: 'The alert as it is now.', resolve: (item) => item.alert }),
    change: t.field({ type: AlertChangeEnum, description: 'What changed.', resolve: (item) => item.change }),
  }),
});

const ScanPhaseEnum = enumFrom('ScanPhase', scanPhases, 'Where a scan is: QUEUED → RUNNING (FETCHING each source, ANALYZING n of m) → SUCCEEDED, FAILED or SKIPPED.', {
  queued: 'Waiting for a worker.',
  running: 'A worker started it.',
  fetching: 'Reading one source (`source`).',
  analyzing: 'Judging findings (`done` of `total`).',
  succeeded: 'Finished.',
  failed: 'Failed; see `Scan.error`.',
  skipped: 'Not run; see `Scan.error`.',
});

const ScanProgressPayload = builder.objectRef<ScanProgressItem>('ScanProgressPayload').implement({
  description: 'One step of a scan.',
  fields: (t) => ({
    scan: t.field({ type: Scan, description: 'The scan as it is now.', resolve: (item) => item.scan }),
    phase: t.field({ type: ScanPhaseEnum, description: 'The step.', resolve: (item) => item.event.phase as ScanPhase }),
    source: t.field({ type: SourceEnum, nullable: true, description: 'While FETCHING: the source being read.', resolve: (item) => (item.event.source ?? null) as SourceKind | null }),
    done: t.int({ nullable: true, description: 'While ANALYZING: findings judged so far.', resolve: (item) => item.event.done ?? null }),
    total: t.int({ nullable: true, description: 'While ANALYZING: findings to judge in all.', resolve: (item) => item.event.total ?? null }),
  }),
});

function toStreamFilter(filter: { monitorIds?: string[] | null; minSeverity?: string | null; categories?: string[] | null } | null | undefined) {
  return {
    monitorIds: filter?.monitorIds ? parseGlobalIds(filter.monitorIds, 'Monitor', ['filter', 'monitorIds']) : null,
    minSeverity: (filter?.minSeverity ?? null) as never,
    categories: (filter?.categories ?? null) as never,
  };
}

builder.subscriptionType({ description: 'Live updates over graphql-ws (same URL as HTTP), authenticated in `connection_init`.' });

builder.subscriptionFields((t) => ({
  alertCreated: t.field({
    type: AlertCreatedPayload,
    description: "New alerts of your organization, in commit order. With `after`, first replays everything since that cursor.",
    authScopes: { member: true },
    args: {
      filter: t.arg({ type: AlertSubscriptionFilter, required: false, description: 'Which alerts; default: all.' }),
      after: t.arg.string({ required: false, description: 'The `cursor` of the last alert received: replays everything since first.' }),
    },
    subscribe: (_root, args, context) =>
      alertCreatedStream(context.live.hub, context.db, context.viewer!, toStreamFilter(args.filter), args.after ? decodeAlertCursor(args.after) : null, context.live),
    resolve: (item) => item,
  }),
  alertUpdated: t.field({
    type: AlertUpdatedPayload,
    description: 'Status changes, notes and new occurrences of your alerts.',
    authScopes: { member: true },
    args: { filter: t.arg({ type: AlertSubscriptionFilter, required: false, description: 'Which alerts; default: all.' }) },
    subscribe: (_root, args, context) => alertUpdatedStream(context.live.hub, context.viewer!, toStreamFilter(args.filter), context.live),
    resolve: (item) => item,
  }),
  scanProgress: t.field({
    type: ScanProgressPayload,
    description: 'Progress of one scan (the stream ends when it finishes) or of every scan of a monitor.',
    authScopes: { member: true },
    args: {
      scanId: t.arg.id({ required: false, description: 'Global ID of one scan (give this or `monitorId`).' }),
      monitorId: t.arg.id({ required: false, description: 'Global ID of a monitor: every scan of it (give this or `scanId`).' }),
    },
    subscribe: async (_root, args, context) => {
      if ((args.scanId == null) === (args.monitorId == null)) throw ValidationError.single(['scanId'], 'give exactly one of scanId and monitorId');
      if (args.monitorId) {
        return scanProgressStream(context.live.hub, context.viewer!, { monitorId: parseGlobalId(args.monitorId, 'Monitor', ['monitorId']) }, context.live);
      }
      const scanId = parseGlobalId(args.scanId!, 'Scan', ['scanId']);
      const stream = scanProgressStream(context.live.hub, context.viewer!, { scanId }, context.live);
      // Start with where the scan is now, so a subscriber never waits on a scan that already finished.
      const [scan] = await loadScans(context.db, context.viewer!.organizationId, [scanId]);
      if (!scan) throw new ValidationError([{ path: ['scanId'], message: `no scan ${encodeGlobalId('Scan', scanId)} in your organization` }]);
      return prepend({ scan, event: { type: 'scan.progress', organizationId: scan.organizationId, monitorId: scan.monitorId, scanId, phase: scan.status } }, stream, ['succeeded', 'failed', 'skipped'].includes(scan.status));
    },
    resolve: (item) => item,
  }),
}));

/**
 * `first`, then `rest` unless `first` was final. Not an async generator: one waiting on `rest` cannot
 * be returned until its next event, so an unsubscribed client would stay registered until then.
 */
function prepend<T>(first: T, rest: AsyncIterableIterator<T>, isFinal: boolean): AsyncIterableIterator<T> {
  let isFirstSent = false;
  if (isFinal) void rest.return?.();
  return {
    next() {
      if (!isFirstSent) {
        isFirstSent = true;
        return Promise.resolve({ value: first, done: false });
      }
      return isFinal ? Promise.resolve({ value: undefined, done: true }) : rest.next();
    },
    async return() {
      await rest.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await rest.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
