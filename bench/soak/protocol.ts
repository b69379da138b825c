/** Messages between the soak benchmark and its subscriber process (subscriber-process.ts), over IPC. */

/** Titles of the alerts written only to prove every subscription live, before the measurement. */
export const WARM_UP_TITLE_PREFIX = 'Soak warm-';

export const SUBSCRIPTION = 'subscription SoakAlertCreated { alertCreated { cursor alert { id title } } }';

// Microseconds on CLOCK_MONOTONIC, the same clock as the live benchmark's.
export { nowUs } from '../live/protocol.ts';

export interface SubscriberGroup {
  organizationIndex: number;
  authorization: string;
  count: number;
}

export type ToSubscriberProcess =
  | { type: 'connect'; url: string; groups: SubscriberGroup[] }
  | { type: 'progress' }
  /** Every measured alert, by organization, with its commit acknowledgement time (µs); answered by `report`. */
  | { type: 'report'; expected: { organizationIndex: number; alertId: string; committedUs: number }[] }
  | { type: 'close' };

export interface SubscriberReport {
  subscribers: number;
  /** (subscriber, measured alert of its organization) pairs expected and received at least once. */
  expectedPairs: number;
  receivedPairs: number;
  lost: number;
  duplicates: number;
  /** Events for alerts neither measured nor warm-up (another organization's, or unknown). */
  unexpected: number;
  /** GraphQL errors in `next` payloads, and `error` callbacks of the sinks. */
  errors: number;
  firstError?: string;
  /** Connections the server closed while subscribed, by close code. */
  closedByServer: Record<string, number>;
  /** `connected` events after a client's first: a reconnect. */
  reconnects: number;
  /** Commit-to-receipt latency of every received pair, milliseconds. */
  latenciesMs: Float64Array;
  /** Worst pairs missing, for the report: `subscriber#/alertId`. */
  lostSample: string[];
}

export type FromSubscriberProcess =
  | { type: 'ready' }
  | { type: 'connected'; opened: number; failed: number; firstError?: string }
  | { type: 'progress'; open: number; warmed: number; events: number; errors: number; closed: number; reconnects: number }
  | ({ type: 'report' } & SubscriberReport)
  | { type: 'closed' }
  | { type: 'failed'; error: string };
