import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { alertSequences, alerts, scans } from '../db/schema/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { AlertRow } from '../services/alerts.ts';
import type { ScanRow } from '../services/scans.ts';
import { EVENTS_CHANNEL, parseLiveEvent, type LiveEvent } from './events.ts';

export interface LoadedEvent {
  event: LiveEvent;
  /** The alert or scan the event is about, as committed; null if it is gone already. */
  alert: AlertRow | null;
  scan: ScanRow | null;
}

export interface HubSubscriber {
  organizationId: string;
  types: ReadonlySet<LiveEvent['type']>;
  /** Feeds subscriptions counted elsewhere (a group's shared stream): not itself a subscriber in the count. */
  isUncounted?: boolean;
  deliver(loaded: LoadedEvent): void;
  /**
   * Events meant for this subscriber could not be delivered (the rows they name could not be
   * loaded). They are committed: a subscriber that can read them from the tables does so now.
   */
  onMissed?(): void;
}

/**
 * One LISTEN connection per API process, fanned out in memory. Events that arrive together are
 * handled as one batch: the rows they refer to are loaded with one query per kind, however many
 * subscribers want them, and delivered in NOTIFY order (which is commit order).
 */
export class EventHub {
  private readonly subscribers = new Map<string, Set<HubSubscriber>>();
  private readonly reconnectListeners = new Set<() => void>();
  private pending: string[] = [];
  private isDraining = false;
  private listening: { unlisten(): Promise<void> } | undefined;
  private listenCount = 0;
  private uncounted = 0;
  private readonly extraCounts: (() => number)[] = [];
  /** Per organization: alert numbers are counted per organization (drizzle/functions/*alert_numbers*). */
  private readonly alertPositions = new Map<string, number>();
  private readonly database: Database;
  private readonly logger: Logger;

  constructor(database: Database, logger: Logger) {
    this.database = database;
    this.logger = logger;
  }

  /** Live subscriptions served: the hub's own subscribers, and those counted by `countAlso`. */
  get subscriberCount(): number {
    let count = -this.uncounted;
    for (const set of this.subscribers.values()) count += set.size;
    for (const extra of this.extraCounts) count += extra();
    return count;
  }

  /** Adds subscriptions served through this hub without a subscriber of their own (grouped ones). */
  countAlso(count: () => number): void {
    this.extraCounts.push(count);
  }

  /**
   * The `created_seq` of the organization's last alert.created event this hub has handed out (or,
   * before any, of its last alert committed when the hub started listening). A subscription
   * registered now receives exactly the organization's alerts after this position live, so it is
   * where a live-only `alertCreated` starts.
   */
  alertSeqPosition(organizationId: string): number {
    return this.alertPositions.get(organizationId) ?? 0;
  }

  async start(): Promise<void> {
    // postgres.js re-issues LISTEN on a new connection after a drop and calls onlisten again:
    // every call after the first means events may have been missed, so subscribers catch up.
    this.listening = await this.database.sql.listen(
      EVENTS_CHANNEL,
      (payload) => this.enqueue(payload),
      () => {
        this.listenCount += 1;
        if (this.listenCount > 1) {
          this.logger.warn('LISTEN re-established after a database reconnect; subscribers catch up');
          void this.readAlertPositions().catch((error: unknown) => this.logger.error({ err: error }, 'failed to read the alert positions'));
          for (const listener of this.reconnectListeners) listener();
        }
      },
    );
    // Read after LISTEN is in place: every alert committed later is announced to this hub.
    await this.readAlertPositions();
  }

  /**
   * Raises each organization's position to its newest committed alert (numbers follow commit order
   * within an organization): one row per organization that ever numbered an alert.
   */
  private async readAlertPositions(): Promise<void> {
    const rows = await this.database.db.select().from(alertSequences);
    for (const row of rows) this.raiseAlertPosition(row.organizationId, row.lastSeq);
  }

  private raiseAlertPosition(organizationId: string, seq: number): void {
    if (seq > (this.alertPositions.get(organizationId) ?? 0)) this.alertPositions.set(organizationId, seq);
  }

  async stop(): Promise<void> {
    await this.listening?.unlisten().catch(() => {});
    this.listening = undefined;
  }

  subscribe(subscriber: HubSubscriber): () => void {
    let set = this.subscribers.get(subscriber.organizationId);
    if (!set) this.subscribers.set(subscriber.organizationId, (set = new Set()));
    set.add(subscriber);
    if (subscriber.isUncounted) this.uncounted += 1;
    return () => {
      if (set.delete(subscriber) && subscriber.isUncounted) this.uncounted -= 1;
      if (set.size === 0) this.subscribers.delete(subscriber.organizationId);
    };
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  private enqueue(payload: string): void {
    this.pending.push(payload);
    if (!this.isDraining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.isDraining = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await this.dispatch(batch);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'failed to dispatch live events');
    } finally {
      this.isDraining = false;
      if (this.pending.length > 0) void this.drain();
    }
  }

  private async dispatch(payloads: string[]): Promise<void> {
    const wanted: { event: LiveEvent; targets: HubSubscriber[] }[] = [];
    for (const payload of payloads) {
      const event = parseLiveEvent(payload);
      if (!event) continue;
      // Counted before the load below: a subscriber registered while it runs is not among this
      // batch's targets, so its starting position must already include the batch.
      if (event.type === 'alert.created') this.raiseAlertPosition(event.organizationId, event.seq);
      const set = this.subscribers.get(event.organizationId);
      if (!set) continue;
      const targets = [...set].filter((s) => s.types.has(event.type));
      if (targets.length > 0) wanted.push({ event, targets });
    }
    if (wanted.length === 0) return;
    const alertIds = [...new Set(wanted.flatMap(({ event }) => (event.type === 'scan.progress' ? [] : [event.alertId])))];
    const scanIds = [...new Set(wanted.flatMap(({ event }) => (event.type === 'scan.progress' ? [event.scanId] : [])))];
    const { db } = this.database;
    let alertRows: AlertRow[];
    let scanRows: ScanRow[];
    try {
      [alertRows, scanRows] = await Promise.all([
        alertIds.length ? db.select().from(alerts).where(inArray(alerts.id, alertIds)) : Promise.resolve([] as AlertRow[]),
        scanIds.length ? db.select().from(scans).where(inArray(scans.id, scanIds)) : Promise.resolve([] as ScanRow[]),
      ]);
    } catch (error) {
      // Said synchronously, before the next batch is delivered: a subscriber that catches up must
      // not move past these events on a later one first.
      this.logger.error({ err: error }, 'failed to load live events; their subscribers catch up');
      for (const target of new Set(wanted.flatMap(({ targets }) => targets))) target.onMissed?.();
      return;
    }
    const alertsById = new Map(alertRows.map((row) => [row.id, row]));
    const scansById = new Map(scanRows.map((row) => [row.id, row]));
    for (const { event, targets } of wanted) {
      const loaded: LoadedEvent = {
        event,
        alert: event.type === 'scan.progress' ? null : (alertsById.get(event.alertId) ?? null),
        scan: event.type === 'scan.progress' ? (scansById.get(event.scanId) ?? null) : null,
      };
      // A row from another organization can never reach a subscriber, whatever the payload said.
      const owner = loaded.alert?.organizationId ?? loaded.scan?.organizationId;
      if (owner !== event.organizationId) continue;
      for (const target of targets) {
        try {
          target.deliver(loaded);
        } catch (error) {
          this.logger.error({ err: error }, 'live subscriber failed');
        }
      }
    }
  }
}
