/**
 * Messages between the benchmark and its child processes: the subscriber processes
 * (client-process.ts) and the bare WebSocket server used as the baseline (baseline-server.ts).
 * Both children are started with `serialization: 'advanced'`, so typed arrays cross as they are.
 */

/**
 * Every published alert's title carries a fixed-width marker, so a client can tell which alert a
 * message is about from the raw text without parsing it, and every message has the same size.
 */
export const MARKER_PREFIX = 'bench-';
export type MarkerKind = 'w' | 'a';
export const markerFor = (kind: MarkerKind, index: number) => `${MARKER_PREFIX}${kind}-${String(index).padStart(4, '0')}`;
export const MARKER_LENGTH = markerFor('a', 0).length;

/** Microseconds on CLOCK_MONOTONIC, which every process on the machine shares. */
export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export type ToClientProcess =
  /** Opens `count` sockets, each with connection_init and one subscribe; answered by `connected`. */
  | { type: 'connect'; url: string; count: number; authorization: string; query: string; burstAlerts: number }
  | { type: 'progress' }
  /** Receipts of the burst against the times each alert was published; answered by `report`. */
  | { type: 'report'; publishedUs: Float64Array }
  /** Closes every socket (1000) and forgets them; answered by `closed`. */
  | { type: 'close' };

export type FromClientProcess =
  | { type: 'ready' }
  | { type: 'connected'; opened: number; failed: number; firstError?: string }
  | { type: 'progress'; open: number; warmed: number; burstReceipts: number }
  | {
      type: 'report';
      /** Commit-to-receipt latency of every (socket, alert) pair received, in milliseconds. */
      latenciesMs: Float64Array;
      /** Per burst alert, the latency of its last receipt here: when it had reached every socket. */
      lastReceiptMs: Float64Array;
      lost: number;
      duplicates: number;
      /** Messages that were neither a marked `next` nor protocol traffic (errors, completes). */
      unexpectedMessages: number;
      firstUnexpected?: string;
      /** Sockets the server closed while they were subscribed, by close code. */
      closedByServer: Record<string, number>;
      /** When each of those closes happened (µs), how many burst alerts that socket had received by then, and when its last ping arrived. */
      drops: { atUs: number; alertsReceived: number; lastPingUs: number }[];
      /** One burst message exactly as received, the template for the baseline's payload. */
      sample?: string;
    }
  | { type: 'closed' }
  | { type: 'failed'; error: string };

export type ToBaselineServer = { type: 'broadcast'; text: string } | { type: 'stop' };

export type FromBaselineServer = { type: 'listening'; url: string } | { type: 'failed'; error: string };
